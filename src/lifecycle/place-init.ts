// The host-side work on a new container's init while it waits: its cgroups,
// then the network devices moved into its network namespace.
import { joinCgroups } from '../cgroups';
import { MiniRunError } from '../errors';
import type { Addon } from '../native/addon';
import type { Prepared } from './prepare';

export function placeInit(addon: Addon, prepared: Prepared, pid: number): void {
  joinCgroups(prepared.cgroups, pid);
  for (const d of prepared.netDevices) {
    try {
      addon.moveNetDevice(d.hostName, pid, d.name);
    } catch (e) {
      throw new MiniRunError('CONFIG', `linux.netDevices[${JSON.stringify(d.hostName)}]: ${(e as Error).message}`);
    }
  }
}
