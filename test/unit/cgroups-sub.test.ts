// exec --cgroup: the arguments read as runc 1.1.5 reads them, and the
// container's cgroup dirs moved to the sub-cgroups they name.
import { describe, expect, it } from 'vitest';
import type { CgroupDir } from '../../src/cgroups/dirs';
import { parseSubCgroups, subCgroupDirs } from '../../src/cgroups/sub';

const v1: CgroupDir[] = [
  { hierarchy: 'cpu,cpuacct', path: '/sys/fs/cgroup/cpu,cpuacct/c1' },
  { hierarchy: 'memory', path: '/sys/fs/cgroup/memory/c1' },
  { hierarchy: 'systemd', path: '/sys/fs/cgroup/systemd/c1' },
  { hierarchy: 'unified', path: '/sys/fs/cgroup/unified/c1' },
];
const v2: CgroupDir[] = [{ hierarchy: 'unified', path: '/sys/fs/cgroup/c1' }];
const paths = (dirs: CgroupDir[]) => dirs.map((d) => d.path);

describe('parseSubCgroups', () => {
  it('reads a path alone, and controller lists with a path', () => {
    expect([...parseSubCgroups(['a/b'])]).toEqual([['', 'a/b']]);
    expect([...parseSubCgroups(['cpu,memory:x', 'pids:y'])]).toEqual([
      ['cpu', 'x'],
      ['memory', 'x'],
      ['pids', 'y'],
    ]);
    expect([...parseSubCgroups([])]).toEqual([]);
  });

  it('refuses two colons, and a path alone among several --cgroup', () => {
    expect(() => parseSubCgroups(['a:b:c'])).toThrow('--cgroup: "a:b:c": must be [<controller>:]<path>');
    expect(() => parseSubCgroups(['x', 'cpu:y'])).toThrow(
      '--cgroup: "x": needs a <controller>: prefix when --cgroup is given more than once',
    );
  });
});

describe('subCgroupDirs', () => {
  it('a path alone moves every hierarchy, the unified one too', () => {
    expect(paths(subCgroupDirs(v1, parseSubCgroups(['s'])))).toEqual(v1.map((d) => `${d.path}/s`));
    expect(paths(subCgroupDirs(v2, parseSubCgroups(['s/t/'])))).toEqual(['/sys/fs/cgroup/c1/s/t']);
  });

  it('a controller moves its hierarchy only (a shared one by either name; name=systemd as runc names it)', () => {
    expect(paths(subCgroupDirs(v1, parseSubCgroups(['cpuacct:s', 'name=systemd:/u'])))).toEqual([
      '/sys/fs/cgroup/cpu,cpuacct/c1/s',
      '/sys/fs/cgroup/memory/c1',
      '/sys/fs/cgroup/systemd/c1/u',
      '/sys/fs/cgroup/unified/c1',
    ]);
  });

  it('nothing given: the dirs as they are', () => {
    expect(subCgroupDirs(v1, new Map())).toEqual(v1);
  });

  it('refuses unknown controllers and paths out of the container cgroup', () => {
    expect(() => subCgroupDirs(v1, parseSubCgroups(['unified:s']))).toThrow(
      '--cgroup: unknown controller "unified" (the container\'s are cpu, cpuacct, memory, name=systemd)',
    );
    expect(() => subCgroupDirs(v2, parseSubCgroups(['memory:s']))).toThrow(
      '--cgroup: unknown controller "memory" (on cgroup v2, give the path alone)',
    );
    expect(() => subCgroupDirs(v1, parseSubCgroups(['memory:../c2']))).toThrow(
      "--cgroup: ../c2 is not a sub cgroup path (it leads out of the container's cgroup /sys/fs/cgroup/memory/c1)",
    );
    // runc compares string prefixes and would let this one out into c1x
    expect(() => subCgroupDirs(v2, parseSubCgroups(['a/../../c1x']))).toThrow('a/../../c1x is not a sub cgroup path');
    expect(paths(subCgroupDirs(v2, parseSubCgroups(['a/..'])))).toEqual(['/sys/fs/cgroup/c1']);
  });
});
