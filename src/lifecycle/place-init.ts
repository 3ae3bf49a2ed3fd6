// The host-side work on a new container's init while it waits: its cgroups,
// then the network devices moved into its network namespace.
import { placeInCgroups } from '../cgroups';
import { MiniRunError } from '../errors';
import type { Addon } from '../native/addon';
import type { Journal } from '../state/journal';
import { dieAt } from './faults';
import { onCreate, type HookContext } from './hook-points';
import type { Prepared } from './prepare';

/**
 * The launch steps create and run share, each journaled first: the init's
 * pid (then its cgroups and devices), and the create hooks.
 */
export function journaledSteps(addon: Addon, prepared: Prepared, journal: Journal, hooks: HookContext) {
  return {
    placeInit: (pid: number) => {
      journal.pid(pid);
      dieAt('launched');
      placeInit(addon, prepared, pid);
    },
    createHooks: (pid: number) => {
      journal.hooksBegin();
      onCreate(hooks, pid);
      dieAt('hooks');
    },
  };
}

export function placeInit(addon: Addon, prepared: Prepared, pid: number): void {
  placeInCgroups(addon, prepared.cgroups, pid);
  for (const d of prepared.netDevices) {
    try {
      addon.moveNetDevice(d.hostName, pid, d.name);
    } catch (e) {
      throw new MiniRunError('CONFIG', `linux.netDevices[${JSON.stringify(d.hostName)}]: ${(e as Error).message}`);
    }
  }
}
