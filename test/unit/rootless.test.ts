// Rootless, the parts that need no privilege: spec --rootless against the
// spec runc 1.1.5 writes, the cgroup plan of a user who cannot make cgroups,
// and runc's up-front checks of a rootless caller's config.
import { describe, expect, it } from 'vitest';
import { planFrom } from '../../src/cgroups/plan';
import { defaultSpec } from '../../src/config/default';
import { parseSpec } from '../../src/config/load';
import { checkRootless } from '../../src/config/rootless-check';
import { toRootless } from '../../src/config/rootless-spec';

const MOUNTINFO = [
  '30 23 0:26 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:4 - cgroup cgroup rw,memory',
  '31 23 0:27 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:5 - cgroup cgroup rw,pids',
  '32 23 0:28 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:6 - cgroup cgroup rw,devices',
].join('\n');
const PROC_CGROUP = '3:memory:/user/a\n2:pids:/\n1:devices:/\n';

describe('spec --rootless', () => {
  const spec = toRootless(defaultSpec(), 1234, 567) as any;

  it('maps the caller to root, drops the network namespace and the resources, adds a user namespace last', () => {
    expect(spec.linux.uidMappings).toEqual([{ containerID: 0, hostID: 1234, size: 1 }]);
    expect(spec.linux.gidMappings).toEqual([{ containerID: 0, hostID: 567, size: 1 }]);
    expect(spec.linux.namespaces.map((n: { type: string }) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'user']);
    expect(spec.linux.resources).toBeUndefined();
    // Go's key order: the mappings first, namespaces where they were
    expect(Object.keys(spec.linux)).toEqual([
      'uidMappings',
      'gidMappings',
      'namespaces',
      'maskedPaths',
      'readonlyPaths',
    ]);
  });

  it('binds /sys from the host and drops uid= and gid= options', () => {
    expect(spec.mounts.find((m: { destination: string }) => m.destination === '/sys')).toEqual({
      destination: '/sys',
      type: 'none',
      source: '/sys',
      options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
    });
    const pts = spec.mounts.find((m: { destination: string }) => m.destination === '/dev/pts');
    expect(pts.options).toEqual(['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620']);
  });
});

describe('rootless cgroups (runc fs manager)', () => {
  // the user can make cgroups in the pids hierarchy only
  const canUse = (dir: string) => dir.startsWith('/sys/fs/cgroup/pids/');

  it('leaves out the hierarchies the user cannot use; the container sees our own cgroup there', () => {
    const plan = planFrom({ id: 'c1', deviceRules: [], rootless: true }, MOUNTINFO, PROC_CGROUP, [], canUse);
    expect(plan.dirs.map((d) => d.path)).toEqual(['/sys/fs/cgroup/pids/c1']);
    expect(plan.v1Binds).toEqual([
      { source: '/sys/fs/cgroup/memory/user/a', name: 'memory' },
      { source: '/sys/fs/cgroup/pids/c1', name: 'pids' },
      { source: '/sys/fs/cgroup/devices', name: 'devices' },
    ]);
    expect(plan.rootless).toBe(true);
  });

  it('a limit on a hierarchy left out is runc error; one on a usable one is written', () => {
    const req = { id: 'c1', deviceRules: [], rootless: true };
    expect(() =>
      planFrom({ ...req, resources: { memory: { limit: 1048576n } } }, MOUNTINFO, PROC_CGROUP, [], canUse),
    ).toThrow('cannot set memory limit: container could not join or create cgroup');
    const plan = planFrom({ ...req, resources: { pids: { limit: 10n } } }, MOUNTINFO, PROC_CGROUP, [], canUse);
    expect(plan.writes.map((w) => w.file)).toEqual(['pids.max']);
  });

  it('not rootless, or with a cgroupsPath: nothing is left out (the errors come when it is made)', () => {
    for (const req of [
      { id: 'c1', deviceRules: [] },
      { id: 'c1', deviceRules: [], rootless: true, cgroupsPath: '/mine/c1' },
    ]) {
      expect(planFrom(req, MOUNTINFO, PROC_CGROUP, [], canUse).dirs).toHaveLength(3);
    }
  });
});

describe("a rootless caller's config (runc's validator)", () => {
  const base = () => toRootless(defaultSpec(), 1000, 1000) as any;
  const check = (edit: (s: any) => void) => {
    const s = base();
    edit(s);
    return () => checkRootless(parseSpec(JSON.stringify(s)));
  };

  it('accepts the rootless spec and a uid= option of a mapped id', () => {
    expect(check(() => {})).not.toThrow();
    expect(
      check((s) => s.mounts.push({ destination: '/t', type: 'tmpfs', source: 't', options: ['uid=0'] })),
    ).not.toThrow();
  });

  it('refuses what runc refuses, naming the field', () => {
    expect(check((s) => (s.linux.namespaces = s.linux.namespaces.filter((n: any) => n.type !== 'user')))).toThrow(
      /requires/,
    );
    expect(check((s) => s.mounts.push({ destination: '/t', type: 'tmpfs', source: 't', options: ['gid=5'] }))).toThrow(
      'gid=5: cannot specify gid= mount options for unmapped gid in rootless containers',
    );
  });
});
