// Who owns what a layer makes, and whether device nodes can be made. As
// root: the tar's owners, every device node. In a rootless unpack (run in
// a user namespace, userns-unpack.ts): the tar's owners when the user's
// maps have them; an owner outside them fails the unpack, unless the user
// has no subordinate ids of that kind at all (only its own id is mapped),
// in which case the entry stays the user's and one note at the end says
// how many did (as umoci --rootless leaves them); device nodes are not
// made (no user namespace may), with a note each; xattrs the kernel
// refuses there (trusted.*, some security.*) are left out with a note.
import * as fs from 'node:fs';
import { type IdMapping, mappedText, toHost } from './idmap';
import { entryError } from './paths';

export interface Owners {
  /** lchown as the entry says, or as near as the maps allow */
  chown(p: string, uid: number, gid: number, layer: string, name: string): void;
  /** device nodes can be made */
  readonly devices: boolean;
  /** failures to set xattrs are notes, not errors */
  readonly lenientXattrs: boolean;
  /** writes a note (on stderr) */
  note(msg: string): void;
  /** the notes that sum up the unpack */
  finish(): void;
}

export function rootOwners(note: (msg: string) => void): Owners {
  return {
    chown: (p, uid, gid) => fs.lchownSync(p, uid, gid),
    devices: true,
    lenientXattrs: false,
    note,
    finish() {},
  };
}

/** The owners of a rootless unpack, its namespace's maps as /proc/self/{uid,gid}_map have them. */
export function rootlessOwners(uidMap: IdMapping[], gidMap: IdMapping[], note: (msg: string) => void): Owners {
  const ownOnly = (m: IdMapping[]) => m.length === 1 && m[0].size === 1;
  const kinds = [
    { kind: 'uid', file: '/etc/subuid', map: uidMap, ownOnly: ownOnly(uidMap), left: new Set<number>(), n: 0 },
    { kind: 'gid', file: '/etc/subgid', map: gidMap, ownOnly: ownOnly(gidMap), left: new Set<number>(), n: 0 },
  ];
  /** the id to give, -1 to leave it as it is */
  const pick = (k: (typeof kinds)[number], id: number, layer: string, name: string): number => {
    if (toHost(k.map, id) !== undefined) return id;
    if (!k.ownOnly)
      throw entryError(
        layer,
        name,
        `owner ${k.kind} ${id} is outside the ${k.kind}s this user may use (${mappedText(k.map)}: ${k.file}): refused`,
      );
    k.left.add(id);
    k.n++;
    return -1;
  };
  return {
    chown(p, uid, gid, layer, name) {
      const u = pick(kinds[0], uid, layer, name);
      const g = pick(kinds[1], gid, layer, name);
      if (u !== -1 || g !== -1) fs.lchownSync(p, u, g);
    },
    devices: false,
    lenientXattrs: true,
    note,
    finish() {
      for (const k of kinds) {
        if (k.n === 0) continue;
        const ids = [...k.left].sort((a, b) => a - b);
        const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? ', ...' : '');
        note(
          `no subordinate ${k.kind}s for this user in ${k.file}: ${k.n} entries owned by ${k.kind} ${shown} ` +
            `are the user's own (${k.kind} 0 in the bundle)`,
        );
      }
    },
  };
}
