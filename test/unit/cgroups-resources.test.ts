import { describe, expect, it } from 'vitest';
import { kernelMemoryGiven } from '../../src/cgroups/resources-common';
import { v1ResourceWrites } from '../../src/cgroups/resources-v1';
import { updatable } from '../../src/lifecycle/update';

describe('v1ResourceWrites', () => {
  it('maps cpu, cpuset, memory and pids to the files runc writes, in its order', () => {
    expect(
      v1ResourceWrites({
        cpu: { shares: 512n, quota: 10000n, period: 100000n, cpus: '0', mems: '0' },
        memory: { limit: 33554432n, swap: 67108864n, reservation: 16777216n, swappiness: 0n, disableOOMKiller: true },
        pids: { limit: 10n },
      }),
    ).toEqual([
      { controller: 'cpuset', file: 'cpuset.cpus', value: '0' },
      { controller: 'cpuset', file: 'cpuset.mems', value: '0' },
      { controller: 'memory', file: 'memory.limit_in_bytes', value: '33554432' },
      { controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: '67108864' },
      { controller: 'memory', file: 'memory.soft_limit_in_bytes', value: '16777216' },
      { controller: 'memory', file: 'memory.swappiness', value: '0' },
      { controller: 'memory', file: 'memory.oom_control', value: '1' },
      { controller: 'cpu', file: 'cpu.shares', value: '512' },
      { controller: 'cpu', file: 'cpu.cfs_period_us', value: '100000', retryAfterNext: true },
      { controller: 'cpu', file: 'cpu.cfs_quota_us', value: '10000' },
      { controller: 'pids', file: 'pids.max', value: '10' },
    ]);
  });

  it('treats 0 as unset and -1 as unlimited, as runc', () => {
    expect(v1ResourceWrites({ cpu: { shares: 0n }, memory: { limit: -1n }, pids: { limit: -1n } })).toEqual([
      // unlimited memory without a swap value: swap unlimited too, first (runc)
      { controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: '-1', ifExists: true },
      { controller: 'memory', file: 'memory.limit_in_bytes', value: '-1' },
      { controller: 'pids', file: 'pids.max', value: 'max' },
    ]);
  });

  it('ignores kernel memory (runc warns and ignores it), and says when it was given', () => {
    expect(v1ResourceWrites({ memory: { kernel: 1n, kernelTCP: 2n } })).toEqual([]);
    expect(kernelMemoryGiven({ memory: { kernel: 1n } })).toBe(true);
    expect(kernelMemoryGiven({ memory: { kernelTCP: 0n, limit: 5n } })).toBe(false);
  });

  it('refuses what runc refuses once the kernel has it: cpu.shares outside 2..262144, swappiness above 100', () => {
    expect(() => v1ResourceWrites({ cpu: { shares: 1n } })).toThrow(
      'config.json: linux.resources.cpu.shares: 1 is below the minimum of 2',
    );
    expect(() => v1ResourceWrites({ cpu: { shares: 300000n } })).toThrow(
      'config.json: linux.resources.cpu.shares: 300000 is above the maximum of 262144',
    );
    expect(v1ResourceWrites({ cpu: { shares: 262144n } })).toEqual([
      { controller: 'cpu', file: 'cpu.shares', value: '262144' },
    ]);
    expect(() => v1ResourceWrites({ memory: { swappiness: 200n } })).toThrow(
      'config.json: linux.resources.memory.swappiness: invalid value 200 (valid range is 0-100)',
    );
  });

  it('names a resource it cannot write instead of ignoring it', () => {
    expect(() => v1ResourceWrites({ unified: { 'pids.max': '10' } })).toThrow(
      'config.json: linux.resources.unified: invalid configuration: cannot use unified on cgroup v1',
    );
    expect(() => v1ResourceWrites({ hugepageLimits: [{ pageSize: '2M', limit: 1n }] })).toThrow(
      'linux.resources.hugepageLimits[0].pageSize: "2M" is not a page size',
    );
  });

  it('blkio, hugetlb, net_cls/net_prio and rdma files, with bfq as the fallback for weights', () => {
    expect(
      v1ResourceWrites({
        blockIO: {
          weight: 500,
          leafWeight: 300,
          weightDevice: [{ major: 8n, minor: 0n, weight: 200 }],
          throttleReadBpsDevice: [{ major: 8n, minor: 0n, rate: 1000n }],
        },
        hugepageLimits: [{ pageSize: '2MB', limit: 4194304n }],
        network: { classID: 1048577, priorities: [{ name: 'eth0', priority: 5 }] },
        rdma: { mlx4_0: { hcaHandles: 3 } },
      }),
    ).toEqual([
      { controller: 'blkio', file: 'blkio.weight', value: '500', alt: { file: 'blkio.bfq.weight', value: '500' } },
      { controller: 'blkio', file: 'blkio.leaf_weight', value: '300' },
      {
        controller: 'blkio',
        file: 'blkio.weight_device',
        value: '8:0 200',
        alt: { file: 'blkio.bfq.weight_device', value: '8:0 200' },
      },
      { controller: 'blkio', file: 'blkio.throttle.read_bps_device', value: '8:0 1000' },
      { controller: 'hugetlb', file: 'hugetlb.2MB.limit_in_bytes', value: '4194304' },
      { controller: 'net_cls', file: 'net_cls.classid', value: '1048577' },
      { controller: 'net_prio', file: 'net_prio.ifpriomap', value: 'eth0 5' },
      { controller: 'rdma', file: 'rdma.max', value: 'mlx4_0 hca_handle=3 hca_object=max' },
    ]);
  });

  it('orders memsw before the limit when the new total is above the current limit (update)', () => {
    const files = (cur: bigint) =>
      v1ResourceWrites({ memory: { limit: 64n << 20n, swap: 128n << 20n } }, cur).map((w) => w.file);
    expect(files(32n << 20n)).toEqual(['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']);
    expect(files(256n << 20n)).toEqual(['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
  });
});

describe('update -r', () => {
  it('takes only what runc update takes from a resources file', () => {
    expect(
      updatable({
        memory: { limit: 1n, swap: 2n, swappiness: 10n, disableOOMKiller: true },
        cpu: { shares: 3n, burst: 4n },
        blockIO: { weight: 100, throttleReadBpsDevice: [{ major: 8n, minor: 0n, rate: 1n }] },
        hugepageLimits: [{ pageSize: '2MB', limit: 5n }],
        pids: { limit: 6n },
        devices: [{ allow: true, access: 'rwm' }],
      }),
    ).toEqual({ memory: { limit: 1n, swap: 2n }, cpu: { shares: 3n }, blockIO: { weight: 100 }, pids: { limit: 6n } });
  });
});
