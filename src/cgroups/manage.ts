// Making, joining and removing a container's cgroup directories. Only
// directories this container made are ever removed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { v1Writes } from './devices';
import type { CgroupDir, CgroupPlan } from './plan';
import { sleepSync } from '../output';

function cgError(what: string, file: string, e: unknown): MiniRunError {
  return new MiniRunError('CGROUP', `cgroup: ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
}

function write(file: string, value: string): void {
  try {
    fs.writeFileSync(file, value);
  } catch (e) {
    throw cgError('write', file, e);
  }
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw cgError('read', file, e);
  }
}

/** A new cpuset cgroup is empty: it needs its parent's cpus and mems before a task can join. */
function fillCpuset(top: string, leaf: string): void {
  const chain: string[] = [];
  for (let d = leaf; d.length >= top.length; d = path.dirname(d)) chain.unshift(d);
  for (const d of chain) {
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if (read(path.join(d, f)).trim() === '') write(path.join(d, f), read(path.join(path.dirname(d), f)));
    }
  }
}

function makeDir(d: CgroupDir): void {
  let made: string | undefined;
  try {
    made = fs.mkdirSync(d.path, { recursive: true, mode: 0o755 });
  } catch (e) {
    throw cgError('create', d.path, e);
  }
  d.made = made;
  if (made && d.hierarchy.split(',').includes('cpuset')) fillCpuset(made, d.path);
}

export function createCgroups(plan: CgroupPlan): void {
  try {
    for (const d of plan.dirs) makeDir(d);
    for (const w of plan.writes) {
      const dir = plan.dirs.find((d) => d.hierarchy.split(',').includes(w.controller))!;
      write(path.join(dir.path, w.file), w.value);
    }
    const devices = plan.dirs.find((d) => d.hierarchy.split(',').includes('devices'));
    if (devices) {
      for (const [file, rule] of v1Writes(plan.deviceRules)) write(path.join(devices.path, `devices.${file}`), rule);
    }
  } catch (e) {
    destroyCgroups(plan);
    throw e;
  }
}

export function joinCgroups(plan: Pick<CgroupPlan, 'dirs'>, pid: number): void {
  for (const d of plan.dirs) write(path.join(d.path, 'cgroup.procs'), String(pid));
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

export function cgroupPids(plan: Pick<CgroupPlan, 'dirs'>): number[] {
  const all = new Set<number>();
  for (const d of plan.dirs) for (const p of procsOf(d.path)) all.add(p);
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
    let removed = true;
    for (let dir = d.path; removed && dir.length >= d.made!.length; dir = path.dirname(dir)) removed = rmdirRetry(dir);
    if (removed) d.made = undefined;
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
