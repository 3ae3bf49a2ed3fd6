// spec -> launch plan: a pure function. Everything the host has to tell
// (resolved rootfs, cgroup mode and dirs, /proc/kcore) comes in as input.
import * as path from 'node:path';
import { configError, MiniRunError } from '../errors';
import { HOOK_POINT_CREATE, HOOK_POINT_START, MountKind } from '../native/protocol';
import { readMemoryPolicy, readPersonality, readTimeOffsets } from '../config/process-settings';
import { readSeccomp } from '../config/seccomp';
import type { Mount, Spec } from '../config/types';
import { defaultDevices, devSymlinks } from './devices';
import { MS, parseMountOptions, propagationFlag } from './mount-options';
import { cloneFlag, CLONE_NEW } from './namespaces';
import { consoleSize, planProcess } from './process';
import { checkSysctl } from './sysctl';
import type { LaunchPlan, PlanDevice, PlanIdmap, PlanMount } from './types';

export interface CgroupMountInfo {
  mode: 'v1' | 'hybrid' | 'v2';
  /** container cgroup dirs to bind at /sys/fs/cgroup/<name> (v1, no cgroup namespace) */
  v1Binds: { source: string; name: string }[];
  v1Symlinks: { target: string; name: string }[];
  /** v2: the container's cgroup dir, made or not (runc's Cgroup2Path) */
  v2Path?: string;
  /** rootless cgroups: a missing v2Path masks /sys/fs/cgroup when cgroup2 cannot be mounted */
  rootless?: boolean;
}

export interface BuildInput {
  spec: Spec;
  bundle: string;
  /** root.path resolved to an absolute, symlink-free host path */
  rootfs: string;
  noPivot: boolean;
  /** the keyring to join, unless --no-new-keyring */
  sessionKeyring?: string;
  cgroup: CgroupMountInfo;
  hostHasKcore: boolean;
  execFifo?: string;
  /** is this namespace path the host's network namespace? (for net.* sysctls; default: no) */
  isHostNetns?: (path: string) => boolean;
  /** is this host path on a proc filesystem? (a bind over /proc must be; default: no) */
  isProcfs?: (path: string) => boolean;
}

/** Fields minirun rejects until it implements them: never silently ignored. */
function rejectUnsupported(spec: Spec): void {
  const notYet = (p: string): never => {
    throw configError(p, 'not supported yet');
  };
  const l = spec.linux as Record<string, unknown> | undefined;
  for (const k of ['intelRdt']) {
    if (l && l[k] !== undefined && l[k] !== null) notYet(`linux.${k}`);
  }
}

/** Where the init must wait for hooks. With an exec fifo, `start` runs startContainer itself. */
function hookPoints(spec: Spec, withFifo: boolean): number {
  const h = spec.hooks ?? {};
  const some = (list?: unknown[]) => (list ?? []).length > 0;
  let points = 0;
  if (some(h.prestart) || some(h.createRuntime) || some(h.createContainer)) points |= HOOK_POINT_CREATE;
  if (!withFifo && some(h.startContainer)) points |= HOOK_POINT_START;
  return points;
}

function mountKind(type: string): MountKind {
  switch (type) {
    case 'tmpfs':
      return MountKind.Tmpfs;
    case 'proc':
      return MountKind.Proc;
    case 'sysfs':
      return MountKind.Sysfs;
    default:
      return MountKind.Generic;
  }
}

