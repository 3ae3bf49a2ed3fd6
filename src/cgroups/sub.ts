// `exec --cgroup [<controller>[,<controller>...]:]<path>`: run the process in
// an existing sub-cgroup of the container's. The arguments follow runc
// 1.1.5: a path without a prefix goes to every hierarchy and may only be
// given alone; a prefixed one goes to the hierarchies of those controllers.
// A path that leads out of the container's cgroup is refused, as by runc
// (with its words, "<path> is not a sub cgroup path"; runc only compares
// string prefixes, so it lets "../c1x" out of "c1", which minirun does not).
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import type { CgroupDir } from './dirs';

/** Controller -> sub-path; the key '' is every hierarchy (and the unified one). */
export type SubCgroups = Map<string, string>;

export function parseSubCgroups(args: readonly string[]): SubCgroups {
  const subs: SubCgroups = new Map();
  for (const arg of args) {
    const parts = arg.split(':');
    if (parts.length > 2) throw new MiniRunError('USAGE', `--cgroup: "${arg}": must be [<controller>:]<path>`);
    if (parts.length === 1) {
      if (args.length !== 1)
        throw new MiniRunError(
          'USAGE',
          `--cgroup: "${arg}": needs a <controller>: prefix when --cgroup is given more than once`,
        );
      subs.set('', arg);
    } else {
      for (const controller of parts[0].split(',')) subs.set(controller, parts[1]);
    }
  }
  return subs;
}

/** The names --cgroup knows a hierarchy by, as runc's: "name=systemd"; the unified one is ''. */
function keysOf(d: CgroupDir): string[] {
  if (d.hierarchy === 'unified') return [''];
  return d.hierarchy.split(',').map((c) => (c === 'systemd' ? 'name=systemd' : c));
}

/** The container's cgroup dirs, each moved to its sub-cgroup where --cgroup names one. */
export function subCgroupDirs(dirs: readonly CgroupDir[], subs: SubCgroups): CgroupDir[] {
  const known = new Set(dirs.flatMap(keysOf));
  for (const controller of subs.keys()) {
    if (controller !== '' && !known.has(controller)) {
      const have = [...known].filter((k) => k !== '');
      const hint = have.length > 0 ? `the container's are ${have.join(', ')}` : 'on cgroup v2, give the path alone';
      throw new MiniRunError('USAGE', `--cgroup: unknown controller "${controller}" (${hint})`);
    }
  }
  return dirs.map((d) => {
    const keys = keysOf(d);
    const sub = keys.map((k) => (k === '' ? undefined : subs.get(k))).find((s) => s !== undefined) ?? subs.get('');
    if (sub === undefined) return d;
    const target = path.join(d.path, sub).replace(/(.)\/+$/, '$1');
    if (target !== d.path && !target.startsWith(`${d.path}/`)) {
      throw new MiniRunError(
        'USAGE',
        `--cgroup: ${sub} is not a sub cgroup path (it leads out of the container's cgroup ${d.path})`,
      );
    }
    return { ...d, path: target };
  });
}
