import { describe, expect, it } from 'vitest';
import { dirFor, modeOfDirs, type CgroupDir } from '../../src/cgroups/dirs';

const hybrid: CgroupDir[] = [
  { hierarchy: 'cpu,cpuacct', path: '/sys/fs/cgroup/cpu,cpuacct/c1' },
  { hierarchy: 'memory', path: '/sys/fs/cgroup/memory/c1' },
  { hierarchy: 'unified', path: '/sys/fs/cgroup/unified/c1' },
];
const v2: CgroupDir[] = [{ hierarchy: 'unified', path: '/sys/fs/cgroup/c1' }];

describe('dirFor', () => {
  it('finds the v1 hierarchy that has the controller', () => {
    expect(dirFor(hybrid, 'cpuacct')?.path).toBe('/sys/fs/cgroup/cpu,cpuacct/c1');
    expect(dirFor(hybrid, 'memory', 'hybrid')?.path).toBe('/sys/fs/cgroup/memory/c1');
    expect(dirFor(hybrid, 'pids')).toBeUndefined();
    expect(dirFor(v2, 'memory')).toBeUndefined();
  });

  it('is the unified dir for every controller on v2, and for "unified" on any host', () => {
    expect(dirFor(v2, 'memory', 'v2')?.path).toBe('/sys/fs/cgroup/c1');
    expect(dirFor(hybrid, 'unified')?.path).toBe('/sys/fs/cgroup/unified/c1');
    expect(dirFor(hybrid.slice(0, 2), 'unified')).toBeUndefined();
  });
});

describe('modeOfDirs', () => {
  it('is v2 when every dir is unified', () => {
    expect(modeOfDirs(v2)).toBe('v2');
    expect(modeOfDirs(hybrid)).toBe('v1');
  });
});
