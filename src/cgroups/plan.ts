// Which cgroup directories a container gets, decided once from the host's
// mounts and this process's own cgroups, as runc's fs driver decides.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import type { Resources } from '../config/types';
import { checkV1Rules, deviceRules, type DeviceRule } from './devices';
import type { CgroupWrite } from './resources-common';
import { v1ResourceWrites } from './resources-v1';
import { v2ResourceWrites } from './resources-v2';
import { dirFor, type CgroupDir, type CgroupMode } from './dirs';
import { parseHierarchies, parseProcCgroup, type Hierarchy } from './mounts';
import { canUseCgroupDir, limitWithoutCgroup } from './rootless';
import { checkSystemdRunning, managerCgroup, systemdHost, userBusAddress, type SystemdPlan } from './systemd';
import { expandSlice, systemdName } from './systemd-path';
import { annotationProperties, resourceProperties, v1ResourceProperties } from './systemd-props';
import { legacyLayout } from './systemd-v1';
import { loadAddon } from '../native/loader';

export interface CgroupPlan {
  mode: CgroupMode;
  dirs: CgroupDir[];
  /** container cgroup dirs to bind at /sys/fs/cgroup/<name> (v1) */
  v1Binds: { source: string; name: string }[];
  v1Symlinks: { target: string; name: string }[];
  deviceRules: DeviceRule[];
  /** rootless: errors applying device rules are ignored (runc: "not expected to work") */
  rootless?: boolean;
  /** resource files to write, in order (v1: in each controller's hierarchy; v2: in the one dir) */
  writes: CgroupWrite[];
  /** v2: the container's cgroup dir, also when rootless left it out (runc's Cgroup2Path) */
  v2Path?: string;
  /** --systemd-cgroup: the unit whose cgroup dirs[0] is (its resources filled in by planCgroups) */
  systemd?: SystemdPlan;
  /** --systemd-cgroup on v2: the host uid the unit's cgroup is chowned to (runc's OwnerUID; owner.ts) */
  ownerUid?: number;
}

export interface CgroupRequest {
  id: string;
  cgroupsPath?: string;
  deviceRules: DeviceRule[];
  /** linux.resources (devices apart) */
  resources?: Resources;
  /** runc's rootless cgroups: hierarchies the user cannot use are left out (without cgroupsPath) */
  rootless?: boolean;
  /** --systemd-cgroup: cgroupsPath is "slice:prefix:name", the cgroup a transient unit's */
  systemd?: boolean;
  /** the config's annotations (org.systemd.property.* for the systemd driver) */
  annotations?: Record<string, string>;
  /** --systemd-cgroup, rootless: the user's bus and its manager's ControlGroup (filled in by planCgroups) */
  userManager?: { bus: string; cgroup: string };
  /** who should own the container's cgroup (owner.ts), for the systemd driver on v2 */
  ownerUid?: number;
}

export function detectMode(hierarchies: readonly Hierarchy[]): CgroupMode {
  const v1 = hierarchies.some((h) => !h.v2);
  if (!v1) return 'v2';
  return hierarchies.some((h) => h.v2) ? 'hybrid' : 'v1';
}

/**
 * The container's path inside a hierarchy (runc: absolute from the root;
 * relative to our own cgroup on v1, and on a pure v2 host to its parent, as
 * runc's fs2 defaultDirPath: "the current user scope most probably has tasks
 * in it already", where no controller could be enabled for a child).
 */
export function containerPath(req: Pick<CgroupRequest, 'id' | 'cgroupsPath'>, own: string, pureV2 = false): string {
  const p = req.cgroupsPath ?? '';
  if (p.startsWith('/')) return path.posix.normalize(p);
  const base = pureV2 ? path.posix.dirname(path.posix.join('/', own)) : own;
  return path.posix.join('/', base, path.posix.normalize('/' + (p || req.id)));
}

/** The writes for the host's mode; on v2, each needs its controller in the root's cgroup.controllers. */
function resourceWrites(
  mode: CgroupMode,
  resources: Resources | undefined,
  v2Controllers: readonly string[],
): CgroupWrite[] {
  if (mode !== 'v2') return v1ResourceWrites(resources);
  const writes = v2ResourceWrites(resources);
  for (const w of writes) {
    if (w.controller !== 'cgroup' && !v2Controllers.includes(w.controller)) {
      throw new MiniRunError(
        'CGROUP',
        `linux.resources: ${w.file}: the ${w.controller} controller is not available on this host (cgroup.controllers: ${v2Controllers.join(' ') || 'none'})`,
      );
    }
  }
  return writes;
}

