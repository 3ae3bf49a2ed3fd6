// Hooks: the same order, statuses on stdin and failure handling as runc.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, MINIRUN, Sandbox, uniqueId, type Config } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;
const KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;

// The order and statuses the runtime-spec asks for (minirun), and what runc
// 1.1.5 does: it runs poststart before startContainer, with status "created".
// A deliberate difference: the issue asks for the runtime-spec's order.
const SPEC_ORDER = [
  'prestart "status":"creating"',
  'createRuntime "status":"creating"',
  'createContainer "status":"creating"',
  'startContainer "status":"created"',
  'poststart "status":"running"',
  'poststop "status":"stopped"',
];
const RUNC_1_1_5_ORDER = [
  'prestart "status":"creating"',
  'createRuntime "status":"creating"',
  'createContainer "status":"creating"',
  'poststart "status":"created"',
  'startContainer "status":"created"',
  'poststop "status":"stopped"',
];

/** The hook lines alone: the process's own line races with poststart, which runs once it has started. */
function checkOrder(log: string[], expected: string[]): void {
  expect(log.filter((l) => l !== 'process')).toEqual(expected);
  expect(log.indexOf('process')).toBeGreaterThan(log.indexOf('startContainer "status":"created"'));
}

suite('hooks match runc', () => {
  let sb: Sandbox;
  let pristine: Config;
  let logs: string;
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', 'echo process >> /logs/log']);
    logs = path.join(sb.dir, 'logs');
    fs.mkdirSync(logs);
    sb.edit((c) => {
      c.root.readonly = false;
      c.mounts.push({ destination: '/logs', type: 'bind', source: logs, options: ['rbind'] });
    });
    pristine = sb.config();
  });
  afterAll(() => sb?.cleanup());

  /** A hook that logs its kind and the status it read; startContainer runs after pivot_root, so it logs to /logs. */
  function logHook(kind: string, extra = ''): Config {
    const file = kind === 'startContainer' ? '/logs/log' : path.join(logs, 'log');
    return {
      path: '/bin/sh',
      args: ['sh', '-c', `read -r s; echo "${kind} $(echo "$s" | grep -o '"status":"[a-z]*"')" >> ${file}${extra}`],
    };
  }

  function withHooks(hooks: Config): void {
    sb.setConfig({ ...structuredClone(pristine), hooks });
  }

  function logOf(run: () => void): string[] {
    fs.writeFileSync(path.join(logs, 'log'), '');
    run();
    return fs.readFileSync(path.join(logs, 'log'), 'utf8').trim().split('\n');
  }

  it('run: every hook, in order, with the state on stdin', () => {
    withHooks(Object.fromEntries(KINDS.map((k) => [k, [logHook(k)]])));
    const id = uniqueId('hk');
    checkOrder(
      logOf(() => expect(sb.runc(['run', `${id}-r`]).code).toBe(0)),
      RUNC_1_1_5_ORDER,
    );
    checkOrder(
      logOf(() => expect(sb.minirun(['run', `${id}-m`]).code).toBe(0)),
      SPEC_ORDER,
    );
  });

  it('create, start, delete: each hook at its step', () => {
    withHooks(Object.fromEntries(KINDS.map((k) => [k, [logHook(k)]])));
    const id = uniqueId('hk');
    const steps = (cli: (a: string[]) => { code: number | null }, cid: string) => () => {
      for (const step of [
        ['create', cid],
        ['start', cid],
      ])
        expect(cli(step).code).toBe(0);
      for (let i = 0; i < 100 && !fs.readFileSync(path.join(logs, 'log'), 'utf8').includes('process'); i++) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
      expect(cli(['delete', cid]).code).toBe(0);
    };
    checkOrder(logOf(steps((a) => sb.runc(a), `${id}-r`)), RUNC_1_1_5_ORDER);
    checkOrder(logOf(steps((a) => sb.minirun(a), `${id}-m`)), SPEC_ORDER);
  });

  it('a failing createRuntime hook fails run with status 1 and leaves nothing', () => {
    withHooks({ createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'echo broken >&2; exit 3'] }] });
    const id = uniqueId('hk');
    const runc = sb.runc(['run', `${id}-r`]);
    const minirun = sb.minirun(['run', `${id}-m`]);
    expect(minirun.code).toBe(runc.code);
    expect(minirun.stderr).toBe(
      'minirun run failed: hooks.createRuntime[0] /bin/sh: error running hook: exit status 3: broken\n',
    );
    expect(sb.residue()).toEqual([]);
  });

  it('a hook that cannot be started fails the run and leaves no temp files', () => {
    withHooks({ createContainer: [{ path: '/nonexistent/hook', args: ['hook'] }] }); // run in the container's namespaces
    const tmp = fs.mkdtempSync(path.join(sb.dir, 'tmp-'));
    const r = spawnSync(MINIRUN, ['--root', sb.minirunRoot, 'run', '--bundle', sb.bundle, uniqueId('hk')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '', TMPDIR: tmp },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^minirun run failed: hooks\.createContainer\[0\] \/nonexistent\/hook: [^\n]+\n$/);
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(sb.residue()).toEqual([]);
  });

  it('a hook past its timeout is killed and fails the run', () => {
    withHooks({ prestart: [{ path: '/bin/sleep', args: ['sleep', '10'], timeout: 1 }] });
    const r = sb.minirun(['run', uniqueId('hk')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'minirun run failed: hooks.prestart[0] /bin/sleep: error running hook: ran past its timeout of 1s\n',
    );
    expect(sb.residue()).toEqual([]);
  });

  it('a failing poststop hook only warns', () => {
    withHooks({ poststop: [{ path: '/bin/false' }, logHook('poststop')] });
    const log = logOf(() => {
      const r = sb.minirun(['run', uniqueId('hk')]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('minirun: warning: hooks.poststop[0] /bin/false: error running hook: exit status 1\n');
    });
    expect(log).toEqual(['process', 'poststop "status":"stopped"']);
  });

  it('createContainer runs in the container mount namespace', () => {
    withHooks({
      createContainer: [
        { path: '/bin/sh', args: ['sh', '-c', `readlink /proc/self/ns/mnt > ${path.join(logs, 'ns')}`] },
      ],
    });
    sb.edit((c) => (c.process.args = ['sh', '-c', 'readlink /proc/self/ns/mnt > /logs/ns-container']));
    expect(sb.minirun(['run', uniqueId('hk')]).code).toBe(0);
    const hookNs = fs.readFileSync(path.join(logs, 'ns'), 'utf8');
    expect(hookNs).toBe(fs.readFileSync(path.join(logs, 'ns-container'), 'utf8'));
    expect(hookNs).not.toBe(fs.readlinkSync('/proc/self/ns/mnt') + '\n');
  });

  it('createContainer runs in the rootfs dir, startContainer in process.cwd as the process user, as with runc', () => {
    const out = path.join(logs, 'where');
    withHooks({
      createContainer: [{ path: '/bin/sh', args: ['sh', '-c', `echo "create $(pwd -P)" >> ${out}`] }],
      startContainer: [
        { path: '/bin/sh', args: ['sh', '-c', 'echo "start $(pwd) $(id -u):$(id -g) $FOO" >> /logs/where'] },
      ],
    });
    sb.edit((c) => {
      c.process.args = ['true'];
      c.process.cwd = '/tmp';
      c.process.user = { uid: 1000, gid: 1000 };
      c.process.env.push('FOO=from-the-process');
    });
    fs.chmodSync(logs, 0o777);
    const lines: Record<string, string> = {};
    for (const rt of ['runc', 'minirun'] as const) {
      fs.writeFileSync(out, '');
      fs.chmodSync(out, 0o666);
      const r = sb[rt](['run', uniqueId('hk')]);
      expect(r.stderr).toBe('');
      lines[rt] = fs.readFileSync(out, 'utf8');
    }
    expect(lines.minirun).toBe(
      `create ${fs.realpathSync(path.join(sb.bundle, 'rootfs'))}\nstart /tmp 1000:1000 from-the-process\n`,
    );
    expect(lines.minirun).toBe(lines.runc);
  });

  it("a startContainer hook runs under the process's seccomp filter, as with runc", () => {
    withHooks({ startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'mkdir /tmp/foo'] }] });
    sb.edit((c) => {
      c.process.args = ['true'];
      c.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86_64'],
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_KILL' }],
      };
    });
    const runc = sb.runc(['run', uniqueId('hk')]);
    const minirun = sb.minirun(['run', uniqueId('hk')]);
    expect(runc.code).not.toBe(0);
    expect(runc.stderr).toMatch(/error running hook.*bad system call/);
    expect(minirun.code).toBe(1);
    expect(minirun.stderr).toBe(
      'minirun run failed: hooks.startContainer[0] /bin/sh: error running hook: signal: bad system call\n',
    );
    expect(sb.residue()).toEqual([]);
  });
});
