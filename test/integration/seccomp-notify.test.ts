// SCMP_ACT_NOTIFY and linux.seccomp.listenerPath: a real agent
// (test/tools/seccomp-agent.py) receives the container process state and the
// notify fd, and answers the container's syscalls; minirun against runc 1.1.5
// on the same bundle.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasRunc, isRoot, suiteSandbox, uniqueId, type Config, type Result } from './harness';
import { allowUpToPidfdOpen, podmanProfile } from './seccomp-profiles';

const suite = isRoot && hasRunc ? describe : describe.skip;
const AGENT = path.resolve(__dirname, '../tools/seccomp-agent.py');
type Runtime = 'runc' | 'minirun';

interface AgentRun {
  /** the messages received, pids and the container id normalised */
  states: string[];
  /** the notified syscalls the agent answered, in order */
  syscalls: string[];
  fds: number[];
}

suite('seccomp notify matches runc', () => {
  const sb = suiteSandbox(['sh'], (c) => {
    c.root.readonly = false;
    c.annotations = { 'org.example/a': 'b' };
  });
  let n = 0;

  const cli = (rt: Runtime, args: string[]): Result => (rt === 'runc' ? sb.runc(args) : sb.minirun(args));

  /** Starts an agent on a fresh socket, runs `use(socket)`, then waits for the agent to finish. */
  async function withAgent(
    agentArgs: string[],
    use: (socket: string) => Result[],
    norm: (s: string) => string,
  ): Promise<{ results: Result[]; agent: AgentRun }> {
    n += 1;
    const socket = path.join(sb.dir, `agent-${n}.sock`);
    const report = path.join(sb.dir, `agent-${n}.jsonl`);
    const agent = spawn('python3', [AGENT, socket, report, ...agentArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => agent.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        agent.stdout.once('data', () => resolve());
        agent.once('exit', () => reject(new Error('the agent did not start')));
      });
      sb.edit((c) => (c.linux.seccomp.listenerPath = socket));
      const results = use(socket);
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
      expect(code).toBe(0);
      const lines = fs
        .readFileSync(report, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l)
        .map((l) => JSON.parse(l));
      return {
        results,
        agent: {
          states: lines.filter((l) => l.raw !== undefined).map((l) => norm(l.raw)),
          fds: lines.filter((l) => l.raw !== undefined).map((l) => l.fds),
          syscalls: lines.filter((l) => l.syscall !== undefined).map((l) => l.syscall),
        },
      };
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL');
      fs.rmSync(socket, { force: true });
    }
  }

  /** The state JSON with the pids checked and replaced, the container id and socket path normalised. */
  function normState(id: string, exec: boolean) {
    return (raw: string): string => {
      const s = JSON.parse(raw);
      expect(typeof s.pid).toBe('number');
      if (exec) expect(s.pid).not.toBe(s.state.pid);
      else expect(s.pid).toBe(s.state.pid);
      return raw
        .replace(new RegExp(`"pid":${s.pid}\\b`, 'g'), '"pid":PID')
        .replace(new RegExp(`"pid":${s.state.pid}\\b`, 'g'), '"pid":INIT')
        .replaceAll(`"${id}"`, '"ID"');
    };
  }

  function notifyConfig(args: string[], names: string[], more: Partial<Config> = {}): void {
    sb.edit((c) => {
      c.process.args = args;
      c.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerMetadata: 'the metadata',
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
        syscalls: [{ names, action: 'SCMP_ACT_NOTIFY' }],
        ...more,
      };
    });
  }

  async function runBoth(agentArgs: string[], nnp = true) {
    sb.edit((c) => (c.process.noNewPrivileges = nnp));
    const out: Record<Runtime, { results: Result[]; agent: AgentRun }> = {} as never;
    for (const rt of ['runc', 'minirun'] as Runtime[]) {
      const id = uniqueId(`sn-${rt}`);
      out[rt] = await withAgent(agentArgs, () => [cli(rt, ['run', id])], normState(id, false));
    }
    return out;
  }

  for (const nnp of [true, false]) {
    it(`a notified mkdir fails with the agent's errno (noNewPrivileges ${nnp})`, async () => {
      notifyConfig(
        ['sh', '-c', 'mkdir /tmp/a 2>&1; echo mkdir=$?; test -d /tmp/a; echo exists=$?'],
        ['mkdir', 'mkdirat'],
      );
      const { runc, minirun } = await runBoth(['--answer', 'mkdir=errno:28', '--answer', 'mkdirat=errno:28'], nnp);
      expect(minirun.results[0].stdout).toBe(runc.results[0].stdout);
      expect(minirun.results[0].stdout).toBe(
        "mkdir: can't create directory '/tmp/a': No space left on device\nmkdir=1\nexists=1\n",
      );
      expect(minirun.results[0].code).toBe(runc.results[0].code);
      expect(minirun.agent).toEqual(runc.agent);
      expect(minirun.agent.fds).toEqual([1]);
      expect(JSON.parse(minirun.agent.states[0].replace(/PID|INIT/g, '0'))).toEqual({
        ociVersion: '1.0.2-dev',
        fds: ['seccompFd'],
        pid: 0,
        metadata: 'the metadata',
        state: {
          ociVersion: '1.0.2-dev',
          id: 'ID',
          status: 'creating',
          pid: 0,
          bundle: sb.bundle,
          annotations: { 'org.example/a': 'b' },
        },
      });
      expect(sb.residue()).toEqual([]);
    });
  }

  it('SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: the filter loads with it and the agent answers (runc 1.1.5 refuses the flag)', async () => {
    notifyConfig(['sh', '-c', 'mkdir /tmp/w 2>&1; echo mkdir=$?'], ['mkdir', 'mkdirat'], {
      flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
    });
    const id = uniqueId('sn-wk');
    const { results } = await withAgent(
      ['--answer', 'mkdir=errno:28', '--answer', 'mkdirat=errno:28'],
      () => [cli('minirun', ['run', id])],
      normState(id, false),
    );
    expect(results[0].stdout).toBe("mkdir: can't create directory '/tmp/w': No space left on device\nmkdir=1\n");
    expect(results[0].code).toBe(0);
    expect(sb.minirun(['features']).stdout).toContain('SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV');
    expect(sb.residue()).toEqual([]);
  });

  it.skipIf(!fs.existsSync(podmanProfile))(
    'under a deny-by-default profile: the agent answers the notified mkdir, a syscall newer than the profile gets ENOSYS',
    async () => {
      notifyConfig(['/bin/probe', 'syscall', '83', '439', '246'], ['mkdir', 'mkdirat'], {
        defaultAction: 'SCMP_ACT_ERRNO',
      });
      sb.edit((c) => c.linux.seccomp.syscalls.unshift(allowUpToPidfdOpen(['mkdir', 'mkdirat'])));
      const { runc, minirun } = await runBoth(['--answer', 'mkdir=errno:28']);
      expect(minirun.results[0].stdout, minirun.results[0].stderr).toBe(runc.results[0].stdout);
      expect(minirun.results[0].stdout).toBe('83 ENOSPC\n439 ENOSYS\n246 EPERM\n');
      expect(minirun.results[0].code).toBe(runc.results[0].code);
      expect(minirun.agent.syscalls).toEqual(['mkdir']);
      expect(sb.residue()).toEqual([]);
    },
  );

  it('a success value from the agent: mkdir returns 0 and makes nothing; no metadata, no key', async () => {
    notifyConfig(['sh', '-c', 'mkdir /tmp/b; echo mkdir=$?; test -d /tmp/b; echo exists=$?'], ['mkdir', 'mkdirat']);
    sb.edit((c) => delete c.linux.seccomp.listenerMetadata);
    const { runc, minirun } = await runBoth(['--answer', 'mkdir=value:0', '--answer', 'mkdirat=value:0']);
    expect(minirun.results[0].stdout).toBe(runc.results[0].stdout);
    expect(minirun.results[0].stdout).toBe('mkdir=0\nexists=1\n');
    expect(minirun.agent).toEqual(runc.agent);
    expect(minirun.agent.states[0]).not.toMatch(/metadata/);
  });

  it('the syscalls around the hand-over (execve, openat, read, close) can be notified, as with runc', async () => {
    notifyConfig(['/bin/true'], ['execve', 'openat', 'open', 'read', 'close']);
    const { runc, minirun } = await runBoth([]);
    expect(runc.results[0].code).toBe(0);
    expect(minirun.results[0].code).toBe(0);
    // The runtimes' own syscalls after the load differ; the user program's execve is in both.
    expect(minirun.agent.syscalls).toContain('59');
    expect(minirun.agent.states).toEqual(runc.agent.states);
  });

  it('the agent gone: a notified syscall fails with ENOSYS', async () => {
    notifyConfig(['sh', '-c', 'sleep 1; mkdir /tmp/c 2>&1; echo mkdir=$?'], ['mkdir', 'mkdirat']);
    const { runc, minirun } = await runBoth(['--drop']);
    expect(minirun.results[0].stdout).toBe(runc.results[0].stdout);
    expect(minirun.results[0].stdout).toBe(
      "mkdir: can't create directory '/tmp/c': Function not implemented\nmkdir=1\n",
    );
  });

  /** How many states the agent has logged, waiting up to 5 s for `want` of them (the caller is synchronous). */
  function waitForStates(report: string, want: number): number {
    const deadline = Date.now() + 5000;
    for (;;) {
      const got = fs.existsSync(report)
        ? fs
            .readFileSync(report, 'utf8')
            .split('\n')
            .filter((l) => l.includes('"raw"')).length
        : 0;
      if (got >= want || Date.now() > deadline) return got;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }

  it('create, then start: the state goes out during create', async () => {
    notifyConfig(['sh', '-c', 'mkdir /tmp/d 2>&1; echo mkdir=$?'], ['mkdir', 'mkdirat']);
    const out: Record<string, unknown> = {};
    const sentByCreate: Record<string, number> = {};
    for (const rt of ['runc', 'minirun'] as Runtime[]) {
      const id = uniqueId(`sc-${rt}`);
      try {
        out[rt] = await withAgent(
          ['--answer', 'mkdir=errno:13', '--answer', 'mkdirat=errno:13'],
          () => {
            const created = cli(rt, ['create', id]);
            // The runtime returns once the message is sent; the agent logs it a moment later.
            sentByCreate[rt] = waitForStates(path.join(sb.dir, `agent-${n}.jsonl`), 1);
            return [created, cli(rt, ['start', id])];
          },
          normState(id, false),
        );
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    expect(sentByCreate).toEqual({ runc: 1, minirun: 1 });
    expect(out.minirun).toEqual(out.runc);
  });

  it('exec: a second state, status running, with the init as state.pid', async () => {
    notifyConfig(['sleep', '300'], ['mkdir', 'mkdirat']);
    const out: Record<string, unknown> = {};
    for (const rt of ['runc', 'minirun'] as Runtime[]) {
      const id = uniqueId(`se-${rt}`);
      let seen = 0;
      try {
        out[rt] = await withAgent(
          ['--conns', '2', '--answer', 'mkdir=errno:1', '--answer', 'mkdirat=errno:1'],
          () => {
            const started = cli(rt, ['run', '-d', id]);
            const ex = cli(rt, ['exec', id, 'sh', '-c', 'mkdir /tmp/e 2>&1; echo mkdir=$?']);
            cli(rt, ['delete', '-f', id]);
            return [started, ex];
          },
          (raw) => normState(id, ++seen === 2)(raw),
        );
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    expect(out.minirun).toEqual(out.runc);
    const states = (out.minirun as { agent: AgentRun }).agent.states;
    expect(states[1]).toMatch(/"status":"running","pid":INIT,/);
  });

  it('a listenerPath without a NOTIFY rule is ignored, as by runc', () => {
    sb.edit((c) => {
      c.process.args = ['sh', '-c', 'mkdir /tmp/f 2>&1; echo mkdir=$?'];
      c.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: path.join(sb.dir, 'nobody.sock'),
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
      };
    });
    const { runc, minirun } = sb.runBoth();
    expect(minirun.stdout).toBe(runc.stdout);
    expect(minirun.code).toBe(0);
  });

  const bad: [string, (c: Config) => void, string | (() => string)][] = [
    [
      'NOTIFY without listenerPath',
      (c) => delete c.linux.seccomp.listenerPath,
      'minirun run failed: config.json: linux.seccomp.listenerPath: is required with SCMP_ACT_NOTIFY\n',
    ],
    [
      'NOTIFY on write',
      (c) => (c.linux.seccomp.syscalls[0].names = ['mkdir', 'write']),
      'minirun run failed: config.json: linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall\n',
    ],
    [
      'NOTIFY as the default action',
      (c) => (c.linux.seccomp.defaultAction = 'SCMP_ACT_NOTIFY'),
      'minirun run failed: config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action\n',
    ],
    [
      'no agent listening',
      (c) => (c.linux.seccomp.listenerPath = path.join(sb.dir, 'nobody.sock')),
      () =>
        `minirun run failed: linux.seccomp.listenerPath: failed to connect with seccomp agent at ${path.join(sb.dir, 'nobody.sock')}: ENOENT\n`,
    ],
  ];
  for (const [name, edit, message] of bad) {
    it(`fails like runc: ${name}`, () => {
      notifyConfig(['true'], ['mkdir'], { listenerPath: '/run/whatever.sock' });
      sb.edit(edit);
      const { runc, minirun } = sb.runBoth();
      expect(runc.code).not.toBe(0);
      expect(minirun.code).toBe(1);
      expect(minirun.stderr).toBe(typeof message === 'string' ? message : message());
      expect(sb.residue()).toEqual([]);
    });
  }
});
