// Rootless cgroups, as runc's fs manager has them (`--rootless`, or auto: an
// unprivileged caller): a hierarchy where the user cannot make the
// container's cgroup (EACCES, EPERM, EROFS) is left out without an error, when
// linux.cgroupsPath is not given, and the container stays in the caller's
// cgroup there. A limit for a controller so left out is an error in runc's
// words; device rules are not applied where they cannot be.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';

/** Whether the user can make (or join) the cgroup dir `dir` of a hierarchy mounted at `mount`. */
export function canUseCgroupDir(dir: string, mount: string): boolean {
  try {
    if (fs.existsSync(dir)) {
      fs.accessSync(path.join(dir, 'cgroup.procs'), fs.constants.W_OK);
      return true;
    }
    let parent = path.dirname(dir);
    while (!fs.existsSync(parent) && parent.startsWith(`${mount}/`)) parent = path.dirname(parent);
    fs.accessSync(parent, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return false;
    throw e;
  }
}

/** runc's error for a limit on a controller whose cgroup the container could not join. */
export function limitWithoutCgroup(controller: string): MiniRunError {
  return new MiniRunError('CGROUP', `cannot set ${controller} limit: container could not join or create cgroup`);
}

/**
 * For what needs the container's own cgroup (ps, kill --all: its processes):
 * a rootless container whose cgroups were all left out has none, and the
 * command fails as runc's does, in one line.
 */
export function requireOwnCgroup(dirs: readonly unknown[], what: string): void {
  if (dirs.length === 0)
    throw new MiniRunError(
      'CGROUP',
      `${what}: the container has no cgroup of its own (rootless: the user could not create one)`,
    );
}
