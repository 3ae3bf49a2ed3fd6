// Making, joining and removing a container's cgroup directories. Only
// directories this container made are ever removed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { debug } from '../log';
import { loadAddon } from '../native/loader';
import { sleepSync } from '../output';
import { deviceFilter } from './device-filter';
import { v1DeviceWrites } from './devices';
import { dirFor, hasController, type CgroupDir } from './dirs';
import type { CgroupPlan } from './plan';
import type { CgroupWrite } from './resources-common';
import { joinCgroups } from './join';
import { limitWithoutCgroup } from './rootless';
import { startUnit } from './systemd';
import { legacyDeviceWrites, legacyJoined, setLegacyProperties } from './systemd-v1';
import type { Addon } from '../native/addon';

function cgError(what: string, file: string, e: unknown): MiniRunError {
  return new MiniRunError(
    'CGROUP',
    `cgroup: ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
  );
}

function write(file: string, value: string): void {
  debug(() => `cgroup: ${file} = ${JSON.stringify(value)}`);
  try {
    fs.writeFileSync(file, value);
  } catch (e) {
    throw cgError(`write ${JSON.stringify(value)} to`, file, e);
  }
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw cgError('read', file, e);
  }
}

/**
 * v1 cpuset: a task cannot join a cgroup whose cpuset.cpus or cpuset.mems is
 * empty (ENOSPC), and a new cpuset cgroup starts empty. As runc's
 * cpusetEnsureParent / cpusetCopyIfNeeded, every directory below the
 * hierarchy's mount down to the container's, made now or already there,
 * gets its parent's value in each file that is empty, from the top down.
 * The container's own files that the config sets (`given`) are left to the
 * resource writes, which come before the init joins (runc writes them first
 * and copies only what is still empty).
 */
function fillCpuset(mount: string, leaf: string, given: ReadonlySet<string>): void {
  const chain: string[] = [];
  for (let d = leaf; d.startsWith(`${mount}/`); d = path.dirname(d)) chain.unshift(d);
  for (const d of chain) {
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if (d === leaf && given.has(f)) continue;
      if (read(path.join(d, f)).trim() === '') write(path.join(d, f), read(path.join(path.dirname(d), f)));
    }
  }
}

/**
 * v2: every controller the root offers is enabled in cgroup.subtree_control
 * of each directory above the container's, from the root down, as runc does
 * (all at once, else one by one; what cannot be enabled shows up as a
 * missing file when a limit is written).
 */
function enableControllers(mount: string, leaf: string): void {
  let offered: string[];
  try {
    offered = read(path.join(mount, 'cgroup.controllers')).trim().split(/\s+/).filter(Boolean);
  } catch {
    return;
  }
  if (offered.length === 0) return;
  const all = offered.map((c) => `+${c}`);
  const above: string[] = [];
  for (let d = path.dirname(leaf); d.startsWith(mount); d = path.dirname(d)) {
    above.unshift(d);
    if (d === mount) break;
  }
  for (const d of above) {
    const file = path.join(d, 'cgroup.subtree_control');
    try {
      fs.writeFileSync(file, all.join(' '));
    } catch {
      for (const c of all) {
        try {
          fs.writeFileSync(file, c);
        } catch {
          // not this one (e.g. a threaded subtree)
        }
      }
    }
  }
}

function makeDir(d: CgroupDir, v2Mount: string | undefined, cpusetGiven: ReadonlySet<string>, unit = false): void {
  let made: string | undefined;
  try {
    made = fs.mkdirSync(d.path, { recursive: true, mode: 0o755 });
  } catch (e) {
    throw cgError('create', d.path, e);
  }
  // a systemd unit's dir is the container's own, made or not; on v1 only it is removed, as runc
  // removes the unit's paths and leaves a slice it made (e.g. in the freezer hierarchy)
  if (!unit) d.made = made ?? d.made;
  if (v2Mount) enableControllers(v2Mount, d.path);
  if (d.mount && hasController(d, 'cpuset')) fillCpuset(d.mount, d.path, cpusetGiven);
}

/** The directory a resource file lives in: its controller's v1 hierarchy, or the one v2 dir. */
function writeDir(plan: Pick<CgroupPlan, 'mode' | 'dirs'>, w: CgroupWrite): string {
  const d = dirFor(plan.dirs, w.controller, plan.mode);
  // a container without that cgroup (rootless: left out when created), in runc's words
  if (!d) throw limitWithoutCgroup(w.controller);
  return d.path;
}

/** Writes resource files in order; used by create and by update. */
export function writeResources(plan: Pick<CgroupPlan, 'mode' | 'dirs'>, writes: readonly CgroupWrite[]): void {
  // A write the kernel refused with EINVAL that is tried again after the next one (retryAfterNext).
  let again: { file: string; value: string } | undefined;
  for (const w of writes) {
    const dir = writeDir(plan, w);
    const file = path.join(dir, w.file);
    if ((w.alt || w.ifExists) && !fs.existsSync(file)) {
      if (w.alt) write(path.join(dir, w.alt.file), w.alt.value);
      continue;
    }
    debug(() => `cgroup: ${file} = ${JSON.stringify(w.value)}`);
    try {
      fs.writeFileSync(file, w.value);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (w.retryAfterNext && code === 'EINVAL') {
        again = { file, value: w.value };
        continue;
      }
      throw w.file === 'memory.limit_in_bytes' && code === 'EBUSY'
        ? memoryInUse(dir, w.value)
        : cgError(`write ${JSON.stringify(w.value)} to`, file, e);
    }
    if (again) write(again.file, again.value);
    again = undefined;
  }
  if (again) write(again.file, again.value);
}

/** v1 refuses a memory limit below what the cgroup uses: say how much it uses (runc does too). */
function memoryInUse(dir: string, value: string): MiniRunError {
  const num = (f: string) => {
    try {
      return fs.readFileSync(path.join(dir, f), 'utf8').trim();
    } catch {
      return '?';
    }
  };
  return new MiniRunError(
    'CGROUP',
    `cgroup: cannot set the memory limit to ${value}: the container uses ${num('memory.usage_in_bytes')} bytes (peak ${num('memory.max_usage_in_bytes')})`,
  );
}

/** The device allow-list: v1 devices.deny/allow, or a v2 eBPF program on the container's dir. */
function applyDeviceRules(plan: CgroupPlan): void {
  if (plan.mode === 'v2') {
    const dir = dirFor(plan.dirs, 'unified')!;
    try {
      loadAddon().attachDeviceFilter(dir.path, deviceFilter(plan.deviceRules));
    } catch (e) {
      throw new MiniRunError('CGROUP', `cgroup: device rules for ${dir.path}: ${(e as Error).message}`);
    }
    return;
  }
  const devices = dirFor(plan.dirs, 'devices');
  if (devices) {
    for (const [file, rule] of v1DeviceWrites(plan.deviceRules))
      write(path.join(devices.path, `devices.${file}`), rule);
  }
}

/**
 * The dirs as createCgroups will make them: each with `made`, the top-most
 * of its directories that does not exist yet (for the journal, written
 * before they are made).
 */
export function plannedCgroupDirs(dirs: readonly CgroupDir[]): CgroupDir[] {
  return dirs.map((d) => {
    if (d.made !== undefined) return { ...d }; // the systemd driver's unit
    let made: string | undefined;
    for (let dir = d.path; !fs.existsSync(dir) && (!d.mount || dir.startsWith(`${d.mount}/`)); dir = path.dirname(dir))
      made = dir;
    return { ...d, made };
  });
}

/** The dirs (made, or there), their resource files and device rules. */
function setUpDirs(plan: CgroupPlan): void {
  const cpusetGiven = new Set(plan.writes.filter((w) => w.controller === 'cpuset').map((w) => w.file));
  for (const d of plan.dirs) makeDir(d, plan.mode === 'v2' ? d.mount : undefined, cpusetGiven);
  writeResources(plan, plan.writes);
  try {
    applyDeviceRules(plan);
  } catch (e) {
    // as runc: with rootless cgroups, device rules are "not expected to work"
    if (!plan.rootless) throw e;
  }
}

/** Before the init exists: the cgroupfs driver's dirs (the systemd driver's unit needs the init: placeInCgroups). */
export function createCgroups(plan: CgroupPlan): void {
  if (plan.systemd) return;
  try {
    setUpDirs(plan);
  } catch (e) {
    destroyCgroups(plan);
    throw e;
  }
}

/**
 * The new init into its cgroups: cgroupfs, it joins the dirs made; systemd,
 * its unit is started with it (the job waited for), and the unit's cgroup
 * then gets the resource files and device rules as cgroupfs v2 dirs do (as
 * runc's systemd driver writes them after the unit's properties). What this
 * leaves on a failure is unmade from the container's record.
 */
export function placeInCgroups(addon: Addon, plan: CgroupPlan, pid: number): void {
  if (!plan.systemd) return joinCgroups(plan, pid);
  startUnit(addon, plan.systemd, pid);
  if (plan.systemd.v1) return placeLegacy(addon, plan, pid);
  setUpDirs(plan);
  if (plan.mode === 'v2' && plan.ownerUid !== undefined) delegateTo(plan.dirs[0].path, plan.ownerUid);
}

/**
 * cgroup v1 (systemd-v1.ts), as runc's legacy manager: the unit is started;
 * the init joins every v1 hierarchy's dir (made if systemd does not manage
 * the controller, a cpuset one filled from its parent first, as runc's
 * ApplyDir); then the unit's properties, with the container frozen, and the
 * files and device rules as the fs driver writes them (runc's Set).
 */
function placeLegacy(addon: Addon, plan: CgroupPlan, pid: number): void {
  const unit = plan.systemd!;
  for (const d of legacyJoined(plan.dirs)) {
    makeDir(d, undefined, new Set(), true);
    write(path.join(d.path, 'cgroup.procs'), String(pid));
  }
  setLegacyProperties(addon, unit.unit, unit.resources, plan.dirs);
  writeResources(plan, plan.writes);
  const devices = dirFor(plan.dirs, 'devices');
  if (devices) {
    const list = read(path.join(devices.path, 'devices.list'));
    for (const [file, rule] of legacyDeviceWrites(list, plan.deviceRules))
      write(path.join(devices.path, `devices.${file}`), rule);
  }
}

/**
 * runc's systemd driver on v2, for a container with its own cgroup namespace and a writable
 * /sys/fs/cgroup: the cgroup and the files the kernel lists for delegation
 * (/sys/kernel/cgroup/delegate; cgroups(7)'s three without it) are chowned to the container's user.
 */
function delegateTo(dir: string, uid: number): void {
  let files = ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'];
  try {
    files = fs.readFileSync('/sys/kernel/cgroup/delegate', 'utf8').split('\n').filter(Boolean);
  } catch {
    // before Linux 4.15: the three of cgroups(7)
  }
  for (const f of ['', ...files]) {
    const file = path.join(dir, f);
    try {
      fs.chownSync(file, uid, -1);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || f === '') throw cgError(`chown to ${uid}`, file, e);
    }
  }
}

/** The cgroups below `dir` (made by a user or by the container itself), deepest first. */
function subCgroupsOf(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory())
    .flatMap((e) => {
      const sub = path.join(dir, e.name);
      return [...subCgroupsOf(sub), sub];
    });
}

function procsOf(dir: string): number[] {
  try {
    return fs
      .readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Every process in the container's cgroups and the cgroups below them, as runc's GetAllPids. */
export function cgroupPids(plan: Pick<CgroupPlan, 'dirs'>): number[] {
  const all = new Set<number>();
  for (const d of plan.dirs) {
    for (const dir of [d.path, ...subCgroupsOf(d.path)]) for (const p of procsOf(dir)) all.add(p);
  }
  return [...all].sort((a, b) => a - b);
}

/** Kills what is left in the cgroups, then removes the directories this container made. */
export function destroyCgroups(plan: Pick<CgroupPlan, 'dirs'>): void {
  const made = plan.dirs.filter((d) => d.made !== undefined);
  for (let i = 0; i < 200; i++) {
    const pids = cgroupPids({ dirs: made });
    if (pids.length === 0) break;
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    sleepSync(10);
  }
  for (const d of made) {
    // The leaf first, then each directory above it that this container made.
    // Sub-cgroups below the container's go first, as runc removes them.
    let removed = subCgroupsOf(d.path).every(rmdirRetry);
    for (let dir = d.path; removed && dir.length >= d.made!.length; dir = path.dirname(dir)) removed = rmdirRetry(dir);
    if (removed) d.made = undefined;
  }
  // The container's own cgroup that was there before it (made by a pod manager, a test) goes too, as
  // runc removes its cgroup path, with what was set in it; not while something else is in it or below.
  for (const d of plan.dirs) {
    if (
      d.made === undefined &&
      fs.existsSync(d.path) &&
      procsOf(d.path).length === 0 &&
      subCgroupsOf(d.path).length === 0
    )
      rmdirRetry(d.path);
  }
}

/** rmdir, retrying while the kernel still reports the cgroup busy. */
function rmdirRetry(dir: string): boolean {
  for (let i = 0; i < 100; i++) {
    try {
      fs.rmdirSync(dir);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY') return false;
      sleepSync(10);
    }
  }
  return false;
}
