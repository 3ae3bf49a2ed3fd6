// The systemd cgroup driver's pure parts: cgroupsPath "slice:prefix:name",
// runc's ExpandSlice, and linux.resources / annotations as unit properties
// (runc 1.1.5's conversions). The calls to systemd are tested in the qemu
// guest (test/vm/systemd-v2.test.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceRules } from '../../src/cgroups/devices';
import { expandSlice, systemdName } from '../../src/cgroups/systemd-path';
import {
  annotationProperties,
  deviceProperties,
  parseVariant,
  rangeToBits,
  resourceProperties,
  unitProperties,
  type SystemdHost,
} from '../../src/cgroups/systemd-props';
import { planFrom } from '../../src/cgroups/plan';
import { userBusAddress } from '../../src/cgroups/systemd';

const warnings: string[] = [];
const host = (version = 252): SystemdHost => ({
  version: () => version,
  deviceGroup: (type, major) => (type === 'c' && major === 136 ? 'char-pts' : undefined),
  deviceExists: (p) => p !== '/dev/char/10:200',
  warn: (m) => warnings.push(m),
});
const MAX = (1n << 64n) - 1n;

describe('cgroupsPath for the systemd driver', () => {
  it('expands slices as runc (and systemd) do', () => {
    expect(expandSlice('system.slice')).toBe('/system.slice');
    expect(expandSlice('a-b-c.slice')).toBe('/a.slice/a-b.slice/a-b-c.slice');
    expect(expandSlice('-.slice')).toBe('/');
    for (const bad of ['a--b.slice', '-a.slice', 'a-.slice', 'x', '.slice2', 'a/b.slice'])
      expect(() => expandSlice(bad), bad).toThrow(`invalid slice name: ${bad}`);
  });

  it('reads slice:prefix:name, with runc defaults and errors', () => {
    expect(systemdName('system.slice:docker:abc', 'id')).toEqual({
      unit: 'docker-abc.scope',
      slice: 'system.slice',
      cgroup: '/system.slice/docker-abc.scope',
      name: 'abc',
    });
    expect(systemdName(':p:n', 'id').cgroup).toBe('/system.slice/p-n.scope');
    expect(systemdName(undefined, 'c1').unit).toBe('runc-c1.scope');
    expect(systemdName('k-pod.slice:cri:x', 'id').cgroup).toBe('/k.slice/k-pod.slice/cri-x.scope');
    expect(systemdName('-.slice:p:n', 'id').cgroup).toBe('/p-n.scope');
    expect(systemdName('system.slice:p:mine.slice', 'id').unit).toBe('mine.slice');
    for (const bad of ['x', 'a:b', 'a:b:c:d'])
      expect(() => systemdName(bad, 'id')).toThrow(
        `expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "${bad}" instead`,
      );
  });

  it('plans one unified dir, the unit (made by the container), on a v2 host (v1: cgroups-systemd-v1.test.ts)', () => {
    const v2 = '30 1 0:26 / /sys/fs/cgroup rw shared:4 - cgroup2 cgroup2 rw\n';
    const plan = planFrom({ id: 'c', cgroupsPath: 'system.slice:p:c', deviceRules: [], systemd: true }, v2, '0::/\n', [
      'memory',
    ]);
    expect(plan.dirs).toEqual([
      {
        hierarchy: 'unified',
        path: '/sys/fs/cgroup/system.slice/p-c.scope',
        mount: '/sys/fs/cgroup',
        made: '/sys/fs/cgroup/system.slice/p-c.scope',
      },
    ]);
    expect(plan.systemd?.unit).toBe('p-c.scope');
  });

  it("with rootless cgroups, the unit is under the user's manager (runc: its ControlGroup + the slice), user.slice by default", () => {
    const v2 = '30 1 0:26 / /sys/fs/cgroup rw shared:4 - cgroup2 cgroup2 rw\n';
    const userManager = {
      bus: 'unix:path=/run/user/1000/bus',
      cgroup: '/user.slice/user-1000.slice/user@1000.service',
    };
    const req = { id: 'c', deviceRules: [], systemd: true, rootless: true, userManager };
    const plan = planFrom(req, v2, '0::/user.slice/user-1000.slice/session-1.scope\n');
    const dir = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/user.slice/runc-c.scope';
    expect(plan.dirs).toEqual([{ hierarchy: 'unified', path: dir, mount: '/sys/fs/cgroup', made: dir }]);
    expect(plan.systemd).toMatchObject({ unit: 'runc-c.scope', slice: 'user.slice', bus: userManager.bus });
    const given = planFrom({ ...req, cgroupsPath: 'my-x.slice:p:c' }, v2, '0::/\n');
    expect(given.v2Path).toBe(
      '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/my.slice/my-x.slice/p-c.scope',
    );
    expect(() => planFrom({ ...req, userManager: undefined }, v2, '0::/\n')).toThrow("the user's manager is unknown");
  });
});

