// The layer store of layered unpacks (`image unpack --layered`), shared by
// bundles and containers:
//   STORE/layers/HEX        one dir per layer, keyed by its diff id (the sha256
//                           of the uncompressed tar), whiteouts as overlayfs
//                           marks them; only complete ones are here
//   STORE/tmp/NAME.PID.RAND a layer being extracted (renamed into layers/ once
//                           complete), a read-only view, a layer gc removes
//   STORE/refs/HASH.json    a reference: a bundle and the layers its config names
//   STORE/containers/ID-RAND  a container's upper and work dirs (lifecycle/overlay.ts)
//   STORE/lock              flock'ed while references are written, layers
//                           checked and mounted, and by gc
// The store path goes into overlayfs's mount options: it must be absolute and
// free of the characters those options use (",", ":", "\", whitespace).
import type * as Crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { isDigest } from './reference';

/** The annotations a layered bundle's config.json carries. */
export const STORE_ANNOTATION = 'run.minirun.rootfs.store';
/** The image's diff ids, bottom layer first (as the image config lists them), comma-separated. */
export const LAYERS_ANNOTATION = 'run.minirun.rootfs.layers';

export interface LayeredRootfs {
  store: string;
  /** bottom layer first */
  diffIds: string[];
}

const BAD_CHARS = /[,:\\\s]/;

/** Why a store path cannot be used, or undefined when it can. */
export function storePathProblem(store: string): string | undefined {
  if (!path.isAbsolute(store)) return 'must be an absolute path';
  if (BAD_CHARS.test(store)) return 'must not contain ",", ":", "\\" or whitespace (overlayfs mount options)';
  if (path.normalize(store) !== store || (store.endsWith('/') && store !== '/'))
    return 'must be a normalised path (no "." or ".." components, no trailing "/")';
  return undefined;
}

export function checkStorePath(store: string): string {
  const problem = storePathProblem(store);
  if (problem) throw new MiniRunError('USAGE', problem, 1, { source: `--store ${store}` });
  return store;
}

export function layersDir(store: string): string {
  return path.join(store, 'layers');
}
export function layerDir(store: string, diffId: string): string {
  return path.join(store, 'layers', diffId.slice('sha256:'.length));
}
export function tmpDir(store: string): string {
  return path.join(store, 'tmp');
}
export function refsDir(store: string): string {
  return path.join(store, 'refs');
}
/**
 * node:crypto (~3 ms to load), loaded when a name is made: create, run and delete
 * import this module (a layered rootfs's overlay) but need it only for a layered bundle.
 */
function crypto(): typeof Crypto {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load (~3 ms)
  return require('node:crypto') as typeof Crypto;
}

export function containersDir(store: string): string {
  return path.join(store, 'containers');
}

/** A fresh name under STORE/tmp: `what.PID.RAND`, so that gc can tell whether its maker lives. */
export function tmpName(store: string, what: string): string {
  return path.join(tmpDir(store), `${what}.${process.pid}.${crypto().randomBytes(4).toString('hex')}`);
}

/** A fresh dir under STORE/containers for a container's overlay (its upper and work dirs): `ID-RAND`. */
export function newContainerDir(store: string, id: string): string {
  return path.join(containersDir(store), `${id}-${crypto().randomBytes(4).toString('hex')}`);
}

/** Makes the store's dirs (root only: 0700 top). */
export function openStore(store: string): void {
  try {
    fs.mkdirSync(store, { recursive: true, mode: 0o700 });
    for (const d of [layersDir(store), tmpDir(store), refsDir(store), containersDir(store)])
      fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new MiniRunError('IMAGE', 'cannot create the store', 1, {
      source: `store ${store}`,
      errno: (e as NodeJS.ErrnoException).code,
    });
  }
}

/** Runs `f` holding the store's lock (an flock on STORE/lock, released by the kernel if we die). */
export function withStoreLock<T>(
  locker: { lockDir(p: string): number; close(fd: number): void },
  store: string,
  f: () => T,
): T {
  const lock = path.join(store, 'lock');
  fs.mkdirSync(lock, { recursive: true, mode: 0o700 });
  const fd = locker.lockDir(lock);
  try {
    return f();
  } finally {
    locker.close(fd);
  }
}

/** The two annotations of a layered bundle. */
export function layeredAnnotations(l: LayeredRootfs): Record<string, string> {
  return { [STORE_ANNOTATION]: l.store, [LAYERS_ANNOTATION]: l.diffIds.join(',') };
}

function annotationError(name: string, reason: string): MiniRunError {
  return new MiniRunError('CONFIG', reason, 1, { source: 'config.json', field: `annotations["${name}"]` });
}

