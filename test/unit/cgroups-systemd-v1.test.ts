// The systemd cgroup driver on cgroup v1, its pure parts: linux.resources as
// the v1 unit properties runc 1.1.5's legacy manager sends
// (genV1ResourcesProperties), and the unit's directories in each hierarchy
// (initPaths) on a legacy and a hybrid host. The calls to systemd are tested
// in the qemu guest's v1 boot (test/vm/systemd-v1.test.ts).
import { describe, expect, it } from 'vitest';
import { deviceRules } from '../../src/cgroups/devices';
import { planFrom } from '../../src/cgroups/plan';
import { unitProperties, v1ResourceProperties, type SystemdHost } from '../../src/cgroups/systemd-props';
import { LEGACY_SUBSYSTEMS, legacyDeviceWrites } from '../../src/cgroups/systemd-v1';

const host = (version = 252): SystemdHost => ({
  version: () => version,
  deviceGroup: (type, major) => (type === 'c' && major === 136 ? 'char-pts' : undefined),
  deviceExists: () => true,
  warn: () => undefined,
});
const MAX = (1n << 64n) - 1n;

describe('linux.resources as v1 unit properties (runc genV1ResourcesProperties)', () => {
  it('uses the v1 names with the values as given, and the quota as on v2', () => {
    const props = v1ResourceProperties(host(), {
      memory: { limit: 67108864n, reservation: 1024n, swap: 134217728n },
      cpu: { shares: 512n, quota: 20000n, period: 100000n, cpus: '0-1', mems: '0' },
      blockIO: { weight: 300 },
      pids: { limit: 100n },
    });
    expect(props).toEqual([
      { name: 'MemoryLimit', sig: 't', value: 67108864n },
      { name: 'CPUShares', sig: 't', value: 512n },
      { name: 'CPUQuotaPeriodUSec', sig: 't', value: 100000n },
      { name: 'CPUQuotaPerSecUSec', sig: 't', value: 200000n },
      { name: 'BlockIOWeight', sig: 't', value: 300n },
      { name: 'TasksMax', sig: 't', value: 100n },
      { name: 'AllowedCPUs', sig: 'ay', value: Buffer.from([3]) },
      { name: 'AllowedMemoryNodes', sig: 'ay', value: Buffer.from([1]) },
    ]);
    // no reservation, swap, or v2 names: runc's legacy manager leaves those to the files
    expect(props.map((p) => p.name)).not.toContain('MemoryLow');
    expect(props.map((p) => p.name)).not.toContain('CPUWeight');
  });

  it('-1 is infinity; 0 and absent values send nothing; a negative pids limit other than -1 is left out', () => {
    expect(
      v1ResourceProperties(host(), { memory: { limit: -1n }, pids: { limit: -1n }, cpu: { quota: -1n, period: 0n } }),
    ).toEqual([
      { name: 'MemoryLimit', sig: 't', value: MAX },
      { name: 'CPUQuotaPerSecUSec', sig: 't', value: MAX },
      { name: 'TasksMax', sig: 't', value: MAX },
    ]);
    expect(v1ResourceProperties(host(), { memory: { limit: 0n }, cpu: { shares: 0n }, pids: { limit: -5n } })).toEqual(
      [],
    );
    expect(v1ResourceProperties(host(), undefined)).toEqual([]);
  });

  it('a quota rounds up to 10 ms a second; an old systemd gets no period or cpuset properties', () => {
    expect(v1ResourceProperties(host(), { cpu: { quota: 12345n } })).toEqual([
      { name: 'CPUQuotaPerSecUSec', sig: 't', value: 130000n },
    ]);
    expect(v1ResourceProperties(host(240), { cpu: { quota: 50000n, period: 100000n, cpus: '0' } })).toEqual([
      { name: 'CPUQuotaPerSecUSec', sig: 't', value: 500000n },
    ]);
  });

  it('device rules come first, as DevicePolicy and DeviceAllow', () => {
    const rules = deviceRules([{ allow: false, access: 'rwm' }]);
    const props = v1ResourceProperties(host(), { pids: { limit: 5n } }, rules);
    expect(props.map((p) => p.name)).toEqual(['DevicePolicy', 'DeviceAllow', 'DeviceAllow', 'TasksMax']);
    expect(props[0]).toEqual({ name: 'DevicePolicy', sig: 's', value: 'strict' });
  });

  it('the unit starts with BlockIOAccounting on v1, IOAccounting on v2', () => {
    const names = (v1: boolean) => unitProperties('p-c.scope', 'system.slice', 'c', 7, [], v1).map((p) => p.name);
    expect(names(true)).toContain('BlockIOAccounting');
    expect(names(true)).not.toContain('IOAccounting');
    expect(names(false)).toContain('IOAccounting');
    expect(names(true)).toContain('Delegate');
  });
});

