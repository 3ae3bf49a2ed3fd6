// The guest that run.sh boots is a pure cgroup v2 host: that is what the rest of test/vm relies on.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the test VM', () => {
  it('has cgroup2 at /sys/fs/cgroup and no cgroup v1 hierarchy', () => {
    const mounts = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const f = l.split(' ');
        return { point: f[4], fstype: f[f.indexOf('-') + 1] };
      });
    expect(mounts.filter((m) => m.fstype === 'cgroup')).toEqual([]);
    expect(mounts.filter((m) => m.fstype === 'cgroup2').map((m) => m.point)).toEqual(['/sys/fs/cgroup']);
    expect(fs.readFileSync('/proc/cmdline', 'utf8')).toContain('cgroup_no_v1=all');
  });

  it('offers the cpu, memory, pids and io controllers', () => {
    const controllers = fs.readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim().split(' ');
    expect(controllers).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids', 'io']));
  });
});
