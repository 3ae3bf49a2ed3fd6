// What a rootless caller's config must have, checked up front as runc's
// validator (configs/validate/rootless.go) checks it: a user namespace of its
// own with a uid and a gid mapping, and no uid=/gid= mount option naming an
// id the container does not map.
import { configError } from '../errors';
import type { IdMapping, Spec } from './types';

function mapped(id: number, maps: readonly IdMapping[]): boolean {
  return maps.some((m) => id >= m.containerID && id < m.containerID + m.size);
}

export function checkRootless(spec: Spec): void {
  const linux = spec.linux ?? {};
  if (!(linux.namespaces ?? []).some((n) => n.type === 'user'))
    throw configError('linux.namespaces', 'rootless container requires user namespaces');
  if ((linux.uidMappings ?? []).length === 0)
    throw configError('linux.uidMappings', 'rootless containers requires at least one UID mapping');
  if ((linux.gidMappings ?? []).length === 0)
    throw configError('linux.gidMappings', 'rootless containers requires at least one GID mapping');
  (spec.mounts ?? []).forEach((m, i) => {
    for (const o of m.options ?? []) {
      const [, kind, num] = /^(uid|gid)=(\d+)/.exec(o) ?? [];
      if (!kind) continue;
      const maps = (kind === 'uid' ? linux.uidMappings : linux.gidMappings) ?? [];
      if (!mapped(Number(num), maps))
        throw configError(
          `mounts[${i}].options`,
          `${o}: cannot specify ${kind}= mount options for unmapped ${kind} in rootless containers`,
        );
    }
  });
}
