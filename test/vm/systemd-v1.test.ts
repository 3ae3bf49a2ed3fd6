// The systemd cgroup driver (--systemd-cgroup) on cgroup v1, in the guest's v1
// boot (run.sh): systemd 252 as pid 1 on its hybrid hierarchy (the v1
// controllers, and cgroup2 without controllers at /sys/fs/cgroup/unified).
// runc 1.1.5's legacy manager and minirun on the same bundles, compared: the
// scope (Delegate=yes) and its v1 properties, the init in every hierarchy's
// dir (the ones systemd does not manage, such as cpuset and freezer, made by
// the runtime), the v1 files, update, pause/resume, exec, ps, events, kill
// --all, and delete (no unit, no dir of the container's left); a create that
// died, cleaned up by delete --force from the journal.
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runcMessage, uniqueId, type Sandbox } from '../integration/harness';
import { props, stopUnits, systemdCli, unitsLike, warnings } from './systemd';
import { bundle, show, RUNTIMES, type Runtime } from './v2';

let sb: Sandbox | undefined;
const units: string[] = [];
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
  stopUnits(units);
});

const SLEEP = ['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1'];
const CG = '/sys/fs/cgroup';

/** The v1 hierarchies mounted under /sys/fs/cgroup ("cpu,cpuacct", "systemd", ...), and "unified". */
const HIERARCHIES = fs
  .readFileSync('/proc/self/mountinfo', 'utf8')
  .split('\n')
  .filter((l) => / - cgroup2? /.test(l))
  .map((l) => l.split(' ')[4].slice(`${CG}/`.length));
/** Those runc's legacy manager puts the container in (misc is not in its list). */
const CONTAINER_HIERARCHIES = HIERARCHIES.filter((h) => h !== 'misc');

const cli = (rt: Runtime, args: string[], env?: Record<string, string>) => systemdCli(sb!, rt, args, env);

/** A unit name per runtime and test: "mr-<id>.scope" in system.slice; its dir in hierarchy h. */
function useUnit(rt: Runtime): { id: string; unit: string; dir: (h: string) => string } {
  const id = uniqueId(`s1${rt[0]}`);
  const unit = `mr-${id}.scope`;
  units.push(unit);
  sb!.edit((c) => (c.linux.cgroupsPath = `system.slice:mr:${id}`));
  return { id, unit, dir: (h) => `${CG}/${h}/system.slice/${unit}` };
}

const read = (file: string) => fs.readFileSync(file, 'utf8').trim();
/** The hierarchies in which the container's dir is still there. */
const dirsLeft = (dir: (h: string) => string) => HIERARCHIES.filter((h) => fs.existsSync(dir(h)));

const RESOURCES = {
  memory: { limit: 67108864, reservation: 33554432, swap: 134217728 },
  pids: { limit: 100 },
  cpu: { quota: 12345, period: 100000, shares: 512, cpus: '0', mems: '0' },
};
const PROPS = [
  'ActiveState',
  'Delegate',
  'Slice',
  'MemoryLimit',
  'CPUShares',
  'CPUQuotaPerSecUSec',
  'CPUQuotaPeriodUSec',
  'TasksMax',
  'AllowedCPUs',
  'AllowedMemoryNodes',
  'DevicePolicy',
  'DeviceAllow',
  'MemoryAccounting',
  'CPUAccounting',
  'BlockIOAccounting',
  'TasksAccounting',
];
/** [hierarchy, file] of the v1 files the limits go to. */
const FILES: [string, string][] = [
  ['memory', 'memory.limit_in_bytes'],
  ['memory', 'memory.soft_limit_in_bytes'],
  ['memory', 'memory.memsw.limit_in_bytes'],
  ['cpu,cpuacct', 'cpu.shares'],
  ['cpu,cpuacct', 'cpu.cfs_quota_us'],
  ['cpu,cpuacct', 'cpu.cfs_period_us'],
  ['pids', 'pids.max'],
  ['cpuset', 'cpuset.cpus'],
  ['cpuset', 'cpuset.mems'],
  ['devices', 'devices.list'],
  ['freezer', 'freezer.state'],
];
const files = (dir: (h: string) => string, list = FILES) =>
  list
    .filter(([h, f]) => fs.existsSync(`${dir(h)}/${f}`) || f !== 'memory.memsw.limit_in_bytes')
    .map(([h, f]) => `${f} = ${read(`${dir(h)}/${f}`).replace(/\n/g, ' | ')}`);