function cgroupMounts(
  base: PlanMount,
  cg: CgroupMountInfo,
  cgroupns: boolean,
  symlinks: [string, string][],
): PlanMount[] {
  if (cg.mode === 'v2') {
    // runc's mountCgroupV2: where cgroup2 cannot be mounted (a user namespace without a cgroup namespace,
    // or /sys/fs/cgroup already one from an rbind of /sys), a bind: of the container's own dir with a
    // cgroup namespace, else of the whole tree
    const source = cgroupns && cg.v2Path ? cg.v2Path : '/sys/fs/cgroup';
    const fallback = { source, maskMissing: cg.rootless === true };
    return [{ ...base, kind: MountKind.Generic, source: 'cgroup', fstype: 'cgroup2', fallback }];
  }
  // v1: a tmpfs holding one entry per hierarchy, as runc does.
  const out: PlanMount[] = [
    {
      ...base,
      kind: MountKind.Tmpfs,
      source: 'tmpfs',
      fstype: 'tmpfs',
      data: 'mode=755',
      flags: MS.NOEXEC | MS.NOSUID | MS.NODEV,
    },
  ];
  for (const b of cg.v1Binds) {
    const destination = path.posix.join(base.destination, b.name);
    if (cgroupns) {
      const known = /^[a-z_,]+$/.test(b.name) && b.name !== 'systemd';
      out.push({
        ...base,
        kind: MountKind.Generic,
        source: 'cgroup',
        fstype: 'cgroup',
        destination,
        data: known ? b.name : `none,name=${b.name}`,
      });
    } else {
      out.push({
        ...base,
        kind: MountKind.Bind,
        source: b.source,
        fstype: 'bind',
        destination,
        data: '',
        flags: base.flags | MS.BIND | MS.REC,
      });
    }
  }
  for (const s of cg.v1Symlinks) symlinks.push([s.target, path.posix.join(base.destination, s.name)]);
  return out;
}

/**
 * An id-mapped mount's mapping, by runc 1.2's rules: bind mounts only; the
 * mount's own uidMappings/gidMappings, or else the container's user
 * namespace (its mappings, or the namespace joined by path).
 */
function planIdmap(m: Mount, word: 'idmap' | 'ridmap', isBind: boolean, spec: Spec, where: string): PlanIdmap {
  if (!isBind) throw configError(`${where}.options`, `"${word}": id-mapped mounts are only supported for bind mounts`);
  const idmap = {
    recursive: word === 'ridmap',
    joinedUserns: false,
    uidMappings: m.uidMappings ?? [],
    gidMappings: m.gidMappings ?? [],
  };
  if (m.uidMappings && m.gidMappings) return idmap;
  const userNs = (spec.linux?.namespaces ?? []).find((n) => n.type === 'user');
  if (!userNs) {
    throw configError(
      `${where}.options`,
      `"${word}" without uidMappings and gidMappings needs a user namespace in linux.namespaces to take the mapping from`,
    );
  }
  if (userNs.path) return { ...idmap, joinedUserns: true };
  return {
    ...idmap,
    uidMappings: [...(spec.linux?.uidMappings ?? [])],
    gidMappings: [...(spec.linux?.gidMappings ?? [])],
  };
}

/** What runc lets a bind (or a filesystem other than proc, sysfs, mqueue, tmpfs, cgroup) cover inside /proc: lxcfs's files. */
const PROC_MOUNTABLE = [
  '/proc/cpuinfo',
  '/proc/diskstats',
  '/proc/meminfo',
  '/proc/stat',
  '/proc/swaps',
  '/proc/uptime',
  '/proc/loadavg',
  '/proc/slabinfo',
  '/proc/net/dev',
  '/proc/sys/kernel/ns_last_pid',
];
/** Filesystems runc 1.1.5 mounts inside /proc without its checkProcMount. */
const PROC_UNCHECKED = ['proc', 'sysfs', 'mqueue', 'tmpfs', 'cgroup'];

/**
 * runc's checkProcMount: nothing may be mounted over /proc's files
 * (CVE-2019-16884: /proc/self/attr/exec), and /proc itself only from a proc
 * filesystem. runc 1.1.5 skips the check for a sysfs, mqueue, tmpfs or cgroup,
 * but one of them on /proc hides /proc/self, and its init then fails: that
 * is refused here, up front.
 */
