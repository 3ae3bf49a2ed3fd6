import { describe, expect, it } from 'vitest';
import { deviceFilter } from '../../src/cgroups/device-filter';
import { deviceRules } from '../../src/cgroups/devices';
import { planFrom } from '../../src/cgroups/plan';
import { blkioToIoWeight, sharesToWeight, swapToV2, v2ResourceWrites } from '../../src/cgroups/resources-v2';
import { resourceProperties, type SystemdHost } from '../../src/cgroups/systemd-props';
import { applied, merge, parseBytes, resourcesFromFlags } from '../../src/lifecycle/update';
import { parseInterval } from '../../src/lifecycle/events';

const V2_MOUNTINFO =
  '30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n';

describe('cgroup v2 resource files (runc fs2 conversions)', () => {
  it('converts cpu shares to cpu.weight and blkio weight to io.weight as runc', () => {
    expect(sharesToWeight(2n)).toBe(1n);
    expect(sharesToWeight(1024n)).toBe(39n);
    expect(sharesToWeight(262144n)).toBe(10000n);
    expect(blkioToIoWeight(10)).toBe(1);
    expect(blkioToIoWeight(500)).toBe(4950);
    expect(blkioToIoWeight(1000)).toBe(10000);
  });

  it('converts v1 memory+swap into v2 swap alone, with runc errors', () => {
    expect(swapToV2(128n, 64n)).toBe(64n);
    expect(swapToV2(undefined, -1n)).toBe(-1n);
    expect(swapToV2(-1n, 64n)).toBe(-1n);
    expect(() => swapToV2(64n, undefined)).toThrow('linux.resources.memory.swap: a swap limit needs a memory limit');
    expect(() => swapToV2(32n, 64n)).toThrow('linux.resources.memory.swap: must be >= linux.resources.memory.limit');
  });

  it('writes pids, memory, io, cpu, cpuset, hugetlb, rdma, then unified, in runc order', () => {
    expect(
      v2ResourceWrites({
        pids: { limit: 10n },
        memory: { limit: 33554432n, swap: 33554432n, reservation: 16777216n },
        blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 8n, minor: 0n, rate: 1000n }] },
        cpu: { shares: 1024n, quota: 10000n, period: 100000n, burst: 5000n, idle: 0n, cpus: '0', mems: '0' },
        hugepageLimits: [{ pageSize: '2MB', limit: 4194304n }],
        rdma: { mlx4_0: { hcaObjects: 7 } },
        unified: { 'memory.high': '30000000' },
      }).map((w) => `${w.file}=${w.value}${w.alt ? ` | ${w.alt.file}=${w.alt.value}` : ''}`),
    ).toEqual([
      'pids.max=10',
      'memory.swap.max=0',
      'memory.max=33554432',
      'memory.low=16777216',
      'io.bfq.weight=500 | io.weight=4950',
      'io.max=8:0 rbps=1000',
      'cpu.weight=39',
      'cpu.idle=0',
      'cpu.max=10000 100000',
      'cpu.max.burst=5000',
      'cpuset.cpus=0',
      'cpuset.mems=0',
      'hugetlb.2MB.max=4194304',
      'rdma.max=mlx4_0 hca_handle=max hca_object=7',
      'memory.high=30000000',
    ]);
    // a device weight only where bfq is: skipped without it, as runc
    expect(v2ResourceWrites({ blockIO: { weightDevice: [{ major: 8n, minor: 0n, weight: 200 }] } })).toEqual([
      { controller: 'io', file: 'io.bfq.weight', value: '8:0 200', ifExists: true },
    ]);
    expect(
      v2ResourceWrites({ pids: { limit: -1n }, memory: { limit: -1n }, cpu: { quota: -1n } }).map(
        (w) => `${w.file}=${w.value}`,
      ),
    ).toEqual(['pids.max=max', 'memory.swap.max=max', 'memory.max=max', 'cpu.max=max 100000']);
  });

  it('refuses what v2 cannot do, naming the field', () => {
    expect(() => v2ResourceWrites({ cpu: { realtimeRuntime: 5n } })).toThrow(
      'linux.resources.cpu.realtimeRuntime: realtime cpu limits do not exist on cgroup v2',
    );
    expect(() => v2ResourceWrites({ network: { classID: 1 } })).toThrow(
      'linux.resources.network: net_cls and net_prio do not exist on cgroup v2',
    );
    expect(() => v2ResourceWrites({ unified: { '../x': '1' } })).toThrow(
      'linux.resources.unified["../x"]: must be a file name',
    );
    expect(() => v2ResourceWrites({ unified: { nodot: '1' } })).toThrow('must be CONTROLLER.PARAMETER');
  });

  it('a v2 plan checks each controller against cgroup.controllers', () => {
    const req = { id: 'c1', deviceRules: [], resources: { pids: { limit: 10n } } };
    const plan = planFrom(req, V2_MOUNTINFO, '0::/\n', ['cpu', 'memory', 'pids']);
    expect(plan.mode).toBe('v2');
    expect(plan.dirs).toEqual([{ hierarchy: 'unified', path: '/sys/fs/cgroup/c1', mount: '/sys/fs/cgroup' }]);
    expect(() =>
      planFrom({ ...req, resources: { unified: { 'io.max': '8:0 rbps=1' } } }, V2_MOUNTINFO, '0::/\n', ['cpu']),
    ).toThrow('linux.resources: io.max: the io controller is not available on this host (cgroup.controllers: cpu)');
  });

  it('a relative or missing cgroupsPath is below the parent of our own cgroup, as runc fs2 has it', () => {
    const own = '0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope\n';
    const at = (cgroupsPath?: string) =>
      planFrom({ id: 'c1', cgroupsPath, deviceRules: [] }, V2_MOUNTINFO, own).dirs[0].path;
    const parent = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice';
    expect(at()).toBe(`${parent}/c1`);
    expect(at('a/b')).toBe(`${parent}/a/b`);
    expect(at('/x/y')).toBe('/sys/fs/cgroup/x/y');
  });
});

