// Shared by the cgroup v2 tests (test/vm, run inside the qemu guest by
// run.sh): runs a bundle through runc or minirun in a cgroup of its own,
// with helpers for bundles and cgroup paths.
import * as fs from 'node:fs';
import { Sandbox, uniqueId, type Config, type Result } from '../integration/harness';

export type Runtime = 'runc' | 'minirun';
export const RUNTIMES: Runtime[] = ['runc', 'minirun'];

export interface Run {
  res: Result;
  id: string;
  /** the container's cgroup on this (v2) host */
  cgroup: string;
}

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** A bundle with the given args and config edits. */
export async function bundle(args: string[], edit?: (c: Config) => void): Promise<Sandbox> {
  const sb = await Sandbox.create(args);
  if (edit) sb.edit(edit);
  return sb;
}

/** Drops the default config's device rules (deny all), so that a case tests its limit alone. */
export function noDeviceRules(c: Config): void {
  delete c.linux.resources;
}

/** Sets the container's cgroupsPath to /<id>, so that its cgroup is /sys/fs/cgroup/<id>. */
export function inOwnCgroup(sb: Sandbox, runtime: Runtime): { id: string; cgroup: string } {
  const id = uniqueId(`v2${runtime[0]}`);
  sb.edit((c) => {
    c.linux.cgroupsPath = `/${id}`;
  });
  return { id, cgroup: `${CGROUP_ROOT}/${id}` };
}

/** `run` in the foreground, in a cgroup of its own. */
export function run(sb: Sandbox, runtime: Runtime, input = ''): Run {
  const { id, cgroup } = inOwnCgroup(sb, runtime);
  const res = runtime === 'runc' ? sb.runc(['run', id], input) : sb.minirun(['run', id], input);
  return { res, id, cgroup };
}

/** The container's stdout and stderr, for an assertion message. */
export function show(r: Result): string {
  return `exit ${r.code} signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

export function cgroupGone(cgroup: string): boolean {
  return !fs.existsSync(cgroup);
}
