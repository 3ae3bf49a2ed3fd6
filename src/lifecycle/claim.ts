// The first thing create and run make: the container's state dir, which
// also claims the id (mkdir fails if it is taken). Then, before anything
// else is made, the container's cgroup is checked as runc's factory checks
// it (a frozen one is refused); a refusal takes the state dir back, and no
// hook has run yet.
import { checkExistingCgroup } from '../cgroups/existing';
import { createContainerDir, removeContainerDir } from '../state/store';
import type { Prepared } from './prepare';

export function claimContainer(root: string, id: string, prepared: Prepared): string {
  const dir = createContainerDir(root, id);
  try {
    checkExistingCgroup(prepared.cgroups);
  } catch (e) {
    removeContainerDir(dir);
    throw e;
  }
  return dir;
}
