// create/start/state/kill/delete/list driven through minirun and runc in the
// same sequences: the same exit status and state after every step.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_LINE, hasRunc, isRoot, Sandbox, uniqueId, type Result } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;
type Runtime = 'minirun' | 'runc';
const RUNTIMES: Runtime[] = ['minirun', 'runc'];

suite('lifecycle matches runc', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', 'exec sleep 30 </dev/null >/dev/null 2>&1']);
  });
  afterAll(() => sb?.cleanup());

  const cli = (rt: Runtime, args: string[]): Result => (rt === 'minirun' ? sb.minirun(args) : sb.runc(args));
  const status = (rt: Runtime, id: string): string => {
    const r = cli(rt, ['state', id]);
    return r.code === 0 ? JSON.parse(r.stdout).status : 'absent';
  };

  /** Runs each step on both runtimes; returns [exit code, status after] per step. */
  function trace(steps: (id: string) => string[][]): Record<Runtime, [number | null, string][]> {
    const out = { minirun: [], runc: [] } as Record<Runtime, [number | null, string][]>;
    const base = uniqueId('lc');
    for (const rt of RUNTIMES) {
      const id = `${base}-${rt}`;
      try {
        for (const step of steps(id)) {
          const r = cli(rt, step);
          if (r.code !== 0 && rt === 'minirun') expect(r.stderr).toMatch(ERROR_LINE);
          out[rt].push([r.code, status(rt, id)]);
        }
      } finally {
        cli(rt, ['delete', '--force', id]);
      }
    }
    return out;
  }

  it('create, start, kill, delete', () => {
    const t = trace((id) => [
      ['create', id],
      ['start', id],
      ['kill', id, 'KILL'],
      ['delete', id],
    ]);
    // Right after SIGKILL the process may or may not be gone yet, in either runtime.
    for (const rt of RUNTIMES) if (['running', 'stopped'].includes(t[rt][2][1])) t[rt][2][1] = 'running or stopped';
    expect(t.minirun).toEqual(t.runc);
    expect(t.runc.map(([, s]) => s)).toEqual(['created', 'running', expect.any(String), 'absent']);
  });

  it('wrong-state operations are refused as runc refuses them', () => {
    const t = trace((id) => [
      ['start', id],
      ['create', id],
      ['create', id],
      ['delete', id],
      ['create', id],
      ['start', id],
      ['start', id],
      ['delete', id],
      ['kill', id, '9'],
      ['kill', id, '9'],
      ['start', id],
      ['delete', id],
      ['delete', id],
      ['kill', id],
    ]);
    expect(t.minirun).toEqual(t.runc);
  });

  it('pause and resume, in and out of order, as runc', () => {
    const t = trace((id) => [
      ['create', id],
      ['pause', id],
      ['start', id],
      ['resume', id],
      ['pause', id],
      ['pause', id],
      ['start', id],
      ['delete', id],
      ['kill', id, 'TERM'],
      ['resume', id],
      ['resume', id],
      ['pause', id],
      ['delete', '--force', id],
      ['pause', id],
    ]);
    expect(t.minirun).toEqual(t.runc);
  });

  it('a paused container does not run', () => {
    sb.setArgs(['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.01; done']);
    sb.edit((c) => (c.root.readonly = false));
    const id = uniqueId('frz');
    try {
      expect(sb.minirun(['run', '-d', id]).code).toBe(0);
      const count = () => Number(fs.readFileSync(path.join(sb.bundle, 'rootfs/tmp/count'), 'utf8') || 0);
      const wait = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      wait(200);
      expect(sb.minirun(['pause', id]).code).toBe(0);
      const frozenAt = count();
      wait(300);
      expect(count()).toBe(frozenAt);
      expect(sb.minirun(['resume', id]).code).toBe(0);
      // The loop truncates the file before each write: read until it has moved on.
      let now = count();
      for (let i = 0; i < 100 && now <= frozenAt; i++) now = (wait(30), count());
      expect(now).toBeGreaterThan(frozenAt);
    } finally {
      sb.minirun(['delete', '-f', id]);
      sb.setArgs(['sh', '-c', 'exec sleep 30 </dev/null >/dev/null 2>&1']);
      sb.edit((c) => (c.root.readonly = true));
    }
  });

  it('kill with signal names and numbers', () => {
    const t = trace((id) => [
      ['create', id],
      ['kill', id, 'SIGUSR1'],
      ['kill', id, 'usr2'],
      ['kill', id, 'NOSIG'],
      ['kill', id, '15'],
    ]);
    expect(t.minirun.map(([c]) => c)).toEqual(t.runc.map(([c]) => c));
  });

  it('create leaves no minirun process behind and writes the pid file', () => {
    const id = uniqueId('pf');
    const pidFile = path.join(sb.dir, `${id}.pid`);
    try {
      expect(cli('minirun', ['create', '--pid-file', pidFile, id]).code).toBe(0);
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      expect(JSON.parse(cli('minirun', ['state', id]).stdout).pid).toBe(pid);
      const parent = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      // Reparented: to init or a subreaper, never to a minirun process that stayed.
      const parentCmd = parent === 1 ? 'init' : fs.readFileSync(`/proc/${parent}/cmdline`, 'utf8');
      expect(parentCmd).not.toMatch(/minirun/);
      expect(fs.statSync(path.join(sb.minirunRoot, id, 'exec.fifo')).mode & 0o777).toBe(0o622);
    } finally {
      cli('minirun', ['delete', '--force', id]);
    }
    expect(sb.residue()).toEqual([]);
  });

  it('list in both formats has runc shape', () => {
    const id = uniqueId('ls');
    for (const rt of RUNTIMES) expect(cli(rt, ['create', `${id}-${rt}`]).code).toBe(0);
    try {
      const json = (rt: Runtime) =>
        JSON.parse(cli(rt, ['list', '--format', 'json']).stdout).map((c: Record<string, unknown>) => ({
          ...c,
          id: String(c.id).replace(`-${rt}`, ''),
          pid: typeof c.pid,
          created: typeof c.created,
        }));
      expect(json('minirun')).toEqual(json('runc'));
      const header = (rt: Runtime) => cli(rt, ['list']).stdout.split('\n')[0].split(/\s+/);
      expect(header('minirun')).toEqual(header('runc'));
      expect(cli('minirun', ['list', '-q']).stdout.replace('-minirun', '')).toBe(
        cli('runc', ['list', '-q']).stdout.replace('-runc', ''),
      );
    } finally {
      for (const rt of RUNTIMES) cli(rt, ['delete', '--force', `${id}-${rt}`]);
    }
    expect(cli('minirun', ['list', '-f', 'json']).stdout).toBe('null\n');
  });
});

