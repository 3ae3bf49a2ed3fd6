// The image config's User ("name", "uid", "name:group", "uid:gid", ...)
// resolved against the unpacked rootfs's /etc/passwd and /etc/group, as
// umoci does it (with runc's user lookup). The files are found with every
// symlink resolved inside the rootfs (in-root.ts), read only when regular
// and at most 4 MiB.
import * as fs from 'node:fs';
import { MiniRunError } from '../errors';
import { resolveFollowing } from './in-root';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}
export interface ExecUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home?: string;
}

const MAX_FILE = 4 << 20;
const ID = /^[0-9]+$/;

function lines(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

function id(s: string | undefined): number | undefined {
  if (s === undefined || !ID.test(s)) return undefined;
  const n = Number(s);
  return n <= 0xffffffff ? n : undefined;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const f of lines(text)) {
    const uid = id(f[2]);
    const gid = id(f[3]);
    if (f.length < 4 || uid === undefined || gid === undefined) continue;
    out.push({ name: f[0], uid, gid, home: f[5] ?? '' });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const f of lines(text)) {
    const gid = id(f[2]);
    if (f.length < 3 || gid === undefined) continue;
    out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

function userError(user: string, reason: string): MiniRunError {
  return new MiniRunError('IMAGE', reason, 1, { source: 'image config', field: `User ${JSON.stringify(user)}` });
}

/**
 * Resolves `user`: a name must be in passwd (a group name in group); a number
 * need not be. Without a group, the gid is the passwd entry's (0 for an
 * unknown uid) and the supplementary groups are those that list the user.
 */
export function resolveUser(user: string, passwd: PasswdEntry[], groups: GroupEntry[]): ExecUser {
  if (user === '') return { uid: 0, gid: 0, additionalGids: [], home: passwd.find((p) => p.uid === 0)?.home };
  const colon = user.indexOf(':');
  const userPart = colon < 0 ? user : user.slice(0, colon);
  const groupPart = colon < 0 ? undefined : user.slice(colon + 1);
  const num = id(userPart);
  const entry = num !== undefined ? passwd.find((p) => p.uid === num) : passwd.find((p) => p.name === userPart);
  if (entry === undefined && num === undefined)
    throw userError(user, `no user "${userPart}" in the image's /etc/passwd`);
  const uid = num ?? (entry as PasswdEntry).uid;
  let gid = entry?.gid ?? 0;
  let additionalGids: number[] = [];
  if (groupPart !== undefined && groupPart !== '') {
    const g = id(groupPart);
    if (g !== undefined) gid = g;
    else {
      const ge = groups.find((x) => x.name === groupPart);
      if (ge === undefined) throw userError(user, `no group "${groupPart}" in the image's /etc/group`);
      gid = ge.gid;
    }
  } else if (entry !== undefined) {
    additionalGids = [...new Set(groups.filter((g) => g.members.includes(entry.name)).map((g) => g.gid))];
  }
  return { uid, gid, additionalGids, home: entry?.home || undefined };
}

/** /etc/passwd or /etc/group of the rootfs; '' when missing or not a regular file. */
export function readRootfsFile(rootfs: string, parts: string[]): string {
  const p = resolveFollowing(parts, { root: rootfs, layer: 'rootfs', name: parts.join('/'), create: false });
  if (p === null) return '';
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile() || st.size > MAX_FILE) return '';
  return fs.readFileSync(p, 'utf8');
}

export function resolveImageUser(rootfs: string, user: string): ExecUser {
  return resolveUser(
    user,
    parsePasswd(readRootfsFile(rootfs, ['etc', 'passwd'])),
    parseGroup(readRootfsFile(rootfs, ['etc', 'group'])),
  );
}
