// Paths inside the rootfs being unpacked, resolved one component at a time
// with lstat: a symlink met on the way is resolved inside the rootfs (an
// absolute target starts again at the rootfs), as umoci and containerd
// resolve them, so that `/bin -> usr/bin` from one layer and `bin/sh` from a
// later one land in usr/bin. A symlink whose target climbs above the rootfs
// (`../../..`) is refused rather than clamped: no image needs that, and a
// layer that tries it is hostile. The unpack runs alone on a directory it
// made, so nothing changes the tree between the lstat and the use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { entryError } from './paths';

const MAX_LINKS = 40; // as the kernel's MAXSYMLINKS

export interface Resolve {
  /** the host path of the rootfs */
  root: string;
  /** names the layer and entry in errors */
  layer: string;
  name: string;
  /** make missing directories on the way (0755, root), as tar does for an entry's parents */
  create: boolean;
  /** makes such a directory instead (a layer dir of its own takes the lower layers' metadata) */
  mkdir?: (hostPath: string, parts: string[]) => void;
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * The host path of the directory that holds `parts`' last component, every
 * component before it resolved inside the root; null when a directory on the
 * way is missing and `create` is false. The last component is not followed.
 */
export function resolveParent(parts: string[], r: Resolve): string | null {
  return walk(parts.slice(0, -1), r, true);
}

/**
 * The host path of `parts` with every symlink on it followed inside the root,
 * the last one too (for reading the image's /etc/passwd); null if missing.
 */
export function resolveFollowing(parts: string[], r: Resolve): string | null {
  return walk(parts, { ...r, create: false }, false);
}

function walk(parts: string[], r: Resolve, allDirs: boolean): string | null {
  const resolved: string[] = [];
  const queue = [...parts];
  let links = 0;
  while (queue.length > 0) {
    const c = queue.shift() as string;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (resolved.length === 0)
        throw entryError(r.layer, r.name, 'a symlink on its path leads out of the rootfs: refused');
      resolved.pop();
      continue;
    }
    const here = path.join(r.root, ...resolved, c);
    const st = lstatOrNull(here);
    if (st === null) {
      if (!r.create) return null;
      if (r.mkdir) r.mkdir(here, [...resolved, c]);
      else {
        fs.mkdirSync(here);
        fs.chmodSync(here, 0o755); // whatever the umask
      }
      resolved.push(c);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw entryError(r.layer, r.name, 'too many symlinks on its path');
      const target = fs.readlinkSync(here);
      if (target.startsWith('/')) resolved.length = 0;
      queue.unshift(...target.split('/'));
      continue;
    }
    if (!st.isDirectory() && (allDirs || queue.length > 0))
      throw entryError(r.layer, r.name, `${[...resolved, c].join('/')} is not a directory`);
    resolved.push(c);
  }
  return path.join(r.root, ...resolved);
}

/** The host path of `parts` (last component not followed); null as resolveParent. */
export function resolveEntry(parts: string[], r: Resolve): string | null {
  const parent = resolveParent(parts, r);
  return parent === null ? null : path.join(parent, parts[parts.length - 1]);
}
