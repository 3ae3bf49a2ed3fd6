// mount(8) option words -> MS_* flags, propagation, and data, as runc parses
// them (libcontainer/specconv parseMountOptions).
export const MS = {
  RDONLY: 0x1n,
  NOSUID: 0x2n,
  NODEV: 0x4n,
  NOEXEC: 0x8n,
  SYNCHRONOUS: 0x10n,
  REMOUNT: 0x20n,
  MANDLOCK: 0x40n,
  DIRSYNC: 0x80n,
  NOSYMFOLLOW: 0x100n,
  NOATIME: 0x400n,
  NODIRATIME: 0x800n,
  BIND: 0x1000n,
  MOVE: 0x2000n,
  REC: 0x4000n,
  SILENT: 0x8000n,
  POSIXACL: 0x10000n,
  UNBINDABLE: 0x20000n,
  PRIVATE: 0x40000n,
  SLAVE: 0x80000n,
  SHARED: 0x100000n,
  RELATIME: 0x200000n,
  I_VERSION: 0x800000n,
  STRICTATIME: 0x1000000n,
  LAZYTIME: 0x2000000n,
} as const;

/** [clear?, flag]: a word either sets or clears its flag. */
const FLAG_WORDS = new Map<string, [boolean, bigint]>(Object.entries({
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
  sync: [false, MS.SYNCHRONOUS],
} as Record<string, [boolean, bigint]>));

const PROPAGATION_WORDS = new Map<string, bigint>(Object.entries({
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
}));

/** Words minirun knows but does not implement yet (recursive attributes, id-mapped mounts...). */
const NOT_YET = new Set([
  'rro', 'rrw', 'rnosuid', 'rsuid', 'rnodev', 'rdev', 'rnoexec', 'rexec', 'rnodiratime', 'rdiratime',
  'rrelatime', 'rnorelatime', 'rnoatime', 'ratime', 'rstrictatime', 'rnostrictatime', 'rnosymfollow',
  'rsymfollow', 'idmap', 'ridmap',
]);

export interface ParsedOptions {
  flags: bigint;
  propagation: bigint[];
  data: string;
  /** "tmpcopyup": a tmpfs starts with a copy of what its mount point held (runc's EXT_COPYUP) */
  copyUp: boolean;
  /** the first option word minirun does not support yet, if any */
  unsupported?: string;
}

export function parseMountOptions(options: readonly string[]): ParsedOptions {
  let flags = 0n;
  const propagation: bigint[] = [];
  const data: string[] = [];
  let unsupported: string | undefined;
  let copyUp = false;
  for (const o of options) {
    const f = FLAG_WORDS.get(o);
    if (o === 'tmpcopyup') {
      copyUp = true;
    } else if (f) {
      flags = f[0] ? flags & ~f[1] : flags | f[1];
    } else if (PROPAGATION_WORDS.has(o)) {
      propagation.push(PROPAGATION_WORDS.get(o)!);
    } else if (NOT_YET.has(o)) {
      unsupported ??= o;
    } else {
      data.push(o);
    }
  }
  return { flags, propagation, data: data.join(','), copyUp, unsupported };
}

export function propagationFlag(word: string): bigint | undefined {
  return PROPAGATION_WORDS.get(word);
}

/** Every option word minirun understands (for `features`). */
export function supportedMountOptions(): string[] {
  return [...FLAG_WORDS.keys(), ...PROPAGATION_WORDS.keys(), 'tmpcopyup'].sort();
}
