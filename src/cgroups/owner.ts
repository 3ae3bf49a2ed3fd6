// Who owns a container's cgroup, as runc's specconv sets Cgroups.OwnerUID: with a cgroup namespace
// of its own and /sys/fs/cgroup mounted read-write, the process's user (its host uid through the
// user namespace's maps; without a user namespace, the uid itself), so that the container can use
// the cgroup it sees. runc 1.1.5's systemd driver on cgroup v2 then chowns the cgroup and the files
// the kernel lists for delegation (manage.ts).
import * as path from 'node:path';
import type { Spec } from '../config/types';
import { toHost } from '../image/idmap';
import { MS } from '../native/kernel-constants.generated';
import { parseMountOptions } from '../plan/mount-options';

export function cgroupOwner(spec: Pick<Spec, 'process' | 'mounts' | 'linux'>): number | undefined {
  const namespaces = spec.linux?.namespaces ?? [];
  if (!namespaces.some((n) => n.type === 'cgroup' && !n.path)) return undefined;
  const rw = (spec.mounts ?? []).some(
    (m) =>
      m.source === 'cgroup' &&
      path.posix.normalize(m.destination) === '/sys/fs/cgroup' &&
      (parseMountOptions(m.options ?? []).flags & MS.RDONLY) === 0n,
  );
  if (!rw) return undefined;
  const uid = spec.process?.user?.uid ?? 0;
  if (!namespaces.some((n) => n.type === 'user')) return uid;
  // unmapped, or no maps: no owner (runc ignores the error; it is checked elsewhere)
  return toHost(spec.linux?.uidMappings ?? [], uid);
}