/**
 * The layered rootfs a config's annotations name, checked; undefined when
 * it has neither annotation. Pure: whether the layers are in the store is
 * for the caller.
 */
export function readLayeredAnnotations(annotations: Record<string, unknown> | undefined): LayeredRootfs | undefined {
  const store = annotations?.[STORE_ANNOTATION];
  const layers = annotations?.[LAYERS_ANNOTATION];
  if (store === undefined && layers === undefined) return undefined;
  if (layers === undefined) throw annotationError(LAYERS_ANNOTATION, `is missing (${STORE_ANNOTATION} is set)`);
  if (store === undefined) throw annotationError(STORE_ANNOTATION, `is missing (${LAYERS_ANNOTATION} is set)`);
  if (typeof store !== 'string') throw annotationError(STORE_ANNOTATION, 'must be a string');
  const problem = storePathProblem(store);
  if (problem) throw annotationError(STORE_ANNOTATION, `${JSON.stringify(store)}: ${problem}`);
  if (typeof layers !== 'string' || layers === '')
    throw annotationError(LAYERS_ANNOTATION, 'must be a non-empty, comma-separated list of sha256 diff ids');
  const diffIds = layers.split(',');
  const bad = diffIds.find((d) => !isDigest(d));
  if (bad !== undefined) throw annotationError(LAYERS_ANNOTATION, `${JSON.stringify(bad)} is not a sha256 diff id`);
  return { store, diffIds };
}

/**
 * overlayfs's lowerdir list for the layers: top layer first, each layer once
 * (a layer met again higher up is taken at its highest place: the lower copy
 * adds nothing under it). The dirs are checked to be in the store.
 */
export function lowerDirs(l: LayeredRootfs): string[] {
  const out: string[] = [];
  for (const d of [...l.diffIds].reverse()) {
    const dir = layerDir(l.store, d);
    if (out.includes(dir)) continue;
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    if (!st?.isDirectory())
      throw annotationError(LAYERS_ANNOTATION, `layer ${d} is not in the store ${l.store} (was it removed by gc?)`);
    out.push(dir);
  }
  return out;
}

/** overlayfs's mount data is one page: longer option strings are refused here, with the reason. */
export const MAX_MOUNT_OPTIONS = 4095;

/** overlayfs's mount options: the lower dirs (top first), and the upper and work dirs when given. */
export function overlayOptions(lowers: string[], rw?: { upper: string; work: string }): string {
  const o = `lowerdir=${lowers.join(':')}${rw ? `,upperdir=${rw.upper},workdir=${rw.work}` : ''}`;
  if (o.length > MAX_MOUNT_OPTIONS)
    throw annotationError(
      LAYERS_ANNOTATION,
      `${lowers.length} layers make overlayfs's mount options ${o.length} bytes, over ${MAX_MOUNT_OPTIONS}`,
    );
  return o;
}

export interface Reference {
  bundle: string;
  store: string;
  diffIds: string[];
}

function refFile(store: string, bundle: string): string {
  return path.join(refsDir(store), `${crypto().createHash('sha256').update(bundle).digest('hex')}.json`);
}

/** Records that `bundle`'s config.json names these layers (under the store lock). */
export function writeReference(ref: Reference): void {
  const file = refFile(ref.store, ref.bundle);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(ref), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Does the bundle's config.json still name this reference's store and layers? */
export function referenceHolds(ref: Reference): boolean {
  try {
    const spec = JSON.parse(fs.readFileSync(path.join(ref.bundle, 'config.json'), 'utf8')) as {
      annotations?: Record<string, unknown>;
    };
    const l = readLayeredAnnotations(spec.annotations);
    return l !== undefined && l.store === ref.store && l.diffIds.join(',') === ref.diffIds.join(',');
  } catch {
    return false;
  }
}

/** The references in the store, with their files; unreadable ones as null (gc drops them). */
export function readReferences(store: string): { file: string; ref: Reference | null }[] {
  const out: { file: string; ref: Reference | null }[] = [];
  for (const name of fs.readdirSync(refsDir(store)).sort()) {
    const file = path.join(refsDir(store), name);
    if (!name.endsWith('.json')) continue;
    try {
      const r = JSON.parse(fs.readFileSync(file, 'utf8')) as Reference;
      const ok =
        typeof r.bundle === 'string' &&
        r.store === store &&
        Array.isArray(r.diffIds) &&
        r.diffIds.every((d) => isDigest(d));
      out.push({ file, ref: ok ? r : null });
    } catch {
      out.push({ file, ref: null });
    }
  }
  return out;
}
