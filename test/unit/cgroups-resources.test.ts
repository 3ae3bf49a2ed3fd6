import { describe, expect, it } from 'vitest';
import { v1Writes } from '../../src/cgroups/resources';

describe('v1Writes', () => {
  it('maps cpu, cpuset, memory and pids to the files runc writes, in its order', () => {
    expect(
      v1Writes({
        cpu: { shares: 512n, quota: 10000n, period: 100000n, cpus: '0', mems: '0' },
        memory: { limit: 33554432n, swap: 67108864n, reservation: 16777216n, swappiness: 0n, disableOOMKiller: true },
        pids: { limit: 10n },
      }),
    ).toEqual([
      { controller: 'cpuset', file: 'cpuset.cpus', value: '0' },
      { controller: 'cpuset', file: 'cpuset.mems', value: '0' },
      { controller: 'cpu', file: 'cpu.shares', value: '512' },
      { controller: 'cpu', file: 'cpu.cfs_period_us', value: '100000' },
      { controller: 'cpu', file: 'cpu.cfs_quota_us', value: '10000' },
      { controller: 'memory', file: 'memory.limit_in_bytes', value: '33554432' },
      { controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: '67108864' },
      { controller: 'memory', file: 'memory.soft_limit_in_bytes', value: '16777216' },
      { controller: 'memory', file: 'memory.swappiness', value: '0' },
      { controller: 'memory', file: 'memory.oom_control', value: '1' },
      { controller: 'pids', file: 'pids.max', value: '10' },
    ]);
  });

  it('treats 0 as unset and -1 as unlimited, as runc', () => {
    expect(v1Writes({ cpu: { shares: 0n }, memory: { limit: -1n }, pids: { limit: -1n } })).toEqual([
      { controller: 'memory', file: 'memory.limit_in_bytes', value: '-1' },
      { controller: 'pids', file: 'pids.max', value: 'max' },
    ]);
  });

  it('names a resource it does not implement yet instead of ignoring it', () => {
    expect(() => v1Writes({ blockIO: { weight: 10 } })).toThrow('config.json: linux.resources.blockIO: not supported yet');
    expect(() => v1Writes({ cpu: { realtimeRuntime: 1n } })).toThrow('config.json: linux.resources.cpu.realtimeRuntime: not supported yet');
    expect(() => v1Writes({ hugepageLimits: [] })).toThrow('config.json: linux.resources.hugepageLimits: not supported yet');
  });
});
