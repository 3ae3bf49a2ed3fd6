// The systemd cgroup driver (--systemd-cgroup) on the guest, where systemd is
// pid 1 on pure cgroup v2: runc and minirun on the same bundles, compared. The
// unit (a transient scope with Delegate=yes), its properties and cgroup files,
// update, pause/resume, ps, exec, kill --all, delete (no unit left, failed or
// not), the unit journaled for delete --force after a crash, and runc's errors
// for a bad cgroupsPath.
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { exec, MINIRUN, runcMessage, uniqueId, type Sandbox } from '../integration/harness';
import { props, stopUnits, systemctl, systemdCli, unitsLike, warnings } from './systemd';
import { bundle, show, RUNTIMES, type Runtime } from './v2';

let sb: Sandbox | undefined;
const units: string[] = [];
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
  // Whatever a failed test left: no unit of ours survives it.
  stopUnits(units);
});

const SLEEP = ['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1'];
const CG = '/sys/fs/cgroup';

const cli = (rt: Runtime, args: string[], env?: Record<string, string>) => systemdCli(sb!, rt, args, env);

/** A unit name per runtime and test: "mr-<id>.scope" in system.slice. */
function useUnit(rt: Runtime, slice = 'system.slice'): { id: string; unit: string; cgroup: string } {
  const id = uniqueId(`sd${rt[0]}`);
  const unit = `mr-${id}.scope`;
  units.push(unit);
  sb!.edit((c) => (c.linux.cgroupsPath = `${slice}:mr:${id}`));
  return { id, unit, cgroup: `${CG}/${slice}/${unit}` };
}

const read = (dir: string, f: string) => fs.readFileSync(`${dir}/${f}`, 'utf8').trim();
/** cgroup.procs, or '' once the cgroup is gone (systemd removes an empty scope's). */
const procsOf = (dir: string) => (fs.existsSync(dir) ? read(dir, 'cgroup.procs') : '');

const RESOURCES = {
  memory: { limit: 67108864, reservation: 33554432, swap: 134217728 },
  pids: { limit: 100 },
  cpu: { quota: 20000, period: 100000, shares: 512, cpus: '0' },
};
const PROPS = [
  'ActiveState',
  'Delegate',
  'Slice',
  'MemoryMax',
  'MemoryLow',
  'MemorySwapMax',
  'TasksMax',
  'CPUWeight',
  'CPUQuotaPerSecUSec',
  'CPUQuotaPeriodUSec',
  'AllowedCPUs',
  'DevicePolicy',
  'DeviceAllow',
  'MemoryAccounting',
  'TasksAccounting',
];
const FILES = ['memory.max', 'memory.low', 'memory.swap.max', 'pids.max', 'cpu.max', 'cpu.weight', 'cpuset.cpus'];

