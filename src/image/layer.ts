// Applying one layer tar to the rootfs (image-spec layer.md): entries in
// order, whiteouts and opaque directories against what the lower layers
// made, then owners, modes, xattrs and mtimes as the tar has them. Every
// path is resolved inside the rootfs (in-root.ts); a name with a ".."
// component, a hard link to outside the rootfs, an entry over the size cap
// or more entries than the count cap are refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { MiniRunError } from '../errors';
import { warn } from '../log';
import type { Addon } from '../native/addon';
import { errnoName } from '../native/errno';
import { type Compression, compressionOf, readHead } from './compression';
import { resolveEntry, type Resolve } from './in-root';
import { checkXattr, markOpaque, type OverlayStyle, writeWhiteout } from './overlay-layer';
import { type Owners, rootOwners } from './owners';
import { classifyEntry, entryError, splitName } from './paths';
import { type TarEntry, tarEntries } from './tar-entries';
import { zstdDecompress } from './zstd';

export interface Limits {
  /** the largest entry, in bytes */
  maxEntryBytes: number;
  /** the most entries over all layers */
  maxEntries: number;
}

export const DEFAULT_LIMITS: Limits = { maxEntryBytes: 8 * 2 ** 30, maxEntries: 1_000_000 };

/** What the unpack has counted so far, across layers. */
export interface Counts {
  entries: number;
}

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/**
 * The layer's bytes, decompressed as its first bytes say (gzip, zstd, or a
 * plain tar). `raw` is the blob's file stream, when the caller wants to see
 * how much of it has been read (fs.ReadStream's bytesRead).
 */
export function openLayer(file: string, what: string, raw: fs.ReadStream = fs.createReadStream(file)): Readable {
  let kind: Compression;
  try {
    kind = compressionOf(readHead(file));
  } catch (e) {
    raw.destroy();
    throw e;
  }
  if (kind === 'gzip') {
    const gunzip = zlib.createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    return raw.pipe(gunzip);
  }
  if (kind === 'zstd') return Readable.from(zstdDecompress(raw, what));
  return raw;
}

function rmTree(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

async function drain(s: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of s); // eslint-disable-line @typescript-eslint/no-unused-vars
}

/**
 * Applies a layer; `created` collects what this layer made, so that its own whiteouts spare them.
 * With `overlay`, the layer goes into a dir of its own, its whiteouts kept as overlayfs marks them.
 */
