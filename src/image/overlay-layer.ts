// A layer extracted into a dir of its own, to be an overlayfs lower dir
// (image unpack --layered), through layer.ts's code as a plain unpack:
// what differs is here. Whiteouts are kept as overlayfs marks them: a
// `.wh.NAME` is a 0/0 character device NAME, an opaque dir has the xattr
// trusted.overlay.opaque=y (as containerd's overlay snapshotter writes
// them). A parent dir the tar does not list is made with the metadata the
// lower layers give it (else the layer's 0755 root:root copy would hide
// theirs in the merged view); and the tar may not set trusted.overlay.*
// xattrs itself, which overlayfs would obey.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Addon } from '../native/addon';
import { entryError } from './paths';

const S_IFCHR = 0o020000;
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface OverlayStyle {
  /** makes a parent dir the tar does not list (in-root.ts's Resolve.mkdir) */
  mkdir: (hostPath: string, parts: string[]) => void;
}

/**
 * `parts` in a lower layer dir, walked with lstat and never through a
 * symlink: its stats, undefined when it is missing, null when something on
 * the way is not a directory (it hides the layers below, as in the merge).
 */
function lookup(lower: string, parts: string[]): fs.Stats | null | undefined {
  let p = lower;
  let st: fs.Stats | undefined;
  for (const [i, c] of parts.entries()) {
    p = path.join(p, c);
    st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (st === undefined) return undefined;
    if (i < parts.length - 1 && !st.isDirectory()) return null;
  }
  return st;
}

/**
 * The overlay style of a layer whose lower layers are `lowers` (top first),
 * and `finish`, to run once the layer is applied: the times of the parent
 * dirs it made, as the lower layers have them.
 */
export function overlayStyle(lowers: string[]): { style: OverlayStyle; finish(): void } {
  const times: [string, Date][] = [];
  const mkdir = (p: string, parts: string[]) => {
    fs.mkdirSync(p);
    let st: fs.Stats | undefined;
    for (const l of lowers) {
      const found = lookup(l, parts);
      if (found === undefined) continue;
      // the topmost layer that has the name decides (a whiteout or a file there: no dir below counts)
      if (found?.isDirectory()) st = found;
      break;
    }
    fs.lchownSync(p, st?.uid ?? 0, st?.gid ?? 0);
    fs.chmodSync(p, st ? st.mode & 0o7777 : 0o755);
    if (st) times.push([p, st.mtime]);
  };
  const finish = () => {
    for (const [p, t] of times.reverse()) {
      try {
        fs.lutimesSync(p, t, t);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  };
  return { style: { mkdir }, finish };
}

/**
 * A whiteout of `p` (its parents made): an overlayfs whiteout, with the tar
 * entry's owner and time (the same layer gives the same tree), unless this
 * layer made `p` itself.
 */
export function writeWhiteout(
  p: string,
  h: { uid?: number; gid?: number; mtime?: Date },
  created: Set<string>,
  addon: Pick<Addon, 'mknod'>,
): void {
  if (created.has(p)) return;
  fs.rmSync(p, { recursive: true, force: true });
  addon.mknod(p, S_IFCHR, 0, 0);
  fs.lchownSync(p, h.uid ?? 0, h.gid ?? 0);
  const t = h.mtime ?? new Date(0);
  fs.lutimesSync(p, t, t);
}

/** An opaque dir: overlayfs shows nothing of the lower layers' under it. */
export function markOpaque(dir: string, addon: Pick<Addon, 'lsetxattr'>): void {
  if (fs.lstatSync(dir).isDirectory()) addon.lsetxattr(dir, OPAQUE_XATTR, Buffer.from('y'));
}

/** A tar's own trusted.overlay.* xattr would steer overlayfs (redirects, opaque dirs): refused. */
export function checkXattr(layer: string, name: string, xattr: string): void {
  if (xattr.startsWith('trusted.overlay.'))
    throw entryError(layer, name, `xattr ${xattr}: refused in a layered unpack (overlayfs would obey it)`);
}
