// A container's cgroup that is already there before create: runc 1.1.5's
// factory checks it before anything is made. Processes in it get a warning
// (runc: "container's cgroup is not empty: N process(es) found") and the
// container still joins it; a frozen one is refused, since the init would
// freeze as soon as it joined (runc: "container's cgroup unexpectedly
// frozen").
import * as fs from 'node:fs';
import { MiniRunError } from '../errors';
import { warn } from '../log';
import { dirFor } from './dirs';
import { frozenBy } from './freezer';
import { cgroupPids } from './manage';
import type { CgroupPlan } from './plan';

/**
 * Warns about processes already in the container's cgroup, and refuses a
 * frozen one. Like runc, the processes are counted in the devices hierarchy
 * (the one v2 directory on a v2 host), with its sub-cgroups.
 */
export function checkExistingCgroup(plan: Pick<CgroupPlan, 'mode' | 'dirs'>): void {
  const counted = dirFor(plan.dirs, 'devices', plan.mode);
  if (counted && fs.existsSync(counted.path)) {
    const n = cgroupPids({ dirs: [counted] }).length;
    if (n > 0) warn(`container's cgroup is not empty: ${n} process(es) found`);
  }
  const frozen = frozenBy(plan.dirs);
  if (frozen) throw new MiniRunError('CGROUP', `cgroup: container's cgroup unexpectedly frozen: ${frozen}`);
}