suite('ps, kill --all, features', () => {
  let sb: Sandbox;
  // One id per runtime: the same id would put both containers in one cgroup.
  const base = uniqueId('ps');
  const ids: Record<Runtime, string> = { minirun: `${base}-m`, runc: `${base}-r` };
  const id = ids.minirun;
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', 'sleep 300 & exec sleep 301 </dev/null >/dev/null 2>&1']);
    expect(sb.minirun(['run', '-d', ids.minirun]).code).toBe(0);
    expect(sb.runc(['run', '-d', ids.runc]).code).toBe(0);
  });
  afterAll(() => {
    sb?.runc(['delete', '-f', ids.runc]);
    sb?.minirun(['delete', '-f', ids.minirun]);
    sb?.cleanup();
  });

  const commands = (r: Result) =>
    r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/).slice(1).join(' '));

  it('ps lists the container processes like runc', () => {
    for (const args of [[], ['-o', 'pid,comm'], ['-o', 'user,pid,args']]) {
      const runc = sb.runc(['ps', ids.runc, ...args]);
      const minirun = sb.minirun(['ps', ids.minirun, ...args]);
      expect(minirun.stdout.split('\n')[0]).toBe(runc.stdout.split('\n')[0]);
      expect(minirun.stdout.trim().split('\n')).toHaveLength(3);
      expect(minirun.code).toBe(0);
    }
    const json = JSON.parse(sb.minirun(['ps', '--format', 'json', id]).stdout);
    expect(json).toHaveLength(2);
    expect(commands(sb.minirun(['ps', id, '-o', 'pid,args'])).sort()).toEqual(['sleep 300', 'sleep 301']);
    expect(sb.minirun(['ps', 'no-such-container']).code).toBe(sb.runc(['ps', 'no-such-container']).code);
    // Without a PID column nothing can be matched: both refuse.
    expect(sb.minirun(['ps', ids.minirun, '-o', 'comm']).code).toBe(1);
    expect(sb.runc(['ps', ids.runc, '-o', 'comm']).code).toBe(1);
  });

  it('kill --all reaches every process, then ps is empty', () => {
    for (const rt of RUNTIMES) {
      const cli = (a: string[]) => (rt === 'minirun' ? sb.minirun(a) : sb.runc(a));
      expect(cli(['kill', '--all', ids[rt], 'KILL']).code).toBe(0);
      let left = '';
      for (let i = 0; i < 100; i++) {
        left = cli(['ps', '-f', 'json', ids[rt]]).stdout;
        if (left === 'null\n') break;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
      expect(left).toBe('null\n');
    }
  });

  it('features has runc keys and claims only what minirun does', () => {
    const mine = JSON.parse(sb.minirun(['features']).stdout);
    const runc = JSON.parse(sb.runc(['features']).stdout);
    expect(Object.keys(mine).sort()).toEqual(Object.keys(runc).sort());
    // runc 1.1.5's keys, and the newer runtime-spec Features ones for what minirun adds
    expect(Object.keys(mine.linux).sort()).toEqual(
      [...Object.keys(runc.linux), 'intelRdt', 'memoryPolicy', 'netDevices'].sort(),
    );
    expect(mine.linux.seccomp.enabled).toBe(true);
    expect(mine.linux.seccomp.actions).toEqual(runc.linux.seccomp.actions);
    expect(mine.linux.seccomp.operators).toEqual(runc.linux.seccomp.operators);
    expect(mine.linux.seccomp.archs).toEqual(expect.arrayContaining(runc.linux.seccomp.archs));
    expect(mine.linux.selinux.enabled).toBe(false);
    expect(mine.mountOptions).toEqual(expect.arrayContaining(['rro', 'rnosymfollow', 'idmap', 'ridmap']));
    expect(mine.mountOptions).toContain('tmpcopyup');
    expect(mine.linux.namespaces).toContain('time');
  });
});

