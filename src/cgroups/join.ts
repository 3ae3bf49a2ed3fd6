// Putting a process in a container's cgroups by writing its pid to each
// cgroup.procs: the init with the cgroupfs driver (manage.ts), and an exec'd
// process, whose command loads this and not the rest of the cgroup code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { debug } from '../log';
import type { CgroupDir } from './dirs';
import { CGROUP_MOUNT, isCgroup2Unified, parseProcCgroup } from './mounts';

/**
 * Puts `pid` in the cgroups. For an exec (`initPid` given), as runc's setnsProcess: on a pure v2 host,
 * where a cgroup with domain controllers enabled below it takes no process (EBUSY: the container
 * moved its init into a child and enabled them), the process joins its init's cgroup instead.
 */
export function joinCgroups(plan: { dirs: readonly CgroupDir[] }, pid: number, initPid?: number): void {
  const join = (file: string) => {
    debug(() => `cgroup: ${file} = ${pid}`);
    try {
      fs.writeFileSync(file, String(pid));
    } catch (e) {
      // in runc's words, which its exec.bats checks: EBUSY is v2's "no internal processes" refusal
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EBUSY' ? 'device or resource busy' : (code ?? (e as Error).message);
      throw new MiniRunError('CGROUP', `cgroup: error adding pid ${pid} to cgroups: write ${file}: ${why}`);
    }
  };
  try {
    for (const d of plan.dirs) join(path.join(d.path, 'cgroup.procs'));
  } catch (e) {
    if (initPid === undefined || !isCgroup2Unified()) throw e;
    let initPath: string | undefined;
    try {
      initPath = parseProcCgroup(fs.readFileSync(`/proc/${initPid}/cgroup`, 'utf8')).get('');
    } catch {
      // the init is gone: the first error stands
    }
    if (initPath === undefined) throw e;
    debug(() => `cgroup: ${(e as Error).message}; joining the init's cgroup ${initPath} instead`);
    join(path.join(CGROUP_MOUNT, initPath, 'cgroup.procs'));
  }
}
