// A layered bundle's rootfs (image unpack --layered): config.json's
// annotations name a layer store and the image's layers, and create mounts
// an overlayfs on root.path before the init starts (as containerd mounts a
// snapshot for runc): the layers as lower dirs, top first, and an upper and
// a work dir of the container's own, STORE/containers/ID-RAND/{upper,work}.
// The plan is read in prepare (a bad annotation or a layer not in the store
// is one error there, before anything is made); the core journals it before
// making it, and unmakes it from the record: the overlay unmounted (only if
// the mount on root.path is this one), the container's dir removed (only a
// dir of the store's containers/ named for this container).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mountsAt } from '../cgroups/mounts';
import type { Spec } from '../config/types';
import { MiniRunError } from '../errors';
import {
  containersDir,
  newContainerDir,
  LAYERS_ANNOTATION,
  lowerDirs,
  overlayOptions,
  readLayeredAnnotations,
  withStoreLock,
} from '../image/store';
import type { Addon } from '../native/addon';
import { errnoName } from '../native/errno';
import { UMOUNT } from '../native/kernel-constants.generated';
import type { OverlayMount } from '../state/types';

const upperOf = (o: OverlayMount) => ({ upper: path.join(o.dir, 'upper'), work: path.join(o.dir, 'work') });
const storeOf = (o: OverlayMount) => path.dirname(path.dirname(o.dir));

/**
 * A second container of the same bundle would stack its overlay on the
 * first's, and delete could then unmount neither: refused (a second bundle
 * of the image copies nothing).
 */
function checkNotMounted(target: string, store: string): void {
  const prefix = `upperdir=${containersDir(store)}/`;
  if (
    mountsAt(target).some((m) => m.fstype === 'overlay' && m.superOptions.split(',').some((o) => o.startsWith(prefix)))
  )
    throw new MiniRunError(
      'CONFIG',
      `${target}: another container of this bundle has its layered rootfs mounted there`,
      1,
      {
        source: 'root.path',
      },
    );
}

/** The overlay a config's annotations ask for, checked (its layers in the store); undefined when none. */
export function planOverlay(spec: Spec, rootfs: string, id: string): OverlayMount | undefined {
  const l = readLayeredAnnotations(spec.annotations);
  if (l === undefined) return undefined;
  checkNotMounted(rootfs, l.store);
  const o = {
    target: rootfs,
    dir: newContainerDir(l.store, id),
    lowers: lowerDirs(l),
  };
  overlayOptions(o.lowers, upperOf(o)); // not longer than a mount takes
  return o;
}

/** Makes the container's upper and work dirs and mounts the overlay on root.path (journaled first by the core). */
export function mountOverlay(addon: Addon, o: OverlayMount): void {
  const store = storeOf(o);
  withStoreLock(addon, store, () => {
    // gc may have taken a layer since prepare looked; it cannot while we hold the lock
    const gone = o.lowers.find((l) => !fs.statSync(l, { throwIfNoEntry: false })?.isDirectory());
    if (gone !== undefined)
      throw new MiniRunError('CONFIG', `layer ${path.basename(gone)} is not in the store ${store}`, 1, {
        source: 'config.json',
        field: `annotations["${LAYERS_ANNOTATION}"]`,
      });
    checkNotMounted(o.target, store);
    const { upper, work } = upperOf(o);
    fs.mkdirSync(containersDir(store), { recursive: true, mode: 0o700 });
    fs.mkdirSync(o.dir, { mode: 0o700 });
    fs.mkdirSync(upper);
    fs.mkdirSync(work, { mode: 0o700 });
    // The merged root is the upper dir: it has the top layer's owner, mode and times.
    const top = fs.statSync(o.lowers[0]);
    fs.chownSync(upper, top.uid, top.gid);
    fs.chmodSync(upper, top.mode & 0o7777);
    fs.utimesSync(upper, top.atime, top.mtime);
    try {
      addon.mountOverlay(o.target, overlayOptions(o.lowers, { upper, work }), false);
    } catch (e) {
      throw new MiniRunError('CONFIG', `mount overlay on ${o.target}`, 1, {
        source: 'config.json',
        field: `annotations["${LAYERS_ANNOTATION}"]`,
        errno: errnoName((e as { errno?: number }).errno ?? 0),
      });
    }
  });
}

/** Is the topmost mount on the target our overlay (its upper dir ours)? */
function ourMountOnTop(o: OverlayMount): boolean {
  const top = mountsAt(o.target).pop();
  return top?.fstype === 'overlay' && top.superOptions.split(',').includes(`upperdir=${upperOf(o).upper}`);
}

/** Unmounts the overlay (if ours is there) and removes the container's upper and work dirs. */
export function unmountOverlay(addon: Addon, o: OverlayMount, id: string): void {
  if (ourMountOnTop(o)) addon.umount(o.target, UMOUNT.MNT_DETACH);
  // only ever a container dir of a store, named for this container
  if (path.basename(path.dirname(o.dir)) === 'containers' && path.basename(o.dir).startsWith(`${id}-`))
    fs.rmSync(o.dir, { recursive: true, force: true });
}
