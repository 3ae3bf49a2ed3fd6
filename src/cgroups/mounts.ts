// Where the cgroup hierarchies are, and where this process sits in them:
// /proc/self/mountinfo and /proc/self/cgroup, parsed; whether the host is pure v2; and the mounts on one
// mount point (lifecycle's shared rootfs and layered overlay).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FS_MAGIC } from '../native/kernel-constants.generated';

export interface Hierarchy {
  /** "cpu", "cpu,cpuacct", "name=systemd", or "" for the unified (v2) hierarchy */
  key: string;
  /** the directory name runc uses inside the container's /sys/fs/cgroup */
  name: string;
  mountpoint: string;
  /** the mount's root within the hierarchy (usually "/") */
  root: string;
  v2: boolean;
}

const NOT_CONTROLLERS = new Set([
  'rw',
  'ro',
  'noprefix',
  'xattr',
  'clone_children',
  'cpuset_v2_mode',
  'nsdelegate',
  'memory_recursiveprot',
]);

/** Where cgroups are mounted: on a pure v2 host, the cgroup2 hierarchy itself (runc's fs2.UnifiedMountpoint). */
export const CGROUP_MOUNT = '/sys/fs/cgroup';

/** Whether /sys/fs/cgroup is cgroup2 (a pure v2 host), by its filesystem type, as runc's IsCgroup2UnifiedMode. */
export function isCgroup2Unified(): boolean {
  try {
    return fs.statfsSync(CGROUP_MOUNT).type === FS_MAGIC.CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** mountinfo escapes spaces etc. as \040 */
export function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The mounts whose mount point is `target`, bottom first: their fstype and super options, from /proc/self/mountinfo. */
export function mountsAt(target: string): { fstype: string; superOptions: string }[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line && unescapeMountinfo(line.split(' ')[4]) === target)
    .map((line) => {
      const f = line.split(' - ')[1]?.split(' ') ?? [];
      return { fstype: f[0] ?? '', superOptions: f[2] ?? '' };
    });
}

export function parseHierarchies(mountinfo: string): Hierarchy[] {
  const out: Hierarchy[] = [];
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (sep < 0) continue;
    const fstype = f[sep + 1];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const mountpoint = unescapeMountinfo(f[4]);
    const root = unescapeMountinfo(f[3]);
    if (fstype === 'cgroup2') {
      out.push({ key: '', name: path.basename(mountpoint), mountpoint, root, v2: true });
      continue;
    }
    const opts = (f[sep + 3] ?? '')
      .split(',')
      .filter((o) => !NOT_CONTROLLERS.has(o) && !o.startsWith('release_agent='));
    out.push({ key: opts.sort().join(','), name: path.basename(mountpoint), mountpoint, root, v2: false });
  }
  // One entry per hierarchy: the first mount of each wins (bind mounts repeat them).
  const seen = new Set<string>();
  return out.filter((h) => {
    const k = `${h.v2}:${h.key}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** /proc/self/cgroup: hierarchy key (sorted controllers, "" for v2) -> path */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    out.set(m[2].split(',').sort().join(','), m[3]);
  }
  return out;
}
