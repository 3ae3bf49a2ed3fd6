// The systemd cgroup driver's naming, as runc 1.1.5's: cgroupsPath
// "slice:prefix:name" (specconv), the unit (prefix-name.scope, or name when it
// ends in .slice), the parent slice (system.slice when empty) and the unit's
// cgroup directory (ExpandSlice of the parent, then the unit). Pure.
import * as path from 'node:path';
import { MiniRunError } from '../errors';

export interface SystemdName {
  /** the unit: "prefix-name.scope", or "name.slice" */
  unit: string;
  /** the parent slice unit: Slice= of a scope, Wants= of a slice */
  slice: string;
  /** the unit's cgroup, relative to the cgroup v2 mount: "/system.slice/prefix-name.scope" */
  cgroup: string;
  /** the config's name part, for the unit's Description */
  name: string;
}

function cgroupError(reason: string): MiniRunError {
  return new MiniRunError('CGROUP', reason);
}

/**
 * A slice unit's cgroup path, as systemd (and runc's ExpandSlice) make it:
 * "a-b-c.slice" is /a.slice/a-b.slice/a-b-c.slice, "-.slice" the root.
 */
export function expandSlice(slice: string): string {
  const suffix = '.slice';
  const bad = () => cgroupError(`invalid slice name: ${slice}`);
  if (slice.length < suffix.length || !slice.endsWith(suffix) || slice.includes('/')) throw bad();
  const base = slice.slice(0, -suffix.length);
  if (base === '-') return '/';
  let out = '';
  let prefix = '';
  for (const part of base.split('-')) {
    if (part === '') throw bad();
    out += `/${prefix}${part}${suffix}`;
    prefix += `${part}-`;
  }
  return out;
}

/**
 * cgroupsPath under --systemd-cgroup, read as runc reads it: empty is the
 * container id with the prefix "runc" in system.slice; otherwise exactly
 * three fields "slice:prefix:name" (an empty slice is defaultSlice: system.slice, or user.slice rootless).
 */
export function systemdName(cgroupsPath: string | undefined, id: string, defaultSlice = 'system.slice'): SystemdName {
  let parent = '';
  let prefix = 'runc';
  let name = id;
  if (cgroupsPath) {
    const parts = cgroupsPath.split(':');
    if (parts.length !== 3) {
      throw cgroupError(
        `expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got ${JSON.stringify(cgroupsPath)} instead`,
      );
    }
    [parent, prefix, name] = parts;
  }
  const unit = name.endsWith('.slice') ? name : `${prefix}-${name}.scope`;
  const slice = parent || defaultSlice;
  const sliceDir = expandSlice(slice);
  // As runc's securejoin: the unit's directory stays below the slice's (a
  // unit name with "/" or ".." is refused by systemd in any case).
  const cgroup = path.posix.join(sliceDir, path.posix.normalize(`/${unit}`));
  return { unit, slice, cgroup, name };
}
