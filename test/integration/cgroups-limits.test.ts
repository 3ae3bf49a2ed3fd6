// Resource limits doing what they are for, each compared with runc on the
// same bundle (cgroup v1 host): the OOM killer with `events`, a CPU quota,
// a device outside the allow-list, freeze/thaw, `update` and `events --stats`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsWatching, hasRunc, isRoot, MINIRUN, Sandbox, statsShape, uniqueId, type Result } from './harness';

const v1 = fs.existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
const suite = isRoot && hasRunc && v1 ? describe : describe.skip;

type Runtime = 'runc' | 'minirun';
const RUNTIMES: Runtime[] = ['runc', 'minirun'];

/** The container init's cgroup directory for a v1 controller. */
function cgroupDir(pid: number, controller: string): string {
  const line = fs
    .readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[1].split(',').includes(controller))!;
  return `/sys/fs/cgroup/${controller}${line.split(':')[2]}`;
}

/** The whole disk (major, minor) a path is on: a partition's parent, as blkio rules want. */
function diskOf(p: string): { major: number; minor: number } {
  const dev = fs.statSync(p).dev;
  const id = `${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | (Math.floor(dev / 4096) & 0xfff00)}`;
  const sys = `/sys/dev/block/${id}`;
  const whole = fs.existsSync(`${sys}/partition`) ? fs.readFileSync(`${sys}/../dev`, 'utf8').trim() : id;
  const [major, minor] = whole.split(':').map(Number);
  return { major, minor };
}