export async function applyLayer(
  rootfs: string,
  source: Readable,
  layer: string,
  limits: Limits,
  counts: Counts,
  addon: Pick<Addon, 'mknod' | 'lsetxattr'>,
  owners: Owners = rootOwners(warn),
  overlay?: OverlayStyle,
): Promise<void> {
  const created = new Set<string>();
  const dirTimes: [string, Date][] = [];
  let name: string | undefined;
  try {
    for await (const entry of tarEntries(source)) {
      name = entry.header.name;
      try {
        await applyEntry(entry, { rootfs, layer, limits, counts, addon, owners, created, dirTimes, overlay });
      } finally {
        entry.stream.resume();
      }
    }
  } catch (e) {
    source.destroy();
    if (e instanceof MiniRunError) throw e;
    const err = e as NodeJS.ErrnoException;
    const reason = err.syscall ? `${err.syscall}: ${err.code}` : `unreadable tar: ${err.message}`;
    throw name === undefined || !err.syscall
      ? new MiniRunError('IMAGE', reason, 1, { source: layer })
      : entryError(layer, name, reason);
  }
  // A directory's mtime, once nothing more is written in it (deepest first).
  for (const [p, t] of dirTimes.reverse()) {
    try {
      fs.lutimesSync(p, t, t);
    } catch (e) {
      // removed or replaced later in the same layer
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

interface Ctx {
  rootfs: string;
  layer: string;
  limits: Limits;
  counts: Counts;
  addon: Pick<Addon, 'mknod' | 'lsetxattr'>;
  owners: Owners;
  created: Set<string>;
  dirTimes: [string, Date][];
  overlay?: OverlayStyle;
}

async function applyEntry(entry: TarEntry, c: Ctx): Promise<void> {
  const h = entry.header;
  const name = h.name;
  if (++c.counts.entries > c.limits.maxEntries)
    throw entryError(c.layer, name, `more than ${c.limits.maxEntries} entries (--max-entries)`);
  if ((h.size ?? 0) > c.limits.maxEntryBytes)
    throw entryError(c.layer, name, `${h.size} bytes is over ${c.limits.maxEntryBytes} (--max-entry-size)`);
  const kind = classifyEntry(name, c.layer);
  const r: Resolve = { root: c.rootfs, layer: c.layer, name, create: false, mkdir: c.overlay?.mkdir };
  switch (kind.kind) {
    case 'meta':
      return drain(entry.stream);
    case 'whiteout': {
      const p = resolveEntry(kind.parts, { ...r, create: c.overlay !== undefined });
      if (c.overlay) writeWhiteout(p as string, h, c.created, c.addon);
      else if (p !== null && !c.created.has(p)) rmTree(p);
      return drain(entry.stream);
    }
    case 'opaque': {
      const dir = kind.parts.length === 0 ? c.rootfs : resolveEntry(kind.parts, { ...r, create: true });
      if (dir === null) return drain(entry.stream);
      const st = fs.lstatSync(dir, { throwIfNoEntry: false });
      if (st === undefined) {
        fs.mkdirSync(dir, { mode: 0o755 });
        c.created.add(dir);
      } else if (st.isDirectory() && !c.overlay) {
        for (const child of fs.readdirSync(dir)) {
          const p = path.join(dir, child);
          if (!c.created.has(p)) rmTree(p);
        }
      }
      if (c.overlay) markOpaque(dir, c.addon);
      return drain(entry.stream);
    }
    case 'root':
      if (h.type !== 'directory') throw entryError(c.layer, name, 'the rootfs itself must be a directory');
      setMeta(c.rootfs, entry, c);
      return drain(entry.stream);
    case 'plain':
      return writeEntry(resolveEntry(kind.parts, { ...r, create: true }) as string, entry, c);
  }
}

async function writeEntry(p: string, entry: TarEntry, c: Ctx): Promise<void> {
  const h = entry.header;
  const mode = (h.mode ?? 0o644) & 0o7777;
  const existing = fs.lstatSync(p, { throwIfNoEntry: false });
  // A directory over a directory keeps what is in it; anything else replaces what is there.
  if (existing && !(existing.isDirectory() && h.type === 'directory')) rmTree(p);
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
      await pipeline(Readable.from(entry.stream), fs.createWriteStream(p, { flags: 'wx', mode: 0o600 }));
      break;
    case 'directory':
      if (!existing?.isDirectory()) fs.mkdirSync(p, { mode: 0o700 });
      break;
    case 'symlink':
      fs.symlinkSync(h.linkname ?? '', p);
      break;
    case 'link': {
      const target = linkTarget(h.linkname ?? '', c);
      fs.linkSync(target, p);
      c.created.add(p);
      await drain(entry.stream);
      return; // a hard link shares its target's inode, owner, mode and times
    }
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      if (h.type !== 'fifo' && !c.owners.devices) {
        const what = `${h.type.replace('-', ' ')} ${h.devmajor ?? 0}:${h.devminor ?? 0}`;
        c.owners.note(`${c.layer}: ${JSON.stringify(h.name)}: ${what} not made (a user namespace cannot make devices)`);
        await drain(entry.stream);
        return;
      }
      const type = h.type === 'fifo' ? S_IFIFO : h.type === 'block-device' ? S_IFBLK : S_IFCHR;
      try {
        c.addon.mknod(p, type | 0o600, h.devmajor ?? 0, h.devminor ?? 0);
      } catch (e) {
        throw entryError(c.layer, h.name, (e as Error).message);
      }
      break;
    }
    default:
      throw entryError(c.layer, h.name, `entry type ${String(h.type)} is not supported`);
  }
  c.created.add(p);
  await drain(entry.stream);
  setMeta(p, entry, c, mode);
}

/** A hard link's target: inside the rootfs, already there, and not a directory. */
function linkTarget(linkname: string, c: Ctx): string {
  const parts = splitName(linkname, c.layer);
  const bad = (why: string) => entryError(c.layer, linkname, `hard link target ${why}: refused`);
  if (parts.length === 0) throw bad('is the rootfs');
  const p = resolveEntry(parts, { root: c.rootfs, layer: c.layer, name: linkname, create: false });
  const st = p === null ? undefined : fs.lstatSync(p, { throwIfNoEntry: false });
  if (p === null || st === undefined) throw bad('does not exist in the rootfs');
  if (st.isDirectory()) throw bad('is a directory');
  return p;
}

/** Owner, then mode (chown clears set-id bits), xattrs, then times (a directory's at the end of the layer). */
function setMeta(p: string, entry: TarEntry, c: Ctx, mode?: number): void {
  const h = entry.header;
  const isLink = h.type === 'symlink';
  c.owners.chown(p, h.uid ?? 0, h.gid ?? 0, c.layer, h.name);
  if (!isLink) fs.chmodSync(p, mode ?? (h.mode ?? 0o755) & 0o7777);
  for (const [k, v] of entry.xattrs) {
    if (c.overlay) checkXattr(c.layer, h.name, k);
    try {
      c.addon.lsetxattr(p, k, v);
    } catch (e) {
      const errno = (e as { errno?: number }).errno;
      if (c.owners.lenientXattrs && (errno === os.constants.errno.EPERM || errno === os.constants.errno.ENOTSUP))
        c.owners.note(`${c.layer}: ${JSON.stringify(h.name)}: xattr ${k} not set (${errnoName(errno)})`);
      else throw entryError(c.layer, h.name, `xattr ${k}: ${(e as Error).message}`);
    }
  }
  const t = h.mtime ?? new Date(0);
  if (h.type === 'directory') c.dirTimes.push([p, t]);
  else fs.lutimesSync(p, t, t);
}