export function planFrom(
  req: CgroupRequest,
  mountinfo: string,
  procCgroup: string,
  v2Controllers: readonly string[] = [],
  canUse: (dir: string, mount: string) => boolean = () => true,
  pid1Cgroup = '',
): CgroupPlan {
  const hierarchies = parseHierarchies(mountinfo);
  if (hierarchies.length === 0) throw new MiniRunError('CGROUP', 'cgroup: no cgroup hierarchy is mounted on this host');
  const mode = detectMode(hierarchies);
  const own = parseProcCgroup(procCgroup);
  if (req.systemd && mode !== 'v2') {
    // runc's NewLegacyManager refuses these before anything else
    if (req.rootless) throw new MiniRunError('CGROUP', 'cannot use rootless systemd cgroups manager on cgroup v1');
    return systemdV1PlanFrom(req, mode, hierarchies, own, parseProcCgroup(pid1Cgroup));
  }
  const writes = resourceWrites(mode, req.resources, v2Controllers);
  if (req.systemd) return { ...systemdPlanFrom(req, mode, hierarchies, writes), ownerUid: req.ownerUid };
  // runc ignores permission errors only when no cgroupsPath was given
  const skipUnusable = req.rootless === true && !req.cgroupsPath;
  const dirs: CgroupDir[] = [];
  let v2Path: string | undefined;
  const v1Binds: { source: string; name: string }[] = [];
  for (const h of hierarchies) {
    const mine = own.get(h.key) ?? '/';
    // Our own path is relative to the hierarchy root; the mount may show a subtree.
    const rel = path.posix.relative(h.root, containerPath(req, mine, mode === 'v2'));
    if (rel.startsWith('..'))
      throw new MiniRunError('CGROUP', `cgroup: ${h.mountpoint} does not show the cgroup for ${req.id}`);
    const dir = path.join(h.mountpoint, rel);
    if (h.v2) v2Path = dir;
    if (skipUnusable && !canUse(dir, h.mountpoint)) {
      // The container stays in our own cgroup here, and sees that one.
      if (!h.v2) v1Binds.push({ source: path.join(h.mountpoint, path.posix.relative(h.root, mine)), name: h.name });
      continue;
    }
    dirs.push({ hierarchy: h.v2 ? 'unified' : h.name, path: dir, mount: h.mountpoint });
    if (!h.v2) v1Binds.push({ source: dir, name: h.name });
  }
  const v1Symlinks: { target: string; name: string }[] = [];
  for (const b of v1Binds) {
    if (!b.name.includes(',')) continue;
    for (const ss of b.name.split(',')) v1Symlinks.push({ target: b.name, name: ss });
  }
  for (const w of mode === 'v2' ? [] : writes) {
    if (!dirFor(dirs, w.controller) && skipUnusable && hierarchies.some((h) => h.key.split(',').includes(w.controller)))
      throw limitWithoutCgroup(w.controller);
    if (!dirFor(dirs, w.controller)) {
      throw new MiniRunError(
        'CGROUP',
        `linux.resources: the ${w.controller} controller is not mounted on this host (for ${w.file})`,
      );
    }
  }
  if (mode === 'v2' && skipUnusable && !dirFor(dirs, 'unified') && writes.length > 0)
    throw new MiniRunError(
      'CGROUP',
      'rootless needs no limits + no cgrouppath when no permission is granted for cgroups: cannot create the cgroup',
    );
  const rules = deviceRules(req.deviceRules);
  if (dirFor(dirs, 'devices')) checkV1Rules(rules, req.deviceRules.length);
  return { mode, dirs, v1Binds, v1Symlinks, deviceRules: rules, writes, rootless: req.rootless, v2Path };
}

/**
 * The systemd driver's plan (cgroup v2): the unit's cgroup is the one dir,
 * marked as made by this container (the unit is its own), with runc's
 * conversions of the resources to files, as the cgroupfs driver writes them.
 */