describe('--systemd-cgroup on a systemd host with cgroup v1 (hybrid)', () => {
  it('the guest runs systemd as pid 1 on the hybrid hierarchy', () => {
    expect(fs.readlinkSync('/proc/1/exe')).toMatch(/systemd$/);
    expect(HIERARCHIES).toEqual(
      expect.arrayContaining(['systemd', 'memory', 'devices', 'freezer', 'cpuset', 'unified']),
    );
    expect(read('/proc/1/cgroup')).toMatch(/^1:name=systemd:\/init\.scope$/m);
    expect(read('/sys/fs/cgroup/unified/cgroup.controllers')).toBe('');
  });

  it('run -d: a scope with Delegate=yes, the init in every hierarchy, the v1 properties and files as runc; delete leaves no unit or dir', async () => {
    const seen: Record<string, string[]> = {};
    sb = await bundle(SLEEP, (c) => (c.linux.resources = { ...c.linux.resources, ...RESOURCES }));
    for (const rt of RUNTIMES) {
      const { id, unit, dir } = useUnit(rt);
      const r = cli(rt, ['run', '-d', id]);
      expect(r.code, show(r)).toBe(0);
      try {
        const pid = JSON.parse(cli(rt, ['state', id]).stdout).pid as number;
        const cgroups = read(`/proc/${pid}/cgroup`).split('\n').sort();
        seen[rt] = [
          ...props(unit, PROPS),
          ...files(dir),
          ...cgroups.map((l) => l.replace(id, 'ID')),
          `dirs: ${dirsLeft(dir).join(' ')}`,
          ...warnings(rt, r.stderr).map((w) => `warning: ${w}`),
        ];
        for (const h of CONTAINER_HIERARCHIES.filter((x) => x !== 'unified' && x !== 'systemd'))
          expect(read(`${dir(h)}/cgroup.procs`).split('\n'), `${rt} ${h}`).toContain(String(pid));
      } finally {
        const d = cli(rt, ['delete', '-f', id]);
        expect(d.code, show(d)).toBe(0);
      }
      expect(unitsLike(id), rt).toEqual([]);
      expect(dirsLeft(dir), rt).toEqual([]);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toEqual(
      expect.arrayContaining([
        'ActiveState=active',
        'Delegate=yes',
        'Slice=system.slice',
        'MemoryLimit=67108864',
        'CPUShares=512',
        'CPUQuotaPerSecUSec=130ms',
        'TasksMax=100',
        'DevicePolicy=strict',
        'BlockIOAccounting=yes',
        'memory.limit_in_bytes = 67108864',
        'memory.soft_limit_in_bytes = 33554432',
        'cpu.shares = 512',
        'cpu.cfs_quota_us = 12345',
        'pids.max = 100',
        'cpuset.cpus = 0',
        'freezer.state = THAWED',
        `dirs: ${CONTAINER_HIERARCHIES.join(' ')}`,
      ]),
    );
  });

  it('update sets the v1 properties and the files, as runc', async () => {
    const seen: Record<string, string[]> = {};
    sb = await bundle(SLEEP, (c) => (c.linux.resources = { ...c.linux.resources, memory: { limit: 67108864 } }));
    for (const rt of RUNTIMES) {
      const { id, unit, dir } = useUnit(rt);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        seen[rt] = [];
        for (const args of [
          ['--memory', '32m', '--pids-limit', '20'],
          ['--cpu-quota', '25000', '--cpu-period', '100000', '--cpu-share', '1024'],
          ['--memory', '48m'],
        ]) {
          const r = cli(rt, ['update', ...args, id]);
          seen[rt].push(
            `update ${args.join(' ')}: ${r.code}`,
            ...props(unit, ['MemoryLimit', 'TasksMax', 'CPUQuotaPerSecUSec', 'CPUShares']),
            ...files(dir, FILES.slice(0, 10)),
            `freezer.state = ${read(`${dir('freezer')}/freezer.state`)}`,
          );
        }
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
      expect(unitsLike(id), rt).toEqual([]);
      expect(dirsLeft(dir), rt).toEqual([]);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toEqual(
      expect.arrayContaining([
        'MemoryLimit=33554432',
        'TasksMax=20',
        'pids.max = 20',
        'CPUQuotaPerSecUSec=250ms',
        'cpu.cfs_quota_us = 25000',
        'MemoryLimit=50331648',
        'memory.limit_in_bytes = 50331648',
      ]),
    );
  });

  it('exec joins every hierarchy; ps, events, pause/resume (freezer) and kill --all, as runc', async () => {
    const seen: Record<string, string[]> = {};
    sb = await bundle(SLEEP);
    for (const rt of RUNTIMES) {
      const { id, dir } = useUnit(rt);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        const pid = JSON.parse(cli(rt, ['state', id]).stdout).pid as number;
        const e = cli(rt, ['exec', '-d', '--pid-file', `${sb.dir}/exec.pid`, id, 'sleep', '200']);
        expect(e.code, show(e)).toBe(0);
        const epid = Number(read(`${sb.dir}/exec.pid`));
        const sameCgroups = read(`/proc/${epid}/cgroup`) === read(`/proc/${pid}/cgroup`);
        const ps = cli(rt, ['ps', '--format', 'json', id]);
        const ev = cli(rt, ['events', '--stats', id]);
        const pidsNow = ev.code === 0 ? JSON.parse(ev.stdout).data.pids.current : undefined;
        const p1 = cli(rt, ['pause', id]);
        const paused = [JSON.parse(cli(rt, ['state', id]).stdout).status, read(`${dir('freezer')}/freezer.state`)];
        const p2 = cli(rt, ['resume', id]);
        const resumed = [JSON.parse(cli(rt, ['state', id]).stdout).status, read(`${dir('freezer')}/freezer.state`)];
        const k = cli(rt, ['kill', '--all', id, 'KILL']);
        // (systemd removes the dirs of the hierarchies it manages once the scope is empty)
        const procs = () => (fs.existsSync(dir('devices')) ? read(`${dir('devices')}/cgroup.procs`) : '');
        let left = procs();
        for (let i = 0; i < 100 && left !== ''; i++) {
          await new Promise((res) => setTimeout(res, 50));
          left = procs();
        }
        seen[rt] = [
          `exec in the init's cgroups: ${sameCgroups}`,
          `ps: ${ps.code} ${(JSON.parse(ps.stdout) as number[]).length}`,
          `events --stats: ${ev.code} pids.current ${pidsNow}`,
          `pause: ${p1.code} ${paused.join(' ')}`,
          `resume: ${p2.code} ${resumed.join(' ')}`,
          `kill --all: ${k.code}, left: ${JSON.stringify(left)}`,
        ];
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
      expect(unitsLike(id), rt).toEqual([]);
      expect(dirsLeft(dir), rt).toEqual([]);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toEqual([
      "exec in the init's cgroups: true",
      'ps: 0 2',
      'events --stats: 0 pids.current 2',
      'pause: 0 paused FROZEN',
      'resume: 0 running THAWED',
      'kill --all: 0, left: ""',
    ]);
  });

  it('without a cgroupsPath: runc-<id>.scope in system.slice, as runc', async () => {
    sb = await bundle(SLEEP);
    for (const rt of RUNTIMES) {
      const id = uniqueId(`s1${rt[0]}`);
      const unit = `runc-${id}.scope`;
      units.push(unit);
      sb.edit((c) => delete c.linux.cgroupsPath);
      const r = cli(rt, ['run', '-d', id]);
      expect(r.code, show(r)).toBe(0);
      try {
        expect(props(unit, ['ActiveState', 'Slice']), rt).toEqual(['ActiveState=active', 'Slice=system.slice']);
        expect(fs.existsSync(`${CG}/freezer/system.slice/${unit}`), rt).toBe(true);
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
      expect(unitsLike(id), rt).toEqual([]);
      expect(
        dirsLeft((h) => `${CG}/${h}/system.slice/${unit}`),
        rt,
      ).toEqual([]);
    }
  });

  it("a unified key fails as runc's legacy manager fails it: nothing left", async () => {
    sb = await bundle(SLEEP, (c) => (c.linux.resources = { ...c.linux.resources, unified: { 'pids.max': '10' } }));
    for (const rt of RUNTIMES) {
      const { id, dir } = useUnit(rt);
      const r = cli(rt, ['run', '-d', id]);
      expect(r.code, show(r)).not.toBe(0);
      if (rt === 'runc') expect(runcMessage(r.stderr)).toContain('cannot use unified on cgroup v1');
      else expect(r.stderr).toMatch(/^minirun run failed: .*cannot use unified on cgroup v1.*\n$/);
      expect(unitsLike(id), rt).toEqual([]);
      expect(dirsLeft(dir), rt).toEqual([]);
    }
  });

  it('a create that died: the unit and its dirs are journaled, and delete --force leaves none', async () => {
    sb = await bundle(SLEEP, (c) => (c.hooks = { createRuntime: [{ path: '/bin/true' }] }));
    for (const step of ['launched', 'hooks']) {
      const { id, unit, dir } = useUnit('minirun');
      const r = cli('minirun', ['create', id], { MINIRUN_TEST_DIE_AT: step });
      expect(r.signal, show(r)).toBe('SIGKILL');
      const journal = JSON.parse(fs.readFileSync(`${sb.minirunRoot}/${id}/journal.json`, 'utf8'));
      expect(journal.systemdUnit, step).toBe(unit);
      expect(journal.cgroupDirs.length, step).toBe(CONTAINER_HIERARCHIES.length);
      const d = cli('minirun', ['delete', '--force', id]);
      expect(d.code, `${step}: ${show(d)}`).toBe(0);
      expect(unitsLike(id), step).toEqual([]);
      expect(dirsLeft(dir), step).toEqual([]);
      expect(fs.existsSync(`${sb.minirunRoot}/${id}`), step).toBe(false);
    }
  });
});
