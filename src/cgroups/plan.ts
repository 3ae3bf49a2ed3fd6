// Which cgroup directories a container gets, decided once from the host's
// mounts and this process's own cgroups, as runc's fs driver decides.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import type { Resources } from '../spec/types';
import { deviceRules, type DeviceRule } from './devices';
import { v1Writes, type CgroupWrite } from './resources';
import { parseHierarchies, parseProcCgroup, type Hierarchy } from './mounts';

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

export interface CgroupDir {
  /** the hierarchy's name: "cpu", "systemd", "unified" ... */
  hierarchy: string;
  path: string;
  /** the top-most directory this container created for it (undefined: it already existed) */
  made?: string;
}

export interface CgroupPlan {
  mode: CgroupMode;
  dirs: CgroupDir[];
  /** container cgroup dirs to bind at /sys/fs/cgroup/<name> (v1) */
  v1Binds: { source: string; name: string }[];
  v1Symlinks: { target: string; name: string }[];
  deviceRules: DeviceRule[];
  /** resource files to write (v1), in order */
  writes: CgroupWrite[];
}

export interface CgroupRequest {
  id: string;
  cgroupsPath?: string;
  deviceRules: DeviceRule[];
  /** linux.resources (devices apart) */
  resources?: Resources;
}

export function detectMode(hierarchies: readonly Hierarchy[]): CgroupMode {
  const v1 = hierarchies.some((h) => !h.v2);
  if (!v1) return 'v2';
  return hierarchies.some((h) => h.v2) ? 'hybrid' : 'v1';
}

/** The container's path inside a hierarchy (runc: absolute from the root, relative to our own cgroup). */
export function containerPath(req: Pick<CgroupRequest, 'id' | 'cgroupsPath'>, own: string): string {
  const p = req.cgroupsPath ?? '';
  if (p.startsWith('/')) return path.posix.normalize(p);
  return path.posix.join('/', own, path.posix.normalize('/' + (p || req.id)));
}

export function planFrom(req: CgroupRequest, mountinfo: string, procCgroup: string): CgroupPlan {
  const hierarchies = parseHierarchies(mountinfo);
  if (hierarchies.length === 0) throw new MiniRunError('CGROUP', 'cgroup: no cgroup hierarchy is mounted on this host');
  const mode = detectMode(hierarchies);
  if (mode === 'v2' && req.deviceRules.length > 0) {
    throw new MiniRunError('CGROUP', 'linux.resources.devices: device rules on cgroup v2 are not supported yet');
  }
  const writes = v1Writes(req.resources);
  if (mode === 'v2' && writes.length > 0) {
    throw new MiniRunError('CGROUP', `linux.resources: cpu, memory and pids limits on cgroup v2 are not supported yet`);
  }
  const own = parseProcCgroup(procCgroup);
  const dirs: CgroupDir[] = [];
  const v1Binds: { source: string; name: string }[] = [];
  for (const h of hierarchies) {
    const mine = own.get(h.key) ?? '/';
    // Our own path is relative to the hierarchy root; the mount may show a subtree.
    const rel = path.posix.relative(h.root, containerPath(req, mine));
    if (rel.startsWith('..')) throw new MiniRunError('CGROUP', `cgroup: ${h.mountpoint} does not show the cgroup for ${req.id}`);
    const dir = path.join(h.mountpoint, rel);
    dirs.push({ hierarchy: h.v2 ? 'unified' : h.name, path: dir });
    if (!h.v2) v1Binds.push({ source: dir, name: h.name });
  }
  const v1Symlinks: { target: string; name: string }[] = [];
  for (const b of v1Binds) {
    if (!b.name.includes(',')) continue;
    for (const ss of b.name.split(',')) v1Symlinks.push({ target: b.name, name: ss });
  }
  for (const w of writes) {
    if (!v1Binds.some((b) => b.name.split(',').includes(w.controller))) {
      throw new MiniRunError('CGROUP', `linux.resources: the ${w.controller} controller is not mounted on this host (for ${w.file})`);
    }
  }
  return { mode, dirs, v1Binds, v1Symlinks, deviceRules: deviceRules(req.deviceRules), writes };
}

export function planCgroups(req: CgroupRequest): CgroupPlan {
  return planFrom(req, fs.readFileSync('/proc/self/mountinfo', 'utf8'), fs.readFileSync('/proc/self/cgroup', 'utf8'));
}
