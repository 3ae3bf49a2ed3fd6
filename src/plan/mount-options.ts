// mount(8) option words -> MS_* flags, propagation, and data, as runc parses
// them (libcontainer/specconv parseMountOptions).
import { MOUNT_ATTR, MS } from '../native/kernel-constants.generated';

export { MOUNT_ATTR, MS };

/** [clear?, flag]: a word either sets or clears its flag. */
const FLAG_WORDS = new Map<string, [boolean, bigint]>(
  Object.entries({
    acl: [false, MS.POSIXACL],
    async: [true, MS.SYNCHRONOUS],
    atime: [true, MS.NOATIME],
    bind: [false, MS.BIND],
    defaults: [false, 0n],
    dev: [true, MS.NODEV],
    diratime: [true, MS.NODIRATIME],
    dirsync: [false, MS.DIRSYNC],
    exec: [true, MS.NOEXEC],
    iversion: [false, MS.I_VERSION],
    lazytime: [false, MS.LAZYTIME],
    loud: [true, MS.SILENT],
    mand: [false, MS.MANDLOCK],
    noacl: [true, MS.POSIXACL],
    noatime: [false, MS.NOATIME],
    nodev: [false, MS.NODEV],
    nodiratime: [false, MS.NODIRATIME],
    noexec: [false, MS.NOEXEC],
    noiversion: [true, MS.I_VERSION],
    nolazytime: [true, MS.LAZYTIME],
    nomand: [true, MS.MANDLOCK],
    norelatime: [true, MS.RELATIME],
    nostrictatime: [true, MS.STRICTATIME],
    nosuid: [false, MS.NOSUID],
    nosymfollow: [false, MS.NOSYMFOLLOW],
    rbind: [false, MS.BIND | MS.REC],
    relatime: [false, MS.RELATIME],
    remount: [false, MS.REMOUNT],
    ro: [false, MS.RDONLY],
    rw: [true, MS.RDONLY],
    silent: [false, MS.SILENT],
    strictatime: [false, MS.STRICTATIME],
    suid: [true, MS.NOSUID],
    symfollow: [true, MS.NOSYMFOLLOW],
    sync: [false, MS.SYNCHRONOUS],
  } as Record<string, [boolean, bigint]>),
);

const PROPAGATION_WORDS = new Map<string, bigint>(
  Object.entries({
    private: MS.PRIVATE,
    rprivate: MS.PRIVATE | MS.REC,
    slave: MS.SLAVE,
    rslave: MS.SLAVE | MS.REC,
    shared: MS.SHARED,
    rshared: MS.SHARED | MS.REC,
    unbindable: MS.UNBINDABLE,
    runbindable: MS.UNBINDABLE | MS.REC,
  }),
);

/** Recursive attributes, applied with mount_setattr(AT_RECURSIVE): [clear?, attribute]. */
const REC_ATTR_WORDS = new Map<string, [boolean, bigint]>(
  Object.entries({
    rro: [false, MOUNT_ATTR.RDONLY],
    rrw: [true, MOUNT_ATTR.RDONLY],
    rnosuid: [false, MOUNT_ATTR.NOSUID],
    rsuid: [true, MOUNT_ATTR.NOSUID],
    rnodev: [false, MOUNT_ATTR.NODEV],
    rdev: [true, MOUNT_ATTR.NODEV],
    rnoexec: [false, MOUNT_ATTR.NOEXEC],
    rexec: [true, MOUNT_ATTR.NOEXEC],
    rnodiratime: [false, MOUNT_ATTR.NODIRATIME],
    rdiratime: [true, MOUNT_ATTR.NODIRATIME],
    rnosymfollow: [false, MOUNT_ATTR.NOSYMFOLLOW],
    rsymfollow: [true, MOUNT_ATTR.NOSYMFOLLOW],
  } as Record<string, [boolean, bigint]>),
);

/**
 * Recursive access-time words. The kernel takes the access time as one value
 * (relatime, noatime or strictatime), so each word picks one; the last wins.
 * "ratime" and "rnostrictatime" pick relatime, the kernel's default (runc
 * passes a partial MOUNT_ATTR__ATIME clear for them, which the kernel refuses
 * with EINVAL). "rnorelatime" picks nothing: as with mount(2)'s norelatime,
 * the access time stays as it is (runc does the same).
 */
const REC_ATIME_WORDS = new Map<string, bigint | null>(
  Object.entries({
    rrelatime: MOUNT_ATTR.RELATIME,
    ratime: MOUNT_ATTR.RELATIME,
    rnostrictatime: MOUNT_ATTR.RELATIME,
    rnoatime: MOUNT_ATTR.NOATIME,
    rstrictatime: MOUNT_ATTR.STRICTATIME,
    rnorelatime: null,
  } as Record<string, bigint | null>),
);

/** Id-mapped mounts: "idmap" maps the mount itself, "ridmap" its submounts too. */
const IDMAP_WORDS = new Set(['idmap', 'ridmap']);

export interface ParsedOptions {
  flags: bigint;
  propagation: bigint[];
  data: string;
  /** MOUNT_ATTR_* to set and to clear recursively (mount_setattr with AT_RECURSIVE); both 0n: none */
  attrSet: bigint;
  attrClr: bigint;
  /** the last of "idmap"/"ridmap", if any */
  idmap?: 'idmap' | 'ridmap';
  /** "tmpcopyup": a tmpfs starts with a copy of what its mount point held (runc's EXT_COPYUP) */
  copyUp: boolean;
}

export function parseMountOptions(options: readonly string[]): ParsedOptions {
  let flags = 0n;
  let attrSet = 0n;
  let attrClr = 0n;
  let atime: bigint | undefined;
  let idmap: ParsedOptions['idmap'];
  const propagation: bigint[] = [];
  const data: string[] = [];
  let copyUp = false;
  for (const o of options) {
    const f = FLAG_WORDS.get(o);
    const r = REC_ATTR_WORDS.get(o);
    if (o === 'tmpcopyup') {
      copyUp = true;
    } else if (f) {
      flags = f[0] ? flags & ~f[1] : flags | f[1];
    } else if (PROPAGATION_WORDS.has(o)) {
      propagation.push(PROPAGATION_WORDS.get(o)!);
    } else if (r) {
      // A later word undoes an earlier one ("rro,rrw" is read-write).
      if (r[0]) {
        attrClr |= r[1];
        attrSet &= ~r[1];
      } else {
        attrSet |= r[1];
        attrClr &= ~r[1];
      }
    } else if (REC_ATIME_WORDS.has(o)) {
      atime = REC_ATIME_WORDS.get(o) ?? atime;
    } else if (IDMAP_WORDS.has(o)) {
      idmap = o as ParsedOptions['idmap'];
    } else {
      data.push(o);
    }
  }
  if (atime !== undefined) {
    // mount_setattr(2): a new access time needs all of MOUNT_ATTR__ATIME cleared.
    attrSet |= atime;
    attrClr |= MOUNT_ATTR._ATIME;
  }
  return { flags, propagation, data: data.join(','), attrSet, attrClr, idmap, copyUp };
}

export function propagationFlag(word: string): bigint | undefined {
  return PROPAGATION_WORDS.get(word);
}

/** Every option word minirun understands (for `features`). */
export function supportedMountOptions(): string[] {
  return [
    ...FLAG_WORDS.keys(),
    ...PROPAGATION_WORDS.keys(),
    ...REC_ATTR_WORDS.keys(),
    ...REC_ATIME_WORDS.keys(),
    ...IDMAP_WORDS,
    'tmpcopyup',
  ].sort();
}