function checkProcMount(
  destination: string,
  type: string,
  source: string | undefined,
  isBind: boolean,
  where: string,
  isProcfs: (p: string) => boolean,
): void {
  if (destination !== '/proc' && !destination.startsWith('/proc/')) return;
  if (destination === '/proc') {
    if (source === undefined ? type === 'proc' : isProcfs(source)) return;
    throw configError(
      `${where}.destination`,
      `/proc: only a proc filesystem may be mounted there (${isBind ? source : `a ${type}`} is not one)`,
    );
  }
  if (source === undefined || PROC_MOUNTABLE.includes(destination)) return;
  throw configError(
    `${where}.destination`,
    `${destination} is inside /proc: only ${PROC_MOUNTABLE.join(', ')} may be mounted over (as runc)`,
  );
}

function planMounts(input: BuildInput, cgroupns: boolean, symlinks: [string, string][]): PlanMount[] {
  const out: PlanMount[] = [];
  (input.spec.mounts ?? []).forEach((m, index) => {
    const where = `mounts[${index}]`;
    const opts = parseMountOptions(m.options ?? []);
    if (opts.propagation.length > 4) throw configError(`${where}.options`, 'more than 4 propagation options');
    const type = m.type ?? '';
    const isBind = type === 'bind' || (opts.flags & MS.BIND) !== 0n;
    // Cleaned as Go's filepath.Clean cleans it: "/proc/./" is /proc, not a path inside it.
    const destination = path.posix.normalize(m.destination).replace(/(.)\/+$/, '$1');
    // runc 1.1.5 takes a mount on / as the root for the mounts after it and for
    // pivot_root; minirun mounts relative to the rootfs it opened first, so it
    // would be left out. Refused until minirun follows it (DELIBERATE).
    if (destination === '/')
      throw configError(
        `${where}.destination`,
        'a mount on / (runc takes it as the new root for the mounts after it) is not supported yet',
      );
    const base: PlanMount = {
      kind: MountKind.Generic,
      index,
      source: m.source ?? '',
      destination,
      fstype: type,
      flags: opts.flags,
      propagation: opts.propagation,
      data: opts.data,
    };
    if (opts.attrSet !== 0n || opts.attrClr !== 0n) base.recAttr = { set: opts.attrSet, clr: opts.attrClr };
    // Mappings without "idmap"/"ridmap" are taken as "idmap", as runc 1.2 takes them.
    const idmapWord = opts.idmap ?? (m.uidMappings && m.gidMappings ? 'idmap' : undefined);
    if (idmapWord) base.idmap = planIdmap(m, idmapWord, isBind, input.spec, where);
    if (isBind && !m.source) throw configError(`${where}.source`, 'a bind mount needs a source');
    const bindSource = isBind ? path.resolve(input.bundle, m.source!) : '';
    // Binds and the filesystems runc checks by their source; the others (undefined) by their type alone.
    const procSource = isBind ? bindSource : PROC_UNCHECKED.includes(type) ? undefined : (m.source ?? '');
    checkProcMount(destination, type, procSource, isBind, where, input.isProcfs ?? (() => false));
    if (isBind) {
      out.push({ ...base, kind: MountKind.Bind, fstype: 'bind', source: bindSource, flags: opts.flags | MS.BIND });
    } else if (type === '') {
      throw configError(`${where}.type`, 'is required unless the options say bind or rbind');
    } else if (type === 'cgroup') {
      // Recursive attributes go on the first (top) mount only: they reach the rest from there.
      out.push(
        ...cgroupMounts(base, input.cgroup, cgroupns, symlinks).map((c, i) =>
          i === 0 ? c : { ...c, recAttr: undefined },
        ),
      );
    } else if (type === 'tmpfs' && opts.copyUp) {
      // runc applies tmpcopyup to tmpfs mounts only and ignores it elsewhere.
      out.push({ ...base, kind: MountKind.TmpfsCopyUp });
    } else {
      out.push({ ...base, kind: mountKind(type) });
    }
  });
  return out;
}

function planDevices(spec: Spec): PlanDevice[] {
  const fromSpec: PlanDevice[] = (spec.linux?.devices ?? []).map((d) => ({
    type: d.type === 'u' ? 'c' : (d.type as 'c' | 'b' | 'p'),
    path: path.posix.normalize(d.path),
    major: d.major ?? 0,
    minor: d.minor ?? 0,
    mode: d.fileMode ?? 0o666,
    uid: d.uid ?? 0,
    gid: d.gid ?? 0,
  }));
  const taken = new Set(fromSpec.map((d) => d.path));
  return [...fromSpec, ...defaultDevices().filter((d) => !taken.has(d.path))];
}

