// containerd's runc shim driving minirun (ctr run --runc-binary), compared
// with runc through the same shim. containerd runs on private paths.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { have, startContainerd, tool } from './engines';
import { isRoot, MINIRUN, Sandbox, uniqueId } from './harness';

const suite =
  isRoot && ['containerd', 'ctr', 'umoci', 'runc', 'containerd-shim-runc-v2'].every(have) ? describe : describe.skip;
const IMAGE = 'docker.io/library/minirun-fixture:latest';
const TOOLS = path.resolve(__dirname, '../tools');
// A containerd namespace of our own: it is also the parent of the containers' cgroups, removed afterwards.
const NS = `minirun-test-${process.pid}`;

suite('containerd (ctr) drives minirun as it drives runc', () => {
  let sb: Sandbox;
  let daemon: ChildProcess;
  let sock: string;

  const sh = (cmd: string, args: string[], input = '') => tool(cmd, args, { timeout: 60_000, input });
  const ctr = (args: string[]) => sh('ctr', ['-a', sock, '-n', NS, ...args]);
  const runtimes = () =>
    [
      ['minirun', MINIRUN],
      ['runc', 'runc'],
    ] as const;

  beforeAll(async () => {
    sb = await Sandbox.create();
    let d: string;
    ({ dir: d, sock, daemon } = await startContainerd(sb, { cri: true, waitMs: 10_000 }));
    // An OCI image of the fixture rootfs, built with umoci.
    const img = path.join(d, 'img');
    const unpacked = path.join(d, 'unpacked');
    for (const args of [
      ['init', '--layout', img],
      ['new', '--image', `${img}:latest`],
      ['unpack', '--image', `${img}:latest`, unpacked],
    ]) {
      expect(sh('umoci', args).code).toBe(0);
    }
    expect(sh('cp', ['-a', `${sb.bundle}/rootfs/.`, `${unpacked}/rootfs/`]).code).toBe(0);
    expect(sh('umoci', ['repack', '--image', `${img}:latest`, unpacked]).code).toBe(0);
    expect(sh('tar', ['-C', img, '-cf', `${img}.tar`, '.']).code).toBe(0);
    expect(ctr(['images', 'import', '--base-name', 'docker.io/library/minirun-fixture', `${img}.tar`]).code).toBe(0);
  }, 120_000);

  afterAll(() => {
    daemon?.kill('SIGTERM');
    for (const h of fs.readdirSync('/sys/fs/cgroup')) {
      try {
        fs.rmdirSync(path.join('/sys/fs/cgroup', h, NS));
      } catch {
        // not made in this hierarchy
      }
    }
    sb?.cleanup();
  });

  it('run --rm: output and exit status', () => {
    const outs = runtimes().map(([name, bin]) =>
      ctr(['run', '--rm', '--runc-binary', bin, IMAGE, uniqueId(`ctr-${name}`), 'sh', '-c', 'echo hello; id; exit 3']),
    );
    expect(outs[0].stdout).toBe(outs[1].stdout);
    expect(outs[0].code).toBe(3);
    expect(outs[1].code).toBe(3);
  });

  it('run --detach, task exec, task ps, task kill, task delete', () => {
    for (const [name, bin] of runtimes()) {
      const id = uniqueId(`ctr-${name}`);
      expect(ctr(['run', '-d', '--runc-binary', bin, IMAGE, id, 'sleep', '300']).code).toBe(0);
      try {
        // ctr 1.6.20 closes a process's IO on delete without waiting for the copy to end (containerd
        // #8643 fixed it later), whatever the runtime: a pause before the exit lets the output through
        const ex = ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo exec-ok; sleep 0.5; exit 4']);
        expect([ex.stdout, ex.code], `${name}: ${ex.stderr}`).toEqual(['exec-ok\n', 4]);
        const tty = sh('python3', [
          path.join(TOOLS, 'in-pty.py'),
          '',
          'ctr',
          '-a',
          sock,
          '-n',
          NS,
          'task',
          'exec',
          '-t',
          '--exec-id',
          'e2',
          id,
          'sh',
          '-c',
          '/bin/probe isatty 0; exit 6',
        ]);
        // (ctr itself may log a resize race after the exec ends; that is ctr's.)
        expect([tty.stdout.replace(/\r/g, '').split('\n')[0], tty.code]).toEqual(['tty', 6]);
        expect(ctr(['task', 'ps', id]).stdout.trim().split('\n')).toHaveLength(2);
        expect(ctr(['task', 'pause', id]).code).toBe(0);
        expect(ctr(['task', 'ls']).stdout).toMatch(new RegExp(`${id}\\s+\\d+\\s+PAUSED`));
        expect(ctr(['task', 'resume', id]).code).toBe(0);
        expect(ctr(['task', 'ls']).stdout).toMatch(new RegExp(`${id}\\s+\\d+\\s+RUNNING`));
        expect(ctr(['task', 'kill', '-s', 'SIGKILL', id]).code).toBe(0);
        for (let i = 0; i < 100 && !ctr(['task', 'ls']).stdout.includes('STOPPED'); i++)
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        expect(ctr(['task', 'delete', id]).code).toBe(0);
      } finally {
        ctr(['task', 'delete', '-f', id]);
        ctr(['containers', 'rm', id]);
      }
    }
  });

  it("run --memory-limit: the limit is set on the container's memory cgroup, and task metrics shows it", () => {
    const outs = runtimes().map(([name, bin]) => {
      const id = uniqueId(`ctr-${name}`);
      expect(
        ctr(['run', '-d', '--memory-limit', '67108864', '--runc-binary', bin, IMAGE, id, '/bin/probe', 'pause']).code,
      ).toBe(0);
      try {
        const inside = ctr([
          'task',
          'exec',
          '--exec-id',
          'm',
          id,
          'sh',
          '-c',
          // the pause: ctr 1.6.20's IO race on a quick exit (see the exec test above)
          'grep memory /proc/self/cgroup; ls /sys/fs/cgroup/memory | wc -l; sleep 0.5',
        ]);
        const host = fs.readFileSync(`/sys/fs/cgroup/memory/${NS}/${id}/memory.limit_in_bytes`, 'utf8');
        // ctr task metrics: the shim's stats of the task (its cgroup), here the memory limit row
        const metrics = ctr(['task', 'metrics', id]);
        const limitRow = metrics.stdout
          .split('\n')
          .find((l) => /^memory\.limit_in_bytes\s/.test(l))
          ?.replace(/\s+/g, ' ')
          .trim();
        return { host, inside: inside.stdout.replace(id, 'ID'), metrics: [metrics.code, limitRow] };
      } finally {
        ctr(['task', 'kill', '-s', 'SIGKILL', id]);
        for (let i = 0; i < 100 && ctr(['task', 'delete', id]).code !== 0; i++)
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        ctr(['containers', 'rm', id]);
      }
    });
    expect(outs[1].host).toBe('67108864\n');
    expect(outs[1].metrics).toEqual([0, 'memory.limit_in_bytes 67108864']);
    expect(outs[1].inside).toMatch(new RegExp(`^\\d+:memory:/${NS}/ID\\n\\d+\\n$`));
    expect(outs[0]).toEqual(outs[1]);
  });

  it('run --tty', () => {
    const outs = runtimes().map(([name, bin]) => {
      const r = sh('python3', [
        path.join(TOOLS, 'in-pty.py'),
        'echo typed-$((6*7))\nexit 5\n',
        'ctr',
        '-a',
        sock,
        '-n',
        NS,
        'run',
        '--rm',
        '-t',
        '--runc-binary',
        bin,
        IMAGE,
        uniqueId(`ctr-${name}`),
        'sh',
      ]);
      return { code: r.code, answer: r.stdout.includes('typed-42') };
    });
    expect(outs[0]).toEqual({ code: 5, answer: true });
    expect(outs[1]).toEqual(outs[0]);
  });
});
