// The systemd cgroup driver on cgroup v1 (legacy, or hybrid with the unified
// hierarchy beside), as runc 1.1.5's legacy manager (systemd/v1.go): the
// container's directory in each v1 hierarchy of runc's list is the unit's path
// there (pid 1's cgroup without "init.scope", the slice expanded, the unit),
// on a hybrid host also in the unified one; the init joins them once the unit
// has started (those systemd does not manage, such as cpuset and freezer, are
// made then: manage.ts), and the unit's properties are set with the container
// frozen (systemd rewrites the device rules of a running cgroup), then the
// files as the fs driver writes them. The layout is pure; the freezing reads
// and writes the freezer.
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { debug } from '../log';
import type { Addon, UnitProperty } from '../native/addon';
import { v1DeviceWrites, type DeviceRule } from './devices';
import { hasController, type CgroupDir, type CgroupMode } from './dirs';
import { frozenBy, setFrozen } from './freezer';
import type { Hierarchy } from './mounts';
import { setProperties } from './systemd';

/** The v1 subsystems runc's legacy manager knows (legacySubsystems); others (misc) are left as they are. */
export const LEGACY_SUBSYSTEMS: readonly string[] = [
  'cpuset',
  'devices',
  'memory',
  'cpu',
  'cpuacct',
  'pids',
  'blkio',
  'hugetlb',
  'perf_event',
  'freezer',
  'net_prio',
  'net_cls',
  'name=systemd',
  'rdma',
];

export interface LegacyLayout {
  dirs: CgroupDir[];
  /** the container's /sys/fs/cgroup/<name> sources: its dirs, and our own cgroup for the hierarchies runc leaves */
  v1Binds: { source: string; name: string }[];
}

/**
 * The unit's directories, as runc's initPaths: in each v1 hierarchy of runc's
 * list, mount + pid 1's cgroup there (systemd's init.scope cut off) + the
 * expanded slice + the unit; on a hybrid host the same in the unified one
 * (runc's paths[""], which exec joins and delete removes). Each is the
 * container's own (made: itself): delete removes it, and no directory above
 * (runc leaves a slice it made in, e.g., the freezer hierarchy).
 */
export function legacyLayout(
  hierarchies: readonly Hierarchy[],
  mode: CgroupMode,
  pid1Cgroups: ReadonlyMap<string, string>,
  ownCgroups: ReadonlyMap<string, string>,
  sliceDir: string,
  unit: string,
): LegacyLayout {
  const dirs: CgroupDir[] = [];
  const v1Binds: LegacyLayout['v1Binds'] = [];
  const at = (h: Hierarchy, cgroup: string): string => {
    const rel = path.posix.relative(h.root, cgroup);
    if (rel.startsWith('..'))
      throw new MiniRunError('CGROUP', `cgroup: ${h.mountpoint} does not show the cgroup ${cgroup}`);
    return path.join(h.mountpoint, rel);
  };
  for (const h of hierarchies) {
    if (h.v2 && mode !== 'hybrid') continue;
    const known = h.v2 || h.key.split(',').some((c) => LEGACY_SUBSYSTEMS.includes(c));
    if (!known) {
      v1Binds.push({ source: at(h, ownCgroups.get(h.key) ?? '/'), name: h.name });
      continue;
    }
    // "if pid 1 is systemd 226 or later, it will be in init.scope, not the root"
    const init = path.posix.normalize(pid1Cgroups.get(h.key) ?? '/').replace(/init\.scope$/, '');
    const dir = at(h, path.posix.join('/', init, sliceDir, unit));
    dirs.push({ hierarchy: h.v2 ? 'unified' : h.name, path: dir, mount: h.mountpoint, made: dir });
    if (!h.v2) v1Binds.push({ source: dir, name: h.name });
  }
  // runc: "devices cgroup is hard requirement for container security"
  if (!dirs.some((d) => hasController(d, 'devices')))
    throw new MiniRunError('CGROUP', 'cgroup: mountpoint for devices not found');
  return { dirs, v1Binds };
}

/** The hierarchies the init joins itself: all but name=systemd, which systemd handles, and the unified one. */
export function legacyJoined(dirs: readonly CgroupDir[]): CgroupDir[] {
  return dirs.filter((d) => d.hierarchy !== 'unified' && d.hierarchy !== 'systemd');
}

/**
 * SetUnitProperties on cgroup v1, as runc's legacy Set: the container frozen
 * meanwhile (v1 freezer only) unless it already is, and thawed after; a
 * freezer that cannot be used is only noted (runc logs it and goes on).
 */
export function setLegacyProperties(
  addon: Addon,
  unit: string,
  props: UnitProperty[],
  dirs: readonly CgroupDir[],
): void {
  const freezer = dirs.filter((d) => hasController(d, 'freezer'));
  let thaw = false;
  if (freezer.length > 0) {
    try {
      if (frozenBy(freezer) === undefined) {
        thaw = true;
        setFrozen(freezer, true);
      }
    } catch (e) {
      debug(() => `freeze container before SetUnitProperties failed: ${(e as Error).message}`);
    }
  }
  try {
    setProperties(addon, unit, props);
  } finally {
    if (thaw) {
      try {
        setFrozen(freezer, false);
      } catch (e) {
        debug(() => `thaw container after SetUnitProperties failed: ${(e as Error).message}`);
      }
    }
  }
}

/** An allow list as devices.list shows it: "c 1:3" -> "rwm"; undefined when everything is allowed. */
function allowList(rules: readonly DeviceRule[]): Map<string, string> | undefined {
  let list: Map<string, string> | undefined = new Map();
  for (const [file, text] of v1DeviceWrites(rules)) {
    if (text === 'a') {
      list = file === 'allow' ? undefined : new Map();
      continue;
    }
    if (!list) continue; // an exception to allow-all: not an allow list (checkV1Rules refuses holes)
    const [type, numbers, perms] = text.split(' ');
    const key = `${type} ${numbers}`;
    const had = new Set(list.get(key) ?? '');
    for (const p of perms) {
      if (file === 'allow') had.add(p);
      else had.delete(p);
    }
    const canon = ['r', 'w', 'm'].filter((p) => had.has(p)).join('');
    if (canon) list.set(key, canon);
    else list.delete(key);
  }
  return list;
}

/**
 * The devices.allow/deny writes that take a v1 devices cgroup from `current`
 * (its devices.list) to the rules, as runc's fs driver does after systemd has
 * written the unit's DeviceAllow there (its emulator's Transition): from one
 * allow list to another only the differences (the entries systemd could not
 * express, such as a node the host lacks, are added after its own); from
 * allow-all, or to it, everything again.
 */
export function legacyDeviceWrites(current: string, rules: readonly DeviceRule[]): ['allow' | 'deny', string][] {
  const target = allowList(rules);
  const lines = current.split('\n').filter(Boolean);
  if (!target || lines.includes('a *:* rwm')) return v1DeviceWrites(rules);
  const now = new Map<string, string>();
  for (const line of lines) {
    const [type, numbers, perms] = line.split(' ');
    now.set(`${type} ${numbers}`, perms);
  }
  const out: ['allow' | 'deny', string][] = [];
  for (const [key, perms] of now) {
    const extra = [...perms].filter((p) => !(target.get(key) ?? '').includes(p)).join('');
    if (extra) out.push(['deny', `${key} ${extra}`]);
  }
  for (const [key, perms] of target) {
    const missing = [...perms].filter((p) => !(now.get(key) ?? '').includes(p)).join('');
    if (missing) out.push(['allow', `${key} ${missing}`]);
  }
  return out;
}