export function buildPlan(input: BuildInput): LaunchPlan {
  const { spec } = input;
  rejectUnsupported(spec);
  const proc = spec.process;
  const linux = spec.linux ?? {};
  const namespaces = linux.namespaces ?? [];

  let cloneFlags = 0;
  const joins: { type: number; path: string }[] = [];
  for (const ns of namespaces) {
    const flag = cloneFlag(ns.type)!;
    if (ns.path) joins.push({ type: flag, path: ns.path });
    else cloneFlags |= flag;
  }
  const hasNs = (type: string) => namespaces.some((n) => n.type === type);
  // Without a mount namespace the container inherits the runtime's (runtime-spec): its mounts are
  // made there, under the rootfs, and it is chrooted. --no-pivot would move the rootfs over the
  // host's / and detach the host's /proc: refused.
  if (input.noPivot && !hasNs('mount')) {
    throw new MiniRunError('USAGE', '--no-pivot: needs a mount namespace, and linux.namespaces has none');
  }

  const symlinks: [string, string][] = [];
  const mounts = planMounts(
    input,
    (cloneFlags & CLONE_NEW.cgroup) !== 0 || joins.some((j) => j.type === CLONE_NEW.cgroup),
    symlinks,
  );
  const setupDev = !mounts.some((m) => m.kind === MountKind.Bind && m.destination === '/dev');
  if (setupDev) symlinks.unshift(...devSymlinks(input.hostHasKcore));

  const sysctl = Object.entries(linux.sysctl ?? {});
  const netPath = namespaces.find((n) => n.type === 'network')?.path;
  const hostNetwork = () => netPath !== undefined && (input.isHostNetns ?? (() => false))(netPath);
  for (const [k] of sysctl) checkSysctl(k, { has: hasNs, hostNetwork });

  let rootfsPropagation = 0n;
  if (linux.rootfsPropagation) rootfsPropagation = propagationFlag(linux.rootfsPropagation)!;
  // Without pivot_root the old root stays below: private propagation would hide the host's mount events (runc refuses it).
  if (input.noPivot && (linux.rootfsPropagation === 'private' || linux.rootfsPropagation === 'rprivate')) {
    throw configError(
      'linux.rootfsPropagation',
      `${linux.rootfsPropagation} is not safe without pivot_root (--no-pivot)`,
    );
  }

  return {
    rootfs: input.rootfs,
    rootfsPropagation,
    rootReadonly: spec.root?.readonly === true,
    noPivot: input.noPivot,
    cloneFlags,
    joins,
    hostname: spec.hostname ? spec.hostname : undefined,
    domainname: spec.domainname ? spec.domainname : undefined,
    mounts,
    devices: setupDev ? planDevices(spec) : [],
    maskedPaths: [...(linux.maskedPaths ?? [])],
    readonlyPaths: [...(linux.readonlyPaths ?? [])],
    sysctl,
    symlinks,
    mkdirs: proc.cwd !== '/' ? [{ path: proc.cwd, mode: 0o755 }] : [],
    ...planProcess(proc),
    oomScoreAdj: proc.oomScoreAdj,
    setupDev,
    execFifo: input.execFifo,
    hookPoints: hookPoints(spec, input.execFifo !== undefined),
    terminal: proc.terminal ? 2 : 0,
    sessionKeyring: input.sessionKeyring,
    seccomp: readSeccomp(linux.seccomp),
    personality: readPersonality(linux.personality),
    memoryPolicy: readMemoryPolicy(linux.memoryPolicy),
    timeOffsets: readTimeOffsets(linux.timeOffsets, (cloneFlags & CLONE_NEW.time) !== 0),
    consoleSize: consoleSize(proc),
    uidMappings: [...(linux.uidMappings ?? [])],
    gidMappings: [...(linux.gidMappings ?? [])],
  };
}
