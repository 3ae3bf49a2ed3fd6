// The first thing create and run make: the container's state dir, which
// also claims the id (mkdir fails if it is taken). Then, before anything
// else is made, the container's cgroup is checked as runc's factory checks
// it (a frozen one is refused); a refusal takes the state dir back, and no
// hook has run yet. Last, the journal: what create is about to make (the
// cgroup dirs, the mounts on a shared rootfs), so that a create that dies
// from here on can be unmade by `delete`.
import * as os from 'node:os';
import { plannedCgroupDirs } from '../cgroups';
import { checkExistingCgroup } from '../cgroups/existing';
import { Journal } from '../state/journal';
import { createContainerDir, pidStartTime, removeContainerDir } from '../state/store';
import { dieAt } from './faults';
import type { Prepared } from './prepare';

export function claimContainer(root: string, id: string, prepared: Prepared): { dir: string; journal: Journal } {
  const dir = createContainerDir(root, id);
  let journal: Journal;
  try {
    checkExistingCgroup(prepared.cgroups);
    journal = new Journal(dir, {
      ociVersion: prepared.spec.ociVersion,
      id,
      pid: 0,
      status: 'creating',
      bundle: prepared.bundle,
      rootfs: prepared.plan.rootfs,
      created: new Date().toISOString(),
      owner: os.userInfo().username,
      annotations: prepared.spec.annotations,
      cgroupDirs: plannedCgroupDirs(prepared.cgroups.dirs),
      cgroupMode: prepared.cgroups.mode,
      hooks: prepared.spec.hooks,
      namespaces: prepared.spec.linux?.namespaces,
      rootfsMountsBefore: prepared.rootfsMountsBefore,
      creatorPid: process.pid,
      creatorStartTime: pidStartTime(process.pid),
    });
  } catch (e) {
    removeContainerDir(dir);
    throw e;
  }
  dieAt('claimed');
  return { dir, journal };
}