const mount = (id: number, dir: string, type: string, opts: string) =>
  `${id} 1 0:${id} / /sys/fs/cgroup/${dir} rw - ${type} cgroup ${opts}\n`;
const LEGACY =
  mount(30, 'systemd', 'cgroup', 'rw,xattr,name=systemd') +
  mount(31, 'cpu,cpuacct', 'cgroup', 'rw,cpu,cpuacct') +
  mount(32, 'memory', 'cgroup', 'rw,memory') +
  mount(33, 'devices', 'cgroup', 'rw,devices') +
  mount(34, 'freezer', 'cgroup', 'rw,freezer') +
  mount(35, 'cpuset', 'cgroup', 'rw,cpuset') +
  mount(36, 'misc', 'cgroup', 'rw,misc');
const HYBRID = LEGACY + mount(37, 'unified', 'cgroup2', 'rw,nsdelegate');
const PID1 =
  '1:name=systemd:/init.scope\n2:cpu,cpuacct:/init.scope\n3:memory:/init.scope\n4:devices:/init.scope\n5:freezer:/\n6:cpuset:/\n7:misc:/\n0::/init.scope\n';
const OWN =
  '1:name=systemd:/user.slice/s.scope\n2:cpu,cpuacct:/user.slice\n3:memory:/user.slice\n4:devices:/user.slice\n5:freezer:/\n6:cpuset:/\n7:misc:/m\n0::/user.slice/s.scope\n';

