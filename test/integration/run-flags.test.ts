// run --detach/--pid-file/--keep, signal forwarding and exit statuses,
// compared with runc.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, MINIRUN, Sandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

type Runtime = 'minirun' | 'runc';

suite('run flags and signals', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
  });
  afterAll(() => sb?.cleanup());

  const cli = (rt: Runtime, args: string[]) => (rt === 'minirun' ? sb.minirun(args) : sb.runc(args));
  const root = (rt: Runtime) => (rt === 'minirun' ? sb.minirunRoot : sb.runcRoot);

  /** Starts `run` in the background; resolves with its exit status once it ends. */
  function startRun(
    rt: Runtime,
    id: string,
    flags: string[] = [],
  ): {
    ready: Promise<void>;
    exit: Promise<number | null>;
    signal(s: NodeJS.Signals): void;
    pid: number;
    output(): string;
  } {
    const bin = rt === 'minirun' ? MINIRUN : 'runc';
    const child = spawn(bin, ['--root', root(rt), 'run', ...flags, '--bundle', sb.bundle, id], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('ready')) resolve();
      });
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { ready, exit, signal: (s) => child.kill(s), pid: child.pid!, output: () => out };
  }

  for (const rt of ['minirun', 'runc'] as Runtime[]) {
    it(`${rt}: forwards SIGUSR1 and SIGTERM to the container and exits with its status`, async () => {
      sb.setArgs(['sh', '-c', 'trap "exit 3" USR1; trap "exit 4" TERM; echo ready; while :; do sleep 0.05; done']);
      for (const [sig, code] of [
        ['SIGUSR1', 3],
        ['SIGTERM', 4],
      ] as const) {
        const run = startRun(rt, uniqueId('sig'));
        await run.ready;
        run.signal(sig);
        expect(await run.exit).toBe(code);
      }
      expect(sb.residue()).toEqual([]);
    });

    it(`${rt}: a container killed by SIGKILL makes run exit 137`, async () => {
      sb.setArgs(['sh', '-c', 'echo ready; exec sleep 30']);
      const id = uniqueId('kill');
      const run = startRun(rt, id);
      await run.ready;
      expect(cli(rt, ['kill', id, 'KILL']).code).toBe(0);
      expect(await run.exit).toBe(137);
      expect(sb.residue()).toEqual([]);
    });

    it(`${rt}: --detach with --pid-file leaves a running container that delete -f removes`, () => {
      sb.setArgs(['sh', '-c', 'exec sleep 30 </dev/null >/dev/null 2>&1']);
      const id = uniqueId('det');
      const pidFile = path.join(sb.dir, `${id}.pid`);
      const r = cli(rt, ['run', '--detach', '--pid-file', pidFile, id]);
      expect(r.code).toBe(0);
      const state = JSON.parse(cli(rt, ['state', id]).stdout);
      expect(state.status).toBe('running');
      expect(fs.readFileSync(pidFile, 'utf8')).toBe(String(state.pid));
      expect(fs.readlinkSync(`/proc/${state.pid}/exe`)).not.toMatch(/node|minirun/);
      const del = cli(rt, ['delete', id]);
      expect(del.code).toBe(1);
      expect(cli(rt, ['delete', '--force', id]).code).toBe(0);
      expect(cli(rt, ['state', id]).code).toBe(1);
      expect(sb.residue()).toEqual([]);
    });

    it(`${rt}: --keep leaves a stopped container until delete`, () => {
      sb.setArgs(['true']);
      const id = uniqueId('keep');
      expect(cli(rt, ['run', '--keep', id]).code).toBe(0);
      const state = JSON.parse(cli(rt, ['state', id]).stdout);
      expect([state.status, state.pid]).toEqual(['stopped', 0]);
      expect(cli(rt, ['delete', id]).code).toBe(0);
      expect(sb.residue()).toEqual([]);
    });
  }

  it('a new session keyring _ses.<id>, or none with --no-new-keyring, as runc', () => {
    sb.setArgs(['/bin/probe', 'keyring']);
    const id = uniqueId('key');
    for (const flags of [[], ['--no-new-keyring']]) {
      const out = (rt: Runtime) =>
        cli(rt, ['run', ...flags, `${id}-${rt}${flags.length}`]).stdout.replace(`${id}-${rt}`, 'ID');
      expect(out('minirun')).toBe(out('runc'));
    }
    expect(cli('minirun', ['run', `${id}-x`]).stdout).toMatch(new RegExp(`^keyring;0;0;[0-9a-f]+;_ses\\.${id}-x\n$`));
  });

  it('--debug writes debug lines to --log in its format (json here), as runc; without it, none', () => {
    sb.setArgs(['true']);
    const logs: Record<string, string> = {};
    for (const debugFlag of [true, false]) {
      const log = path.join(sb.dir, `log-${debugFlag}`);
      const r = sb.minirun([
        ...(debugFlag ? ['--debug'] : []),
        '--log',
        log,
        '--log-format',
        'json',
        'run',
        uniqueId('dbg'),
      ]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      logs[String(debugFlag)] = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    }
    const lines = logs.true
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const l of lines) expect(Object.keys(l).sort()).toEqual(['level', 'msg', 'time']);
    expect(lines.every((l) => l.level === 'debug')).toBe(true);
    expect(lines.some((l) => /^init helper started: pid \d+/.test(l.msg))).toBe(true);
    expect(lines.some((l) => /^cgroup: .*cgroup\.procs = /.test(l.msg))).toBe(true);
    expect(logs.false).toBe('');
  });

  it('state JSON has the same fields as runc', () => {
    sb.setArgs(['sh', '-c', 'exec sleep 30 </dev/null >/dev/null 2>&1']);
    const id = uniqueId('st');
    for (const rt of ['minirun', 'runc'] as Runtime[]) expect(cli(rt, ['run', '-d', `${id}-${rt}`]).code).toBe(0);
    try {
      const shape = (rt: Runtime) => {
        const s = JSON.parse(cli(rt, ['state', `${id}-${rt}`]).stdout);
        return { ...s, id: s.id.replace(`-${rt}`, ''), pid: typeof s.pid, created: typeof s.created };
      };
      expect(shape('minirun')).toEqual(shape('runc'));
    } finally {
      for (const rt of ['minirun', 'runc'] as Runtime[]) cli(rt, ['delete', '-f', `${id}-${rt}`]);
    }
  });

  it("the init is the runtime's child; orphans go to it as subreaper, or past it with --no-subreaper, as with runc", async () => {
    const pristine = sb.config();
    sb.edit((c) => {
      // no pid namespace: an orphan is reparented on the host, where its parent can be seen
      c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'pid');
      // the orphan reads its parent after its own parent has gone ($PPID is fixed when a shell starts)
      c.process.args = [
        'sh',
        '-c',
        'echo init-parent $PPID; (sh -c "sleep 0.5; read -r a b c d rest < /proc/\\$\\$/stat; echo orphan-parent \\$d" &); sleep 1.5; echo ready',
      ];
    });
    try {
      const seen: Record<string, string[]> = {};
      for (const rt of ['runc', 'minirun'] as Runtime[]) {
        for (const flags of [[], ['--no-subreaper']]) {
          const run = startRun(rt, uniqueId('reap'), flags);
          expect(await run.exit).toBe(0);
          const parent = (what: string) => Number(run.output().match(new RegExp(`${what} (\\d+)`))?.[1]);
          seen[rt] = [
            ...(seen[rt] ?? []),
            `${flags.join('') || 'default'}: init ${parent('init-parent') === run.pid ? 'ours' : 'not ours'}, orphan ${parent('orphan-parent') === run.pid ? 'ours' : 'not ours'}`,
          ];
        }
      }
      expect(seen.minirun).toEqual(seen.runc);
      expect(seen.minirun).toEqual(['default: init ours, orphan ours', '--no-subreaper: init ours, orphan not ours']);
      expect(sb.residue()).toEqual([]);
    } finally {
      sb.setConfig(pristine);
    }
  });
});
