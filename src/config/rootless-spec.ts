// `spec --rootless`: the default spec turned into one an unprivileged user can
// run, as runc 1.1.5's specconv.ToRootless does it, key order included (Go's
// struct order: uidMappings and gidMappings come first in linux). A rootless
// image unpack makes its config.json so too, with the maps it used.
import * as path from 'node:path';
import type { IdMapping } from './types';

interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

interface SpecShape {
  mounts: Mount[];
  linux: { namespaces: { type: string }[]; resources?: unknown } & Record<string, unknown>;
}

/** The spec for a rootless container of the user `uid`/`gid` (the caller's effective ids). */
export function toRootless<T extends object>(spec: T, uid: number, gid: number): T {
  return toRootlessWith(spec, [{ containerID: 0, hostID: uid, size: 1 }], [{ containerID: 0, hostID: gid, size: 1 }]);
}

/** As toRootless, with these maps (a rootless unpack's: the user as 0, its subordinate ranges after). */
export function toRootlessWith<T extends object>(spec: T, uidMappings: IdMapping[], gidMappings: IdMapping[]): T {
  const s = spec as unknown as SpecShape;
  // The network namespace goes (the user cannot configure one), a user namespace comes last.
  const namespaces = [...s.linux.namespaces.filter((n) => n.type !== 'network' && n.type !== 'user'), { type: 'user' }];
  const mounts = s.mounts.map((m): Mount => {
    // sysfs cannot be mounted without a network namespace of one's own: /sys is bound from the host.
    if (path.posix.normalize(m.destination) === '/sys')
      return {
        destination: '/sys',
        type: 'none',
        source: '/sys',
        options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
      };
    // uid= and gid= name host ids the user may not map.
    const options = m.options?.filter((o) => !o.startsWith('uid=') && !o.startsWith('gid='));
    return { ...m, ...(options !== undefined ? { options } : {}) };
  });
  // In Go's key order: the mappings first, then the rest as it was, namespaces
  // where they were; resources are left out (the user cannot set cgroup limits).
  const linux: Record<string, unknown> = {
    uidMappings: uidMappings.map((m) => ({ ...m })),
    gidMappings: gidMappings.map((m) => ({ ...m })),
  };
  for (const [k, v] of Object.entries(s.linux)) {
    if (k === 'resources' || k === 'uidMappings' || k === 'gidMappings') continue;
    linux[k] = k === 'namespaces' ? namespaces : v;
  }
  return { ...spec, mounts, linux };
}
