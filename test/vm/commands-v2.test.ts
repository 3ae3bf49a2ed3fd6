// The cgroup commands on a pure cgroup v2 host, minirun against runc on the
// same bundle: update, events (--stats and an OOM event), `unified` keys and
// the io weight.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsWatching, MINIRUN, statsShape, type Result, type Sandbox } from '../integration/harness';
import { bundle, cgroupGone, inOwnCgroup, noDeviceRules, run, show, RUNTIMES, type Runtime } from './v2';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

const SLEEP = ['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1'];
const cli = (rt: Runtime, args: string[], input?: string): Result =>
  rt === 'runc' ? sb!.runc(args, input) : sb!.minirun(args, input);
const read = (cgroup: string, file: string) => fs.readFileSync(`${cgroup}/${file}`, 'utf8').trim();

describe('cgroup commands on v2', () => {
  it('update writes what runc update writes', async () => {
    const seen: Record<string, string[]> = {};
    sb = await bundle(SLEEP, (c) => (c.linux.resources = { memory: { limit: 67108864 }, pids: { limit: 100 } }));
    for (const rt of RUNTIMES) {
      const { id, cgroup } = inOwnCgroup(sb, rt);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        const files = ['memory.max', 'memory.swap.max', 'pids.max', 'cpu.max', 'cpu.weight'];
        seen[rt] = [];
        for (const args of [
          ['--memory', '32m', '--pids-limit', '20'],
          ['--cpu-quota', '20000', '--cpu-period', '100000', '--cpu-share', '512'],
          ['--memory', '48m', '--memory-swap', '96m'],
        ]) {
          const r = cli(rt, ['update', ...args, id]);
          seen[rt].push(`update ${args.join(' ')}: ${r.code}`, ...files.map((f) => `${f} = ${read(cgroup, f)}`));
        }
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
      expect(cgroupGone(cgroup)).toBe(true);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toContain('memory.max = 33554432');
    expect(seen.minirun).toContain('cpu.max = 20000 100000');
  });

  it("events --stats has runc's JSON shape and the limits", async () => {
    const shapes: Record<string, unknown> = {};
    sb = await bundle(SLEEP, (c) => (c.linux.resources = { memory: { limit: 67108864 }, pids: { limit: 50 } }));
    for (const rt of RUNTIMES) {
      const { id } = inOwnCgroup(sb, rt);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        const r = cli(rt, ['events', '--stats', id]);
        expect(r.code, show(r)).toBe(0);
        const ev = JSON.parse(r.stdout);
        expect(ev.data.memory.usage.limit).toBe(67108864);
        expect(ev.data.pids.limit).toBe(50);
        shapes[rt] = { ...(statsShape(ev) as object), rawKeys: Object.keys(ev.data.memory.raw ?? {}).sort() };
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    expect(shapes.minirun).toEqual(shapes.runc);
  });

  it('events reports an OOM kill, as runc', async () => {
    sb = await bundle(['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'], (c) => {
      noDeviceRules(c);
      c.linux.resources = { memory: { limit: 33554432, swap: 33554432 } };
    });
    /** One container OOM-killed under `events`: the kinds of event seen. */
    const watchOnce = async (rt: Runtime): Promise<string[]> => {
      const { id } = inOwnCgroup(sb!, rt);
      expect(cli(rt, ['create', id]).code).toBe(0);
      try {
        const log = `${sb!.dir}/events-${id}.log`;
        const [bin, args] =
          rt === 'runc'
            ? ['runc', ['--root', sb!.runcRoot]]
            : [MINIRUN, ['--root', sb!.minirunRoot, '--debug', '--log', log]];
        const p = spawn(bin, [...args, 'events', '--interval', '60s', id], {
          env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
        });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        const ended = new Promise<void>((resolve) => p.on('close', () => resolve()));
        const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
        await eventsWatching(p.pid!, rt === 'minirun' ? log : undefined, 60_000); // slow starts in this guest
        expect(cli(rt, ['start', id]).code).toBe(0);
        await ended; // v2: events ends once the cgroup has no process left
        clearTimeout(timer);
        // runc may report one OOM once or twice (memory.events changes for oom and for oom_kill): compare the kinds
        return [
          ...new Set(
            out
              .trim()
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l).type),
          ),
        ].sort();
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    };
    const types: Record<string, string[]> = {};
    // runc 1.1.5 can miss it on v2: it stops watching when cgroup.events says
    // empty, and the kernel may hold back memory.events' oom_kill notification
    // (rate-limited) until after that. So runc gets three tries; minirun one.
    for (let i = 0; i < 3 && !types.runc?.includes('oom'); i++) types.runc = await watchOnce('runc');
    types.minirun = await watchOnce('minirun');
    expect(types.minirun).toEqual(types.runc);
    expect(types.minirun).toContain('oom');
  });

  it('unified keys are written verbatim; an absent controller is an error, as with runc', async () => {
    sb = await bundle(
      ['sh', '-c', 'cat /sys/fs/cgroup$(sed s/^0:://  /proc/self/cgroup)/pids.max'],
      (c) => (c.linux.resources.unified = { 'pids.max': '7' }),
    );
    for (const rt of RUNTIMES) {
      const r = run(sb, rt);
      expect(r.res.stdout, show(r.res)).toBe('7\n');
      expect(cgroupGone(r.cgroup)).toBe(true);
    }
    sb.edit((c) => (c.linux.resources.unified = { 'nosuch.max': '1' }));
    const codes = RUNTIMES.map((rt) => run(sb!, rt).res);
    expect(codes[0].code).not.toBe(0);
    expect(codes[1].code).toBe(1);
    expect(codes[1].stderr).toMatch(
      /^minirun run failed: linux\.resources: nosuch\.max: the nosuch controller is not available on this host/,
    );
  });

  it('a blkio weight becomes io.bfq.weight or io.weight, as runc converts it', async () => {
    sb = await bundle(
      [
        'sh',
        '-c',
        'd=/sys/fs/cgroup$(sed s/^0:://  /proc/self/cgroup); cat $d/io.bfq.weight 2>/dev/null || cat $d/io.weight',
      ],
      (c) => {
        c.linux.resources.blockIO = { weight: 500 };
      },
    );
    const outs = RUNTIMES.map((rt) => run(sb!, rt).res);
    expect(outs[1].stdout, show(outs[1])).toBe(outs[0].stdout);
    expect(outs[1].code).toBe(0);
  });
});

describe('every v2 file minirun writes holds what runc writes', () => {
  it("pids, memory, io, cpu, cpuset (the list comes from the runtime's own table)", async () => {
    const { v2ResourceWrites } = await import('../../src/cgroups/resources-v2');
    const { parseJson } = await import('../../src/config/json');
    const { readResources } = await import('../../src/config/validate');
    const resources = {
      pids: { limit: 50 },
      memory: { limit: 67108864, swap: 134217728, reservation: 33554432 },
      blockIO: { weight: 300 },
      cpu: { shares: 512, quota: 20000, period: 50000, cpus: '0', mems: '0' },
    };
    const files = [
      ...new Set(
        v2ResourceWrites(readResources(parseJson(JSON.stringify(resources)), 'linux.resources')).map((w) => w.file),
      ),
    ];
    expect(files).toEqual(
      expect.arrayContaining([
        'pids.max',
        'memory.max',
        'memory.swap.max',
        'memory.low',
        'cpu.weight',
        'cpu.max',
        'cpuset.cpus',
      ]),
    );
    sb = await bundle(SLEEP, (c) => (c.linux.resources = { ...c.linux.resources, ...resources }));
    const values: Record<string, string[]> = {};
    for (const rt of RUNTIMES) {
      const { id, cgroup } = inOwnCgroup(sb, rt);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        // io.bfq.weight exists only with the bfq scheduler: the io.weight fallback is read then
        values[rt] = files.map(
          (f) =>
            `${f} = ${fs.existsSync(`${cgroup}/${f}`) ? read(cgroup, f) : `(none) io.weight = ${read(cgroup, 'io.weight')}`}`,
        );
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    expect(values.minirun).toEqual(values.runc);
    expect(values.minirun).toContain('cpu.max = 20000 50000');
  });
});
