// The config.json of a rootless unpack: the spec made as root's is (config.ts),
// changed as runc's `spec --rootless` changes its default (libcontainer/specconv
// ToRootless, runc 1.1): no network namespace, a user namespace with the maps
// the unpack used (the user as 0, its subordinate ranges after), /sys bound
// from the host (rbind, ro) instead of a new sysfs, no uid=/gid= mount options
// (devpts' gid=5 names a group the namespace may not have), and no
// linux.resources (cgroups are not the user's to set). Pure.
import type { IdMapping } from './idmap';

interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

interface Linux {
  namespaces?: { type: string; path?: string }[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  resources?: unknown;
}

export function toRootless<S extends { mounts?: object[]; linux?: object }>(
  spec: S,
  uidMappings: IdMapping[],
  gidMappings: IdMapping[],
): S {
  const linux = { ...((spec.linux ?? {}) as Linux) };
  linux.namespaces = [
    ...(linux.namespaces ?? []).filter((n) => n.type !== 'network' && n.type !== 'user'),
    { type: 'user' },
  ];
  linux.uidMappings = uidMappings.map((m) => ({ ...m }));
  linux.gidMappings = gidMappings.map((m) => ({ ...m }));
  delete linux.resources;
  const mounts = ((spec.mounts ?? []) as Mount[]).map((m): Mount => {
    if (m.destination.replace(/\/+$/, '') === '/sys')
      return {
        destination: '/sys',
        type: 'none',
        source: '/sys',
        options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
      };
    if (m.options === undefined) return m;
    return { ...m, options: m.options.filter((o) => !o.startsWith('uid=') && !o.startsWith('gid=')) };
  });
  return { ...spec, mounts, linux };
}