describe('--systemd-cgroup on a systemd host (cgroup v2)', () => {
  it('the guest runs systemd as pid 1, and features reports the driver', () => {
    expect(fs.readlinkSync('/proc/1/exe')).toMatch(/systemd$/);
    expect(fs.statSync('/run/systemd/system').isDirectory()).toBe(true);
    // the system bus is there (socket-activated), so the other cases go through it
    expect(fs.existsSync('/run/dbus/system_bus_socket')).toBe(true);
    const f = JSON.parse(exec(MINIRUN, ['features']).stdout);
    expect(f.linux.cgroup.systemd).toBe(true);
  });

  it('run -d: a scope with Delegate=yes and the init in it; the limits in its properties and files, as runc; delete leaves no unit', async () => {
    const seen: Record<string, string[]> = {};
    sb = await bundle(SLEEP, (c) => (c.linux.resources = { ...c.linux.resources, ...RESOURCES }));
    for (const rt of RUNTIMES) {
      const { id, unit, cgroup } = useUnit(rt);
      const r = cli(rt, ['run', '-d', id]);
      expect(r.code, show(r)).toBe(0);
      try {
        const pid = JSON.parse(cli(rt, ['state', id]).stdout).pid;
        expect(read(cgroup, 'cgroup.procs').split('\n')).toContain(String(pid));
        expect(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toBe(`0::/system.slice/${unit}\n`);
        seen[rt] = [
          ...props(unit, PROPS),
          ...FILES.map((f) => `${f} = ${read(cgroup, f)}`),
          ...warnings(rt, r.stderr).map((w) => `warning: ${w}`),
        ];
      } finally {
        const d = cli(rt, ['delete', '-f', id]);
        expect(d.code, show(d)).toBe(0);
      }
      expect(unitsLike(id), rt).toEqual([]);
      expect(fs.existsSync(cgroup), rt).toBe(false);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toEqual(
      expect.arrayContaining([
        'ActiveState=active',
        'Delegate=yes',
        'Slice=system.slice',
        'MemoryMax=67108864',
        'MemoryLow=33554432',
        'MemorySwapMax=67108864',
        'TasksMax=100',
        'CPUWeight=20',
        'CPUQuotaPerSecUSec=200ms',
        'DevicePolicy=strict',
        'memory.max = 67108864',
        'pids.max = 100',
        'cpu.max = 20000 100000',
      ]),
    );
  });

  it('without a cgroupsPath: runc-<id>.scope in system.slice, as runc', async () => {
    sb = await bundle(SLEEP);
    for (const rt of RUNTIMES) {
      const id = uniqueId(`sd${rt[0]}`);
      const unit = `runc-${id}.scope`;
      units.push(unit);
      sb.edit((c) => delete c.linux.cgroupsPath);
      const r = cli(rt, ['run', '-d', id]);
      expect(r.code, show(r)).toBe(0);
      try {
        expect(props(unit, ['ActiveState', 'Slice']), rt).toEqual(['ActiveState=active', 'Slice=system.slice']);
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
      expect(unitsLike(id), rt).toEqual([]);
    }
  });

  it('a nested slice (a-b.slice) is expanded as runc expands it', async () => {
    sb = await bundle(SLEEP);
    for (const rt of RUNTIMES) {
      const slice = `mr${rt[0]}-sub.slice`;
      const { id, unit, cgroup } = useUnit(rt, slice);
      units.push(slice, `mr${rt[0]}.slice`);
      const r = cli(rt, ['run', '-d', id]);
      expect(r.code, show(r)).toBe(0);
      try {
        expect(cgroup).toBe(`${CG}/${slice}/${unit}`);
        expect(fs.existsSync(`${CG}/mr${rt[0]}.slice/${slice}/${unit}`), rt).toBe(true);
        expect(props(unit, ['Slice']), rt).toEqual([`Slice=${slice}`]);
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
      expect(unitsLike(id), rt).toEqual([]);
    }
  });

  it('update sets the unit properties and the files, as runc', async () => {
    const seen: Record<string, string[]> = {};
    sb = await bundle(SLEEP, (c) => (c.linux.resources = { ...c.linux.resources, memory: { limit: 67108864 } }));
    for (const rt of RUNTIMES) {
      const { id, unit, cgroup } = useUnit(rt);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        seen[rt] = [];
        for (const args of [
          ['--memory', '32m', '--pids-limit', '20'],
          ['--cpu-quota', '50000', '--cpu-period', '100000', '--cpu-share', '1024'],
        ]) {
          const r = cli(rt, ['update', ...args, id]);
          seen[rt].push(
            `update ${args.join(' ')}: ${r.code}`,
            ...props(unit, ['MemoryMax', 'TasksMax', 'CPUQuotaPerSecUSec', 'CPUWeight']),
            ...['memory.max', 'pids.max', 'cpu.max', 'cpu.weight'].map((f) => `${f} = ${read(cgroup, f)}`),
          );
        }
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
      expect(unitsLike(id), rt).toEqual([]);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toEqual(expect.arrayContaining(['MemoryMax=33554432', 'TasksMax=20', 'pids.max = 20']));
  });

  it('exec joins the scope; ps, events, pause/resume and kill --all go through its cgroup, as runc', async () => {
    const seen: Record<string, string[]> = {};
    sb = await bundle(SLEEP);
    for (const rt of RUNTIMES) {
      const { id, unit, cgroup } = useUnit(rt);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        const e = cli(rt, ['exec', '-d', id, 'sleep', '200']);
        expect(e.code, show(e)).toBe(0);
        const procs = read(cgroup, 'cgroup.procs').split('\n');
        const ps = cli(rt, ['ps', '--format', 'json', id]);
        const ev = cli(rt, ['events', '--stats', id]);
        const pidsNow = ev.code === 0 ? JSON.parse(ev.stdout).data.pids.current : undefined;
        const p1 = cli(rt, ['pause', id]);
        const paused = [JSON.parse(cli(rt, ['state', id]).stdout).status, read(cgroup, 'cgroup.freeze')];
        const p2 = cli(rt, ['resume', id]);
        const resumed = [JSON.parse(cli(rt, ['state', id]).stdout).status, read(cgroup, 'cgroup.freeze')];
        const k = cli(rt, ['kill', '--all', id, 'KILL']);
        let left = procsOf(cgroup);
        for (let i = 0; i < 100 && left !== ''; i++) {
          await new Promise((res) => setTimeout(res, 50));
          left = procsOf(cgroup);
        }
        seen[rt] = [
          `procs: ${procs.length}`,
          `ps: ${ps.code} ${(JSON.parse(ps.stdout) as number[]).length}`,
          `events --stats: ${ev.code} pids.current ${pidsNow}`,
          `pause: ${p1.code} ${paused.join(' ')}`,
          `resume: ${p2.code} ${resumed.join(' ')}`,
          `kill --all: ${k.code}, left: ${JSON.stringify(left)}`,
        ];
        expect(unitsLike(id).length, rt).toBeLessThanOrEqual(1);
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
      expect(unitsLike(id), rt).toEqual([]);
      expect(systemctl('list-units', '--failed', '--plain', '--no-legend')).not.toContain(unit);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toEqual([
      'procs: 2',
      'ps: 0 2',
      'events --stats: 0 pids.current 2',
      'pause: 0 paused 1',
      'resume: 0 running 0',
      'kill --all: 0, left: ""',
    ]);
  });

  it('org.systemd.property.* annotations reach the unit (Sec as USec), as runc', async () => {
    const seen: Record<string, string[]> = {};
    sb = await bundle(SLEEP, (c) => {
      c.annotations = {
        'org.systemd.property.TimeoutStopSec': 'uint64 17',
        'org.systemd.property.CollectMode': "'inactive-or-failed'",
      };
    });
    for (const rt of RUNTIMES) {
      const { id, unit } = useUnit(rt);
      const r = cli(rt, ['run', '-d', id]);
      expect(r.code, show(r)).toBe(0);
      try {
        seen[rt] = props(unit, ['TimeoutStopUSec', 'CollectMode']);
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toEqual(['CollectMode=inactive-or-failed', 'TimeoutStopUSec=17s']);
  });

  it("a bad cgroupsPath fails as runc's does: one line, nothing left", async () => {
    sb = await bundle(SLEEP);
    for (const [path, words] of [
      [
        'onlyone',
        'expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "onlyone" instead',
      ],
      ['a:b', 'expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "a:b" instead'],
      ['a--b.slice:mr:x', 'invalid slice name: a--b.slice'],
      ['notaslice:mr:x', 'invalid slice name: notaslice'],
    ]) {
      sb.edit((c) => (c.linux.cgroupsPath = path));
      for (const rt of RUNTIMES) {
        const id = uniqueId(`sd${rt[0]}`);
        const r = cli(rt, ['run', '-d', id]);
        expect(r.code, `${rt} ${path}: ${show(r)}`).not.toBe(0);
        if (rt === 'runc') expect(runcMessage(r.stderr), path).toBe(`runc run failed: ${words}`);
        else expect(r.stderr, path).toBe(`minirun run failed: ${words}\n`);
        // runc prints null for none
        expect(JSON.parse(cli(rt, ['list', '--format', 'json']).stdout || '[]') ?? [], `${rt} ${path}`).toEqual([]);
        expect(unitsLike(id), `${rt} ${path}`).toEqual([]);
      }
    }
  });

  it('a create that died: the unit is journaled before it starts, and delete --force leaves no unit', async () => {
    // a create hook, so that create has a step (hooks) after the unit started and before state.json
    sb = await bundle(SLEEP, (c) => (c.hooks = { createRuntime: [{ path: '/bin/true' }] }));
    for (const step of ['launched', 'hooks']) {
      const { id, unit, cgroup } = useUnit('minirun');
      const r = cli('minirun', ['create', id], { MINIRUN_TEST_DIE_AT: step });
      expect(r.signal, show(r)).toBe('SIGKILL');
      const journal = JSON.parse(fs.readFileSync(`${sb.minirunRoot}/${id}/journal.json`, 'utf8'));
      expect(journal.systemdUnit, step).toBe(unit);
      // (the init goes with its creator, and systemd then stops an empty scope itself)
      const d = cli('minirun', ['delete', '--force', id]);
      expect(d.code, `${step}: ${show(d)}`).toBe(0);
      expect(unitsLike(id), step).toEqual([]);
      expect(fs.existsSync(cgroup), step).toBe(false);
      expect(fs.existsSync(`${sb.minirunRoot}/${id}`), step).toBe(false);
    }
  });

  it('without a bus daemon: through /run/systemd/private, as runc', async () => {
    sb = await bundle(SLEEP);
    spawnSync('systemctl', ['stop', 'dbus.socket', 'dbus.service']);
    try {
      // (the socket file stays, with nobody listening on it)
      expect(systemctl('is-active', 'dbus.socket', 'dbus.service').split('\n')).toEqual(['inactive', 'inactive']);
      for (const rt of RUNTIMES) {
        const { id, unit } = useUnit(rt);
        const r = cli(rt, ['run', '-d', id]);
        expect(r.code, show(r)).toBe(0);
        try {
          expect(props(unit, ['ActiveState', 'Delegate']), rt).toEqual(['ActiveState=active', 'Delegate=yes']);
        } finally {
          const d = cli(rt, ['delete', '-f', id]);
          expect(d.code, show(d)).toBe(0);
        }
        expect(unitsLike(id), rt).toEqual([]);
      }
    } finally {
      spawnSync('systemctl', ['start', 'dbus.socket']);
    }
  });

  it('delete --force stops a unit whose processes outlived a create that died', async () => {
    // A create hook puts a sleep into the unit's cgroup: the scope stays after minirun and its init are gone.
    sb = await bundle(SLEEP);
    const { id, unit, cgroup } = useUnit('minirun');
    sb.edit((c) => {
      c.hooks = {
        createRuntime: [
          {
            path: '/bin/sh',
            args: ['sh', '-c', `setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $! > ${cgroup}/cgroup.procs`],
          },
        ],
      };
    });
    const r = cli('minirun', ['create', id], { MINIRUN_TEST_DIE_AT: 'hooks' });
    expect(r.signal, show(r)).toBe('SIGKILL');
    expect(props(unit, ['ActiveState'])).toEqual(['ActiveState=active']);
    const d = cli('minirun', ['delete', '--force', id]);
    expect(d.code, show(d)).toBe(0);
    expect(unitsLike(id)).toEqual([]);
    expect(fs.existsSync(cgroup)).toBe(false);
    expect(systemctl('list-units', '--failed', '--plain', '--no-legend')).not.toContain(unit);
  });
});