describe('the v2 device program', () => {
  it('is whole instructions with every jump inside the program', () => {
    const buf = deviceFilter(deviceRules([{ allow: true, type: 'b', major: 8, minor: null, access: 'r' }]));
    expect(buf.length % 8).toBe(0);
    const n = buf.length / 8;
    for (let pc = 0; pc < n; pc++) {
      const code = buf[pc * 8];
      if ((code & 0x07) === 0x05 || (code & 0x07) === 0x06) {
        if (code === 0x95) continue; // exit
        const off = buf.readInt16LE(pc * 8 + 2);
        expect(pc + 1 + off).toBeGreaterThan(pc);
        expect(pc + 1 + off).toBeLessThan(n);
      }
    }
    // ends with "r0 = 1; exit": everything allowed bit by bit gets there
    expect(buf.subarray(buf.length - 16)).toEqual(Buffer.from([0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]));
  });
});

describe('update and events arguments', () => {
  it('parses memory sizes as runc does (binary units)', () => {
    expect(parseBytes('memory', '32m')).toBe(33554432n);
    expect(parseBytes('memory', '1.5G')).toBe(1610612736n);
    expect(parseBytes('memory', '1024')).toBe(1024n);
    expect(parseBytes('memory', '-1')).toBe(-1n);
    expect(() => parseBytes('memory', 'lots')).toThrow('--memory: invalid size "lots"');
  });

  it('keeps only the given values, and merges them over the last applied ones', () => {
    expect(resourcesFromFlags({ memory: 10n, cpuShare: 0n, pidsLimit: 5n })).toEqual({
      memory: { limit: 10n, reservation: undefined, swap: undefined },
      pids: { limit: 5n },
    });
    expect(merge({ memory: { limit: 1n, swap: 2n }, cpu: { shares: 3n } }, { memory: { limit: 5n } })).toEqual({
      memory: { limit: 5n, swap: 2n },
      cpu: { shares: 3n },
    });
  });

  it("applies the given values only (as runc's update), a lone quota or period with the other's last value", () => {
    const old = { memory: { limit: 52428800n, swap: 96468992n }, cpu: { quota: 20000n, period: 100000n } };
    // `update --memory -1` after a swap limit: memory and swap unlimited, not "swap without a memory limit"
    const given = { memory: { limit: -1n } };
    expect(applied(given, merge(old, given))).toEqual(given);
    const host: SystemdHost = {
      version: () => 252,
      deviceGroup: () => undefined,
      deviceExists: () => true,
      warn: () => {},
    };
    const props = Object.fromEntries(
      resourceProperties(host, applied(given, merge(old, given))).map((p) => [p.name, p.value]),
    );
    expect(props).toEqual({ MemoryMax: 2n ** 64n - 1n, MemorySwapMax: 2n ** 64n - 1n });
    const quota = { cpu: { quota: 50000n } };
    expect(applied(quota, merge(old, quota))).toEqual({ cpu: { quota: 50000n, period: 100000n } });
  });

  it('parses Go durations for --interval', () => {
    expect(parseInterval('5s')).toBe(5000);
    expect(parseInterval('1m30s')).toBe(90000);
    expect(parseInterval('250ms')).toBe(250);
    expect(parseInterval('0s')).toBe(0);
    expect(() => parseInterval('abc')).toThrow('--interval: invalid duration "abc"');
    expect(() => parseInterval('5')).toThrow('--interval');
  });
});
