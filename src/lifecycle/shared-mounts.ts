// A container without a mount namespace of its own (none in linux.namespaces)
// inherits the runtime's, as the runtime-spec says: its init makes the rootfs
// bind and the config's mounts there, where they would outlive it (runc leaves
// them). minirun counts the mounts on the rootfs path before create and, when
// the container goes (run's end, delete, a failed create), detaches what was
// stacked on top since: the rootfs bind, and everything below it with it.
import { mountsAt } from '../cgroups/mounts';
import type { Addon } from '../native/addon';
import { UMOUNT } from '../native/kernel-constants.generated';
import type { Spec } from '../config/types';

/** How many mounts have `dir` as their mount point. */
function mountsOn(dir: string): number {
  return mountsAt(dir).length;
}

/** For a config without a mount namespace: how many mounts the rootfs path has now; else undefined. */
export function rootfsMountsBefore(spec: Spec, rootfs: string): number | undefined {
  if ((spec.linux?.namespaces ?? []).some((n) => n.type === 'mount')) return undefined;
  return mountsOn(rootfs);
}

/** Detaches the mounts stacked on the rootfs path since `before` was counted. */
export function unmountShared(addon: Addon, rootfs: string, before: number | undefined): void {
  if (before === undefined) return;
  for (let n = mountsOn(rootfs); n > before; n--) {
    if (addon.umount(rootfs, UMOUNT.MNT_DETACH) !== 0) return;
  }
}