function systemdPlanFrom(
  req: CgroupRequest,
  mode: CgroupMode,
  hierarchies: readonly Hierarchy[],
  writes: CgroupWrite[],
): CgroupPlan {
  const annotations = annotationProperties(req.annotations);
  // Rootless, runc asks the user's own systemd (through its bus), whose slices are under its ControlGroup;
  // its default slice is user.slice.
  const user = req.rootless ? req.userManager : undefined;
  if (req.rootless && !user)
    throw new MiniRunError('CGROUP', "--systemd-cgroup: rootless, the user's manager is unknown");
  const name = systemdName(req.cgroupsPath, req.id, user ? 'user.slice' : 'system.slice');
  if (user) name.cgroup = path.posix.join(user.cgroup, name.cgroup);
  const h = hierarchies.find((x) => x.v2)!;
  const rel = path.posix.relative(h.root, name.cgroup);
  if (rel.startsWith('..'))
    throw new MiniRunError('CGROUP', `cgroup: ${h.mountpoint} does not show the cgroup for ${req.id}`);
  const dir = path.join(h.mountpoint, rel);
  return {
    mode,
    dirs: [{ hierarchy: 'unified', path: dir, mount: h.mountpoint, made: dir }],
    v2Path: dir,
    v1Binds: [],
    v1Symlinks: [],
    deviceRules: deviceRules(req.deviceRules),
    writes,
    rootless: req.rootless,
    systemd: { unit: name.unit, slice: name.slice, name: name.name, annotations, resources: [], bus: user?.bus ?? '' },
  };
}

/**
 * The systemd driver's plan on cgroup v1 (legacy or hybrid), as runc's legacy
 * manager: a directory in each v1 hierarchy of runc's list at the unit's path
 * (and in the unified one on a hybrid host), all the container's own; the
 * resources as the fs driver writes them (v1), and as v1 unit properties
 * (filled in by planCgroups).
 */
function systemdV1PlanFrom(
  req: CgroupRequest,
  mode: CgroupMode,
  hierarchies: readonly Hierarchy[],
  own: ReadonlyMap<string, string>,
  pid1: ReadonlyMap<string, string>,
): CgroupPlan {
  const writes = v1ResourceWrites(req.resources); // a `unified` key fails here, in runc's words
  const annotations = annotationProperties(req.annotations);
  const name = systemdName(req.cgroupsPath, req.id);
  const { dirs, v1Binds } = legacyLayout(hierarchies, mode, pid1, own, expandSlice(name.slice), name.unit);
  for (const w of writes) {
    if (!dirFor(dirs, w.controller))
      throw new MiniRunError(
        'CGROUP',
        `linux.resources: the ${w.controller} controller is not mounted on this host (for ${w.file})`,
      );
  }
  const rules = deviceRules(req.deviceRules);
  checkV1Rules(rules, req.deviceRules.length);
  const v1Symlinks = v1Binds
    .filter((b) => b.name.includes(','))
    .flatMap((b) => b.name.split(',').map((ss) => ({ target: b.name, name: ss })));
  return {
    mode,
    dirs,
    v1Binds,
    v1Symlinks,
    deviceRules: rules,
    writes,
    systemd: { unit: name.unit, slice: name.slice, name: name.name, annotations, resources: [], bus: '', v1: true },
  };
}

export function planCgroups(req: CgroupRequest): CgroupPlan {
  const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const hierarchies = parseHierarchies(mountinfo);
  // the systemd driver on cgroup v1 (legacy or hybrid): runc's legacy manager
  const legacy = req.systemd === true && detectMode(hierarchies) !== 'v2';
  if (req.systemd) {
    annotationProperties(req.annotations); // runc reads these first
    checkSystemdRunning();
    // rootless on cgroup v1: planFrom refuses it, as runc's legacy manager, before any bus is asked
    if (req.rootless && !legacy) {
      const bus = userBusAddress();
      loadAddon().useSystemdBus(bus);
      req = { ...req, userManager: { bus, cgroup: managerCgroup(loadAddon()) } };
    } else loadAddon().useSystemdBus('');
  }
  const unified = hierarchies.find((h) => h.v2);
  let controllers: string[] = [];
  if (unified) {
    try {
      controllers = fs
        .readFileSync(path.join(unified.mountpoint, 'cgroup.controllers'), 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    } catch {
      // no controllers to offer
    }
  }
  // the systemd driver on v1 places the unit's dirs under pid 1's cgroups (runc's GetInitCgroup)
  const pid1 = legacy ? fs.readFileSync('/proc/1/cgroup', 'utf8') : '';
  const plan = planFrom(
    req,
    mountinfo,
    fs.readFileSync('/proc/self/cgroup', 'utf8'),
    controllers,
    canUseCgroupDir,
    pid1,
  );
  if (plan.systemd)
    plan.systemd.resources = (plan.systemd.v1 ? v1ResourceProperties : resourceProperties)(
      systemdHost(loadAddon),
      req.resources,
      plan.deviceRules,
    );
  return plan;
}