suite('cgroup limits at work, as with runc', () => {
  let sb: Sandbox;
  const cli = (rt: Runtime, args: string[], input?: string): Result =>
    rt === 'runc' ? sb.runc(args, input) : sb.minirun(args, input);
  const pidOf = (rt: Runtime, id: string): number => JSON.parse(cli(rt, ['state', id]).stdout).pid;

  beforeEach(async () => {
    sb = await Sandbox.create(['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1']);
  });
  afterEach(() => sb.cleanup());

  /** `events` of either runtime in the background: `watching` once it watches for OOM kills, `output` once it ends. */
  function eventsOf(rt: Runtime, id: string): { watching: Promise<void>; output: Promise<string> } {
    const log = path.join(sb.dir, `events-${id}.log`);
    const [bin, args] =
      rt === 'runc'
        ? ['runc', ['--root', sb.runcRoot]]
        : [MINIRUN, ['--root', sb.minirunRoot, '--debug', '--log', log]];
    const p = spawn(bin, [...args, 'events', '--interval', '60s', id], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    const output = new Promise<string>((resolve) =>
      p.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      }),
    );
    return { watching: eventsWatching(p.pid!, rt === 'minirun' ? log : undefined), output };
  }

  it('a 32 MiB memory limit OOM-kills a 64 MiB allocation: status 137 and an oom event', async () => {
    sb.edit((c) => {
      c.process.args = ['probe', 'alloc', '64'];
      c.linux.resources = { memory: { limit: 33554432, swap: 33554432 } };
    });
    const seen: Record<string, unknown> = {};
    for (const rt of RUNTIMES) {
      const id = uniqueId(`oom-${rt}`);
      // create, start events, then start: the allocation happens while events watches
      expect(cli(rt, ['create', id]).code).toBe(0);
      try {
        const events = eventsOf(rt, id);
        await events.watching;
        expect(cli(rt, ['start', id]).code).toBe(0);
        const pid = pidOf(rt, id);
        for (
          let i = 0;
          i < 200 &&
          fs.existsSync(`/proc/${pid}/stat`) &&
          !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z');
          i++
        ) {
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(JSON.parse(cli(rt, ['state', id]).stdout).status).toBe('stopped');
        expect(cli(rt, ['delete', id]).code).toBe(0);
        const lines = (await events.output)
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        seen[rt] = lines.map((e) => ({ type: e.type, id: e.id === id }));
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toContainEqual({ type: 'oom', id: true });
    // and through `run`: the status the user sees
    const { runc, minirun } = sb.runBoth();
    expect(minirun.code).toBe(runc.code);
    expect(minirun.code).toBe(137);
    expect(sb.residue()).toEqual([]);
  });

  it('a CPU quota of 10000/100000 keeps a busy loop near 10% of a core', () => {
    sb.edit((c) => {
      c.process.args = ['probe', 'spin', '10'];
      c.linux.resources = { cpu: { quota: 10000, period: 100000 } };
    });
    const share: Record<string, number> = {};
    for (const rt of RUNTIMES) {
      const id = uniqueId(`cpu-${rt}`);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        const pid = pidOf(rt, id);
        const dir = cgroupDir(pid, 'cpuacct');
        const cpuDir = cgroupDir(pid, 'cpu');
        const t0 = process.hrtime.bigint();
        const u0 = BigInt(fs.readFileSync(`${dir}/cpuacct.usage`, 'utf8').trim());
        // 1.5 s of the spin's wall clock, then the usage
        const deadline = Date.now() + 1500;
        while (Date.now() < deadline) {
          /* busy-wait on purpose: no async here */
        }
        const used = BigInt(fs.readFileSync(`${dir}/cpuacct.usage`, 'utf8').trim()) - u0;
        share[rt] = Number(used) / Number(process.hrtime.bigint() - t0);
        const throttled = fs.readFileSync(`${cpuDir}/cpu.stat`, 'utf8');
        expect(Number(/nr_throttled (\d+)/.exec(throttled)![1])).toBeGreaterThan(0);
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    for (const rt of RUNTIMES) {
      expect(share[rt]).toBeGreaterThan(0.03);
      expect(share[rt]).toBeLessThan(0.2);
    }
  });

  it('a device outside the allow-list cannot be opened (EPERM), the defaults can', () => {
    sb.edit((c) => {
      // /dev/mem's numbers under another name: the node exists, the cgroup denies it
      c.linux.devices = [{ path: '/dev/xmem', type: 'c', major: 1, minor: 1, fileMode: 0o600 }];
      c.process.args = ['sh', '-c', 'probe open /dev/xmem; probe open /dev/null'];
    });
    const { runc, minirun } = sb.runBoth();
    expect(minirun).toEqual(runc);
    expect(minirun.stdout).toBe('EPERM\nok\n');
  });

  it('pause stops a counting loop and resume lets it go on', async () => {
    sb.edit((c) => (c.process.args = ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i >> /dev/shm/n; done']));
    const count = (rt: Runtime, id: string) =>
      Number(cli(rt, ['exec', id, 'wc', '-l', '/dev/shm/n']).stdout.trim().split(/\s+/)[0] || '0');
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (const rt of RUNTIMES) {
      const id = uniqueId(`frz-${rt}`);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        await sleep(200);
        expect(cli(rt, ['pause', id]).code).toBe(0);
        const state = fs.readFileSync(`${cgroupDir(pidOf(rt, id), 'freezer')}/freezer.state`, 'utf8').trim();
        expect(state).toBe('FROZEN');
        const frozen = fs.readFileSync(`/proc/${pidOf(rt, id)}/stat`, 'utf8');
        await sleep(300);
        // a frozen process gets no CPU time: utime+stime stay as they were
        const after = fs.readFileSync(`/proc/${pidOf(rt, id)}/stat`, 'utf8');
        const cpu = (s: string) => s.split(') ')[1].split(' ').slice(11, 13).join(' ');
        expect(cpu(after)).toBe(cpu(frozen));
        expect(cli(rt, ['resume', id]).code).toBe(0);
        const a = count(rt, id);
        await sleep(300);
        expect(count(rt, id)).toBeGreaterThan(a);
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
  });

  it('update changes a running container as runc update does (flags and -r)', () => {
    sb.edit((c) => (c.linux.resources = { memory: { limit: 67108864 }, cpu: { shares: 1024 }, pids: { limit: 100 } }));
    const files = [
      'memory/memory.limit_in_bytes',
      'memory/memory.memsw.limit_in_bytes',
      'memory/memory.soft_limit_in_bytes',
      'cpu/cpu.shares',
      'cpu/cpu.cfs_quota_us',
      'cpu/cpu.cfs_period_us',
      'pids/pids.max',
      'cpuset/cpuset.cpus',
      'memory/memory.swappiness',
    ];
    const steps: [string[], string?][] = [
      [['--memory', '32m']],
      [['--memory', '48M', '--memory-swap', '96m', '--memory-reservation', '16m']],
      [['--cpu-share', '512', '--cpu-quota', '20000']],
      [['--cpu-period', '50000', '--pids-limit', '20', '--cpuset-cpus', '0']],
      [['-r', '-'], '{"memory": {"limit": 50000000}, "cpu": {"shares": 256}, "pids": {"limit": 30}}'],
      [['--pids-limit', '-1', '--memory', '-1']],
      // an empty size is not given; kernel memory is ignored with a warning
      [['--memory', '', '--pids-limit', '40']],
      [['-r', '-'], '{"memory": {"kernel": 1048576, "limit": 40000000}}'],
      // -r takes only what runc takes from it: swappiness is ignored there
      [['-r', '-'], '{"memory": {"swappiness": 10}, "pids": {"limit": 45}}'],
    ];
    const seen: Record<string, string[]> = {};
    for (const rt of RUNTIMES) {
      const id = uniqueId(`upd-${rt}`);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        const pid = pidOf(rt, id);
        seen[rt] = [];
        for (const [args, input] of steps) {
          const r = cli(rt, ['update', ...args, id], input);
          seen[rt].push(
            `update ${args.join(' ')}: ${r.code}${/Kernel memory settings are ignored/.test(r.stderr) ? ' (kernel memory warning)' : ''}`,
          );
          for (const f of files) {
            const [ctrl, file] = f.split('/');
            seen[rt].push(`${f} = ${fs.readFileSync(`${cgroupDir(pid, ctrl)}/${file}`, 'utf8').trim()}`);
          }
        }
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toContain('memory/memory.limit_in_bytes = 33554432');
    expect(seen.minirun).toContain('update -r -: 0 (kernel memory warning)');
    expect(seen.minirun).toContain('pids/pids.max = 45');
    expect(sb.residue()).toEqual([]);
  });

  it('update refuses what runc refuses (stopped container, bad values, below usage)', () => {
    const id = uniqueId('updbad');
    const codes: Record<string, (number | null)[]> = {};
    const errs: string[] = [];
    for (const rt of RUNTIMES) {
      const cid = `${id}-${rt}`;
      codes[rt] = [];
      expect(cli(rt, ['run', '-d', cid]).code).toBe(0);
      try {
        for (const args of [
          ['--memory', 'lots'],
          ['--pids-limit', 'x'],
          ['--cpu-share', '-5'],
          ['-r', '/nonexistent.json'],
          ['--memory', '1k'],
          ['--cpu-share', '1'],
        ]) {
          const r = cli(rt, ['update', ...args, cid]);
          codes[rt].push(r.code);
          if (rt === 'minirun') errs.push(r.stderr);
        }
        // memory is written first: its failure leaves cpu and pids as they were (runc's order)
        const before = ['cpu/cpu.shares', 'pids/pids.max'].map((f) =>
          fs.readFileSync(`${cgroupDir(pidOf(rt, cid), f.split('/')[0])}/${f.split('/')[1]}`, 'utf8').trim(),
        );
        codes[rt].push(cli(rt, ['update', '--cpu-share', '512', '--pids-limit', '33', '--memory', '1k', cid]).code);
        const after = ['cpu/cpu.shares', 'pids/pids.max'].map((f) =>
          fs.readFileSync(`${cgroupDir(pidOf(rt, cid), f.split('/')[0])}/${f.split('/')[1]}`, 'utf8').trim(),
        );
        expect(`${rt}: ${after.join(' ')}`).toBe(`${rt}: ${before.join(' ')}`);
        const r = cli(rt, ['update', '-r', '-', cid], '{"memory": {"limit": "x"}}');
        codes[rt].push(r.code);
        if (rt === 'minirun') errs.push(r.stderr);
        cli(rt, ['kill', cid, 'KILL']);
        for (let i = 0; i < 100 && JSON.parse(cli(rt, ['state', cid]).stdout).status !== 'stopped'; i++)
          fs.readdirSync('/proc');
        const s = cli(rt, ['update', '--memory', '32m', cid]);
        codes[rt].push(s.code);
        if (rt === 'minirun') errs.push(s.stderr);
        codes[rt].push(cli(rt, ['update', '--memory', '32m', `${cid}-none`]).code);
      } finally {
        cli(rt, ['delete', '-f', cid]);
      }
    }
    expect(codes.minirun).toEqual(codes.runc);
    for (const e of errs) expect(e).toMatch(/^minirun: [^\n]+\n$/);
    expect(errs[0]).toContain('--memory');
    expect(errs[4]).toMatch(
      /^minirun: cgroup: cannot set the memory limit to 1024: the container uses \d+ bytes \(peak \d+\)\n$/,
    );
    expect(errs[5]).toBe(
      'minirun: update: linux.resources.cpu.shares: 1 is below the minimum of 2 (runc: "the minimum allowed cpu-shares is 2")\n',
    );
    expect(errs[6]).toContain('--resources -: memory.limit');
    expect(errs[7]).toContain('not running');
    expect(sb.residue()).toEqual([]);
  });

  it('events --stats reports what runc reports, in the same JSON shape', () => {
    // v1 blkio counts a device's I/O in the throttle files only while that device has a throttle rule
    // (this kernel): a generous read limit on the rootfs's disk makes the direct read below show up
    const disk = diskOf(sb.bundle);
    sb.edit(
      (c) =>
        (c.linux.resources = {
          memory: { limit: 67108864 },
          pids: { limit: 50 },
          blockIO: { throttleReadBpsDevice: [{ ...disk, rate: 1 << 30 }] },
        }),
    );
    const shapes: Record<string, unknown> = {};
    for (const rt of RUNTIMES) {
      const id = uniqueId(`ev-${rt}`);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        // a direct read reaches the disk whatever the page cache holds: blkio has entries
        expect(
          cli(rt, ['exec', id, 'dd', 'if=/bin/busybox', 'of=/dev/null', 'bs=4096', 'count=16', 'iflag=direct']).code,
        ).toBe(0);
        const r = cli(rt, ['events', '--stats', id]);
        expect(r.code).toBe(0);
        const ev = JSON.parse(r.stdout);
        const blkio = ev.data.blkio as Record<string, { op?: string }[]>;
        shapes[`${rt} blkio`] = Object.entries(blkio).map(([k, v]) => `${k}: ${v.map((e) => e.op ?? '').join(' ')}`);
        expect(ev.type).toBe('stats');
        expect(ev.id).toBe(id);
        expect(ev.data.memory.usage.limit).toBe(67108864);
        expect(ev.data.pids.limit).toBe(50);
        expect(ev.data.pids.current).toBeGreaterThanOrEqual(1);
        shapes[rt] = { ...(statsShape(ev) as object), rawKeys: Object.keys(ev.data.memory.raw).sort() };
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    // (blkio and cache depend on what the container happened to read from disk)
    expect(shapes.minirun).toEqual(shapes.runc);
    expect(shapes['minirun blkio']).toEqual(shapes['runc blkio']);
    expect((shapes['minirun blkio'] as string[]).length).toBeGreaterThan(0);
    // bad uses, as runc: a stopped or missing container, a bad interval
    const codes = RUNTIMES.map((rt) => [
      cli(rt, ['events', '--stats', 'nope']).code,
      cli(rt, ['events', '--interval', '0s', 'nope']).code,
      cli(rt, ['events', '--interval', 'abc', 'nope']).code,
    ]);
    expect(codes[1]).toEqual(codes[0]);
    expect(sb.minirun(['events', '--interval', '0s', 'nope']).stderr).toBe(
      'minirun: --interval: must be greater than 0\n',
    );
  });
});