suite('concurrency and leaks', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1']);
  });
  afterAll(() => sb?.cleanup());

  it('two creates of one id at once: exactly one wins', async () => {
    const id = uniqueId('race');
    const { spawn } = await import('node:child_process');
    const { MINIRUN } = await import('./harness');
    const start = () =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const c = spawn(MINIRUN, ['--root', sb.minirunRoot, 'create', '--bundle', sb.bundle, id], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('exit', (code) => resolve({ code, err }));
      });
    try {
      const results = await Promise.all([start(), start(), start()]);
      expect(results.filter((r) => r.code === 0)).toHaveLength(1);
      for (const r of results.filter((x) => x.code !== 0))
        expect(r.err).toBe(`minirun create failed: container with id exists: ${id}\n`);
    } finally {
      sb.minirun(['delete', '-f', id]);
    }
    expect(sb.residue()).toEqual([]);
  });

  it('200 create/start/kill/delete cycles leave nothing behind', () => {
    for (let i = 0; i < 200; i++) {
      const id = uniqueId('cycle');
      for (const step of [
        ['create', id],
        ['start', id],
        ['kill', id, 'KILL'],
        ['delete', '--force', id],
      ]) {
        const r = sb.minirun(step);
        if (r.code !== 0) throw new Error(`cycle ${i}: ${step.join(' ')}: ${r.stderr}`);
      }
    }
    expect(sb.residue()).toEqual([]);
    expect(fs.readdirSync(sb.minirunRoot)).toEqual([]);
    // No cgroup of these containers is left in any hierarchy (other tests run meanwhile: look only for ours).
    const ours = `cycle-${process.pid}-`;
    const left = fs.readdirSync('/sys/fs/cgroup').flatMap((h) => {
      try {
        return fs
          .readdirSync(`/sys/fs/cgroup/${h}`)
          .filter((d) => d.startsWith(ours))
          .map((d) => `${h}/${d}`);
      } catch {
        return [];
      }
    });
    expect(left).toEqual([]);
  }, 300_000);
});
