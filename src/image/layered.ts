// `image unpack --layered`: each layer is extracted once into the store
// (store.ts), keyed by its diff id, in a dir of its own with overlayfs's
// whiteouts (overlay-layer.ts); a layer already there is used as it is. A
// layer is extracted under a temp name, its uncompressed bytes checked
// against the diff id, and renamed into place only when complete: a crash
// leaves a temp dir (gc removes it), never a half layer that looks complete,
// and of two unpacks extracting the same layer at once, the second to finish
// uses the first's. Then, holding the store's lock (so that gc cannot take a
// layer between the check and the reference): the layers are checked to be
// there, the image's user is resolved in a read-only overlay of them, and
// config.json (with the annotations that name the store and the layers) and
// the bundle's reference are written. BUNDLE/rootfs stays empty: create
// mounts the overlay there (lifecycle/overlay.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import type { Addon } from '../native/addon';
import { errnoName } from '../native/errno';
import { UMOUNT } from '../native/kernel-constants.generated';
import { blobError, checkingDiffId } from './blobs';
import { applyLayer, type Counts, type Limits, openLayer } from './layer';
import type { Layer, ResolvedImage } from './layout';
import { overlayStyle } from './overlay-layer';
import { isDigest } from './reference';
import {
  type LayeredRootfs,
  layerDir,
  layeredAnnotations,
  lowerDirs,
  openStore,
  overlayOptions,
  tmpName,
  withStoreLock,
  writeReference,
} from './store';

export type LayeredAddon = Pick<Addon, 'mknod' | 'lsetxattr' | 'mountOverlay' | 'umount' | 'lockDir' | 'close'>;

/** The image config's rootfs.diff_ids: one sha256 digest per layer. */
export function diffIdsOf(config: Record<string, unknown>, layers: number): string[] {
  const ids = (config.rootfs as { diff_ids?: unknown } | undefined)?.diff_ids;
  if (!Array.isArray(ids) || ids.length !== layers || !ids.every((d) => isDigest(d)))
    throw blobError('image config', `rootfs.diff_ids must be ${layers} sha256 digests, one per layer`);
  return ids;
}

/** Extracts `layer` into the store unless it is there; `lowers` are the dirs of the layers below it, top first. */
async function ensureLayer(
  store: string,
  layer: Layer,
  diffId: string,
  lowers: string[],
  limits: Limits,
  counts: Counts,
  addon: LayeredAddon,
): Promise<void> {
  const final = layerDir(store, diffId);
  if (fs.existsSync(final)) return;
  const tmp = tmpName(store, diffId.slice('sha256:'.length, 'sha256:'.length + 12));
  fs.mkdirSync(tmp, { mode: 0o755 });
  try {
    fs.chmodSync(tmp, 0o755); // whatever the umask; a layer's "./" entry may set it
    const overlay = overlayStyle(lowers);
    const tar = checkingDiffId(openLayer(layer.file, layer.what), diffId, layer.what);
    await applyLayer(tmp, tar, layer.what, limits, counts, addon, undefined, overlay.style);
    overlay.finish();
    try {
      fs.renameSync(tmp, final);
    } catch (e) {
      // another unpack put it there first: theirs is the same layer
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs `f` on a read-only view of the layers (top first): the one layer's dir, or an overlay of them. */
function withView<T>(addon: LayeredAddon, store: string, lowers: string[], f: (root: string) => T): T {
  if (lowers.length === 1) return f(lowers[0]);
  const view = tmpName(store, 'view');
  fs.mkdirSync(view, { mode: 0o700 });
  try {
    try {
      addon.mountOverlay(view, overlayOptions(lowers), true);
    } catch (e) {
      throw new MiniRunError('IMAGE', `mount a read-only overlay of the layers on ${view}`, 1, {
        source: `store ${store}`,
        errno: errnoName((e as { errno?: number }).errno ?? 0),
      });
    }
    try {
      return f(view);
    } finally {
      addon.umount(view, UMOUNT.MNT_DETACH);
    }
  } finally {
    fs.rmdirSync(view);
  }
}

/**
 * The layers into the store, then (under its lock) `finish` with a view of
 * the merged rootfs and the annotations for config.json, and the bundle's
 * reference. A layer gc takes between the extraction and the lock is
 * extracted again.
 */
export async function unpackLayered(
  image: ResolvedImage,
  store: string,
  bundle: string,
  limits: Limits,
  addon: LayeredAddon,
  finish: (root: string, annotations: Record<string, string>) => void,
): Promise<void> {
  const diffIds = diffIdsOf(image.config, image.layers.length);
  if (diffIds.length === 0) throw blobError('image config', 'has no layers: nothing to mount');
  openStore(store);
  const counts = { entries: 0 };
  const l: LayeredRootfs = { store, diffIds };
  for (let attempt = 1; ; attempt++) {
    for (const [i, layer] of image.layers.entries()) {
      const lowers = diffIds
        .slice(0, i)
        .reverse()
        .map((d) => layerDir(store, d));
      await ensureLayer(store, layer, diffIds[i], lowers, limits, counts, addon);
    }
    const done = withStoreLock(addon, store, () => {
      if (diffIds.some((d) => !fs.existsSync(layerDir(store, d)))) return false;
      withView(addon, store, lowerDirs(l), (root) => finish(root, layeredAnnotations(l)));
      writeReference({ bundle: path.resolve(bundle), store, diffIds });
      return true;
    });
    if (done) return;
    if (attempt === 3)
      throw new MiniRunError('IMAGE', 'its layers were removed (by gc) as fast as they were extracted', 1, {
        source: `store ${store}`,
      });
  }
}
