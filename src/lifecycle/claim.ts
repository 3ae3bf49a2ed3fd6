// The first thing create and run make: the container's state dir, which
// also claims the id (mkdir fails if it is taken). Then, before anything
// else is made, the container's cgroup is checked as runc's factory checks
// it (a frozen one is refused); a refusal takes the state dir back, and no
// hook has run yet. Last, the journal: what create is about to make (the
// cgroup dirs, the mounts on a shared rootfs), so that a create that dies
// from here on can be unmade by `delete`.
import { plannedCgroupDirs } from '../cgroups';
import { checkExistingCgroup } from '../cgroups/existing';
import { Journal } from '../state/journal';
import { pidStartTime } from '../state/status';
import { createContainerDir, removeContainerDir } from '../state/store';
import { dieAt } from './faults';
import type { Prepared } from './prepare';
import { stateRecord } from './record';

export function claimContainer(root: string, id: string, prepared: Prepared): { dir: string; journal: Journal } {
  const dir = createContainerDir(root, id);
  let journal: Journal;
  try {
    checkExistingCgroup(prepared.cgroups);
    journal = new Journal(dir, {
      ...stateRecord(id, prepared, 0, 'creating'),
      // as they will be made, with what each will have made
      cgroupDirs: plannedCgroupDirs(prepared.cgroups.dirs),
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
