// The names in a layer tar, before anything is touched: normalised into path
// components relative to the rootfs, and whiteouts (image-spec layer.md)
// recognised. Pure.
//
// A leading "/" is stripped, as tar(1) does ("Removing leading `/' from member
// names"): image tools write such names, and what they name is resolved
// inside the rootfs like any other. A ".." component is refused: a layer has
// no business naming anything through its parent, and stripping it would
// change what the entry means.
import { MiniRunError } from '../errors';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE = '.wh..wh..opq';

export type EntryPath =
  /** the rootfs itself ("./", "/") */
  | { kind: 'root' }
  | { kind: 'plain'; parts: string[] }
  /** delete parts (the named sibling) */
  | { kind: 'whiteout'; parts: string[] }
  /** empty the directory parts of what lower layers put there */
  | { kind: 'opaque'; parts: string[] }
  /** other .wh..wh.* names (aufs metadata): ignored, as the image-spec says */
  | { kind: 'meta' };

export function entryError(layer: string, name: string, reason: string): MiniRunError {
  return new MiniRunError('IMAGE', reason, 1, { source: layer, field: JSON.stringify(name) });
}

/** The components of a tar name (or a hard link's target), "." and empty ones dropped; ".." refused. */
export function splitName(name: string, layer: string): string[] {
  if (name.includes('\0')) throw entryError(layer, name, 'a NUL byte in the name');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw entryError(layer, name, 'a ".." component: refused');
  return parts;
}

export function classifyEntry(name: string, layer: string): EntryPath {
  const parts = splitName(name, layer);
  if (parts.length === 0) return { kind: 'root' };
  const base = parts[parts.length - 1];
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'plain', parts };
  const dir = parts.slice(0, -1);
  if (base === OPAQUE) return { kind: 'opaque', parts: dir };
  if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return { kind: 'meta' };
  const target = base.slice(WHITEOUT_PREFIX.length);
  if (target === '' || target === '.' || target === '..')
    throw entryError(layer, name, `a whiteout of "${target}": refused`);
  return { kind: 'whiteout', parts: [...dir, target] };
}
