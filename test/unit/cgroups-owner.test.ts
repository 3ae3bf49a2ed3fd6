import { describe, expect, it } from 'vitest';
import { cgroupOwner } from '../../src/cgroups/owner';
import { defaultSpec } from '../../src/config/default';

type Cfg = Record<string, any>;
/** runc spec's config on a v2 host (with its cgroup namespace), edited. */
function spec(edit: (c: Cfg) => void = () => {}): any {
  const c = defaultSpec({ cgroupNs: true }) as Cfg;
  edit(c);
  return c;
}
const rwCgroup = (c: Cfg) => {
  const m = c.mounts.find((x: Cfg) => x.destination === '/sys/fs/cgroup');
  m.options = m.options.filter((o: string) => o !== 'ro');
};
const userNs = (c: Cfg) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
};

describe("cgroupOwner (runc's Cgroups.OwnerUID)", () => {
  it('is none with a read-only /sys/fs/cgroup or without a cgroup namespace of its own', () => {
    expect(cgroupOwner(spec(userNs))).toBeUndefined();
    expect(
      cgroupOwner(
        spec((c) => {
          rwCgroup(c);
          userNs(c);
          c.linux.namespaces = c.linux.namespaces.filter((n: Cfg) => n.type !== 'cgroup');
        }),
      ),
    ).toBeUndefined();
    expect(
      cgroupOwner(
        spec((c) => {
          rwCgroup(c);
          c.linux.namespaces.find((n: Cfg) => n.type === 'cgroup').path = '/proc/1/ns/cgroup';
        }),
      ),
    ).toBeUndefined();
  });

  it("is the process's host uid through the user namespace's maps, else the uid itself", () => {
    expect(cgroupOwner(spec((c) => (rwCgroup(c), userNs(c))))).toBe(100000);
    expect(cgroupOwner(spec((c) => (rwCgroup(c), userNs(c), (c.process.user.uid = 5))))).toBe(100005);
    expect(cgroupOwner(spec((c) => (rwCgroup(c), userNs(c), (c.process.user.uid = 70000))))).toBeUndefined();
    expect(cgroupOwner(spec((c) => (rwCgroup(c), (c.process.user.uid = 1000))))).toBe(1000);
    // "rw" after "ro": the last word wins
    expect(
      cgroupOwner(spec((c) => (userNs(c), c.mounts.find((x: Cfg) => x.source === 'cgroup').options.push('rw')))),
    ).toBe(100000);
  });
});