describe("the user's bus (runc's DetectUserDbusSessionBusAddress)", () => {
  it('is $DBUS_SESSION_BUS_ADDRESS, then $XDG_RUNTIME_DIR/bus when it exists', () => {
    expect(userBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x', XDG_RUNTIME_DIR: '/nope' })).toBe('unix:path=/x');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bus-'));
    try {
      fs.writeFileSync(path.join(dir, 'bus'), '');
      expect(userBusAddress({ XDG_RUNTIME_DIR: dir })).toBe(`unix:path=${dir}/bus`);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe('unit properties', () => {
  it('a scope starts as runc starts it', () => {
    const p = unitProperties('p-c.scope', 'system.slice', 'c', 42, [{ name: 'CollectMode', sig: 's', value: 'x' }]);
    expect(p.map((x) => `${x.name}=${String(x.value)}`)).toEqual([
      'Description=libcontainer container c',
      'Slice=system.slice',
      'Delegate=true',
      'PIDs=42',
      'MemoryAccounting=true',
      'CPUAccounting=true',
      'IOAccounting=true',
      'TasksAccounting=true',
      'DefaultDependencies=false',
      'CollectMode=x',
    ]);
    expect(unitProperties('x.slice', 'system.slice', 'x.slice', 1, []).map((x) => x.name)).toContain('Wants');
  });

  it('maps linux.resources as runc does', () => {
    const props = resourceProperties(host(), {
      memory: { limit: 64n << 20n, reservation: 32n << 20n, swap: 128n << 20n },
      pids: { limit: -1n },
      cpu: { shares: 1024n, quota: 15000n, period: 100000n, cpus: '0-2,9', mems: '0' },
      unified: { 'memory.high': '1000', 'pids.max': 'max', 'io.weight': '50' },
    });
    expect(props).toEqual([
      { name: 'MemoryMax', sig: 't', value: 64n << 20n },
      { name: 'MemoryLow', sig: 't', value: 32n << 20n },
      { name: 'MemorySwapMax', sig: 't', value: 64n << 20n },
      { name: 'CPUWeight', sig: 't', value: 39n },
      { name: 'CPUQuotaPeriodUSec', sig: 't', value: 100000n },
      { name: 'CPUQuotaPerSecUSec', sig: 't', value: 150000n },
      { name: 'TasksMax', sig: 't', value: MAX },
      { name: 'AllowedCPUs', sig: 'ay', value: Buffer.from([0x07, 0x02]) },
      { name: 'AllowedMemoryNodes', sig: 'ay', value: Buffer.from([0x01]) },
      { name: 'MemoryHigh', sig: 't', value: 1000n },
      { name: 'TasksMax', sig: 't', value: MAX },
    ]);
  });

  it('rounds the quota up to 10 ms a second; an old systemd gets no period nor cpuset', () => {
    const q = resourceProperties(host(), { cpu: { quota: 12345n } });
    expect(q).toEqual([{ name: 'CPUQuotaPerSecUSec', sig: 't', value: 130000n }]);
    expect(resourceProperties(host(), { cpu: { period: 50000n } })).toEqual([
      { name: 'CPUQuotaPeriodUSec', sig: 't', value: 50000n },
      { name: 'CPUQuotaPerSecUSec', sig: 't', value: MAX },
    ]);
    expect(resourceProperties(host(240), { cpu: { period: 50000n, cpus: '1' } }).map((p) => p.name)).toEqual([
      'CPUQuotaPerSecUSec',
    ]);
    expect(() => resourceProperties(host(), { cpu: { cpus: '3-1' } })).toThrow(
      'resources.CPU.Cpus="3-1" conversion error: invalid range: 3-1',
    );
  });

  it('turns the device rules into DevicePolicy and DeviceAllow, as runc', () => {
    warnings.length = 0;
    const props = deviceProperties(host(), deviceRules([{ allow: false, access: 'rwm' }]));
    expect(props.slice(0, 2)).toEqual([
      { name: 'DevicePolicy', sig: 's', value: 'strict' },
      { name: 'DeviceAllow', sig: 'a(ss)', value: [] },
    ]);
    expect(props[2]).toEqual({
      name: 'DeviceAllow',
      sig: 'a(ss)',
      value: [
        ['block-*', 'm'],
        ['char-*', 'm'],
        ['/dev/char/1:3', 'rwm'],
        ['/dev/char/1:5', 'rwm'],
        ['/dev/char/1:7', 'rwm'],
        ['/dev/char/1:8', 'rwm'],
        ['/dev/char/1:9', 'rwm'],
        ['/dev/char/5:0', 'rwm'],
        ['/dev/char/5:2', 'rwm'],
        ['char-pts', 'rwm'],
      ],
    });
    expect(warnings).toEqual([
      'skipping device /dev/char/10:200 for systemd: stat /sys/dev/char/10:200: no such file or directory',
    ]);
    expect(deviceProperties(host(), [{ allow: true, access: 'rwm' }])[0]).toEqual({
      name: 'DevicePolicy',
      sig: 's',
      value: 'auto',
    });
  });

  it('reads rangeToBits and annotation values as runc does', () => {
    expect(rangeToBits('0')).toEqual(Buffer.from([1]));
    expect(rangeToBits(' 8 , 1-2,')).toEqual(Buffer.from([6, 1]));
    expect(() => rangeToBits(',')).toThrow('empty value');
    expect(parseVariant('true')).toEqual({ sig: 'b', value: true });
    expect(parseVariant('42')).toEqual({ sig: 'i', value: 42 });
    expect(parseVariant('uint64 42')).toEqual({ sig: 't', value: 42n });
    expect(parseVariant('@u 7')).toEqual({ sig: 'u', value: 7 });
    expect(parseVariant('1.5')).toEqual({ sig: 'd', value: 1.5 });
    expect(parseVariant("'a b'")).toEqual({ sig: 's', value: 'a b' });
    expect(parseVariant('[\'x.service\', "y.service"]')).toEqual({ sig: 'as', value: ['x.service', 'y.service'] });
    expect(() => parseVariant('nope')).toThrow('unsupported value');
    // DELIBERATE (README): GVariant text runc's godbus parser takes but annotations do not use is refused
    expect(() => parseVariant('[1, 2]')).toThrow('not a string: 1');
    expect(() => parseVariant('<uint64 17>')).toThrow('unsupported value');
    expect(() => parseVariant('(1, 2)')).toThrow('unsupported value');
  });

  it('passes org.systemd.property.* annotations, Sec as USec, with runc errors', () => {
    expect(
      annotationProperties({
        'org.systemd.property.TimeoutStopSec': 'uint64 17',
        'org.systemd.property.CollectMode': "'inactive-or-failed'",
        'other.annotation': 'x',
      }),
    ).toEqual([
      { name: 'TimeoutStopUSec', sig: 't', value: 17000000n },
      { name: 'CollectMode', sig: 's', value: 'inactive-or-failed' },
    ]);
    expect(() => annotationProperties({ 'org.systemd.property.AB': '1' })).toThrow(
      'annotation org.systemd.property.AB name incorrect: too short',
    );
    expect(() => annotationProperties({ 'org.systemd.property.A_B': '1' })).toThrow(
      'name incorrect: contains non-alphabetic character',
    );
    expect(() => annotationProperties({ 'org.systemd.property.TimeoutStopSec': "'x'" })).toThrow(
      "annotation org.systemd.property.TimeoutStopSec='x' value parse error: not a number",
    );
  });
});