describe("the unit's directories on cgroup v1 (runc initPaths)", () => {
  const req = { id: 'c', cgroupsPath: 'a-b.slice:p:c', deviceRules: [], systemd: true };
  const unitDir = '/a.slice/a-b.slice/p-c.scope';

  it("legacy: one dir a hierarchy of runc's list, at pid 1's cgroup (init.scope cut) + the slice + the unit, each the container's own", () => {
    const plan = planFrom(req, LEGACY, OWN, [], undefined, PID1);
    expect(plan.mode).toBe('v1');
    const dirs = plan.dirs.map((d) => `${d.hierarchy} ${d.path} ${d.made === d.path}`);
    expect(dirs).toEqual(
      ['systemd', 'cpu,cpuacct', 'memory', 'devices', 'freezer', 'cpuset'].map(
        (h) => `${h} /sys/fs/cgroup/${h}${unitDir} true`,
      ),
    );
    expect(plan.systemd).toMatchObject({ unit: 'p-c.scope', slice: 'a-b.slice', v1: true, bus: '' });
    // misc is not runc's: the container sees our own cgroup there
    expect(plan.v1Binds).toContainEqual({ source: '/sys/fs/cgroup/misc/m', name: 'misc' });
    expect(plan.v1Binds).toContainEqual({ source: `/sys/fs/cgroup/memory${unitDir}`, name: 'memory' });
    expect(plan.v1Symlinks).toEqual([
      { target: 'cpu,cpuacct', name: 'cpu' },
      { target: 'cpu,cpuacct', name: 'cpuacct' },
    ]);
    expect(LEGACY_SUBSYSTEMS).toContain('name=systemd');
  });

  it('hybrid: the unified hierarchy too (runc paths[""]), not bound in the container', () => {
    const plan = planFrom({ ...req, cgroupsPath: undefined }, HYBRID, OWN, [], undefined, PID1);
    expect(plan.mode).toBe('hybrid');
    expect(plan.dirs.find((d) => d.hierarchy === 'unified')?.path).toBe(
      '/sys/fs/cgroup/unified/system.slice/runc-c.scope',
    );
    expect(plan.v1Binds.map((b) => b.name)).not.toContain('unified');
  });

  it('the resources are the v1 files; unified keys, rootless and a missing devices hierarchy are refused as runc does', () => {
    const plan = planFrom(
      { ...req, resources: { memory: { limit: 1048576n }, cpu: { shares: 100n } } },
      LEGACY,
      OWN,
      [],
      undefined,
      PID1,
    );
    expect(plan.writes.map((w) => `${w.controller} ${w.file}=${w.value}`)).toEqual([
      'memory memory.limit_in_bytes=1048576',
      'cpu cpu.shares=100',
    ]);
    expect(() =>
      planFrom({ ...req, resources: { unified: { 'memory.max': '1' } } }, HYBRID, OWN, [], undefined, PID1),
    ).toThrow('cannot use unified on cgroup v1');
    expect(() => planFrom({ ...req, rootless: true }, LEGACY, OWN, [], undefined, PID1)).toThrow(
      'cannot use rootless systemd cgroups manager on cgroup v1',
    );
    const noDevices = LEGACY.split('\n')
      .filter((l) => !l.includes('devices'))
      .join('\n');
    expect(() => planFrom(req, noDevices, OWN, [], undefined, PID1)).toThrow('mountpoint for devices not found');
    expect(() => planFrom(req, LEGACY.replace(/.*memory.*\n/, ''), OWN, [], undefined, PID1)).not.toThrow();
    expect(() =>
      planFrom(
        { ...req, resources: { memory: { limit: 1n } } },
        LEGACY.replace(/.*memory.*\n/, ''),
        OWN,
        [],
        undefined,
        PID1,
      ),
    ).toThrow('the memory controller is not mounted');
  });
});

describe("the device rules after systemd's (runc's fs driver: its emulator's Transition)", () => {
  const rules = deviceRules([{ allow: true, type: 'c', major: 4, minor: 1, access: 'rw' }]);

  it('from the allow list systemd wrote, only what differs: a node systemd skipped is added, an extra one denied', () => {
    const systemd =
      'c 136:* rwm\nc 5:2 rwm\nc 5:0 rwm\nc 1:9 rwm\nc 1:8 rwm\nc 1:7 rwm\nc 1:5 rwm\nc 1:3 rwm\nc *:* m\nb *:* m\nc 4:1 rw\n';
    expect(legacyDeviceWrites(systemd, rules)).toEqual([['allow', 'c 10:200 rwm']]);
    expect(legacyDeviceWrites(`${systemd}c 9:9 rwm\n`, rules)).toEqual([
      ['deny', 'c 9:9 rwm'],
      ['allow', 'c 10:200 rwm'],
    ]);
    expect(legacyDeviceWrites(systemd.replace('c 4:1 rw', 'c 4:1 rwm'), rules)).toEqual([
      ['deny', 'c 4:1 m'],
      ['allow', 'c 10:200 rwm'],
    ]);
  });

  it('from allow-all (a cgroup systemd left alone), or to it: every rule again', () => {
    expect(legacyDeviceWrites('a *:* rwm\n', rules)[0]).toEqual(['deny', 'a']);
    expect(legacyDeviceWrites('a *:* rwm\n', rules)).toHaveLength(rules.length);
    const all = [...rules, { allow: true, access: 'rwm' }];
    expect(legacyDeviceWrites('c 1:3 rwm\n', all).at(-1)).toEqual(['allow', 'a']);
  });
});
