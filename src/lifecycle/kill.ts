// `minirun kill`: signal the container's init, never a reused pid.
import type * as Cgroups from '../cgroups';
import type * as Rootless from '../cgroups/rootless';
import { MiniRunError } from '../errors';
import { errnoName } from '../native/errno';
import { loadAddon } from '../native/loader';
import { withContainer } from '../state/find';
import { requireStatus } from '../state/status';
import { parseSignal } from './signals';
import { debug } from '../log';

// The cgroups' modules load only for --all: a plain kill is 0.5 ms lighter.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
const cgroups = (): typeof Cgroups => require('../cgroups') as typeof Cgroups;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const rootless = (): typeof Rootless => require('../cgroups/rootless') as typeof Rootless;

export function kill(root: string, id: string, signal: string, all: boolean): void {
  const sig = parseSignal(signal);
  debug(() => `kill ${id}: signal ${sig}${all ? ' to every process' : ''}`);
  const addon = loadAddon();
  withContainer(addon, root, id, ({ state }, status) => {
    requireStatus(all ? 'kill --all' : 'kill', id, status);
    if (all) {
      // Every process in the container's cgroups, as runc kill --all.
      // (a stopped one without a cgroup has nothing to signal, as runc's)
      if (status === 'stopped' && (state.cgroupDirs ?? []).length === 0) return;
      rootless().requireOwnCgroup(state.cgroupDirs ?? [], 'kill --all: unable to get all container pids');
      for (const pid of cgroups().cgroupPids({ dirs: state.cgroupDirs ?? [] })) addon.kill(pid, sig);
      return;
    }
    const err = addon.kill(state.pid, sig);
    if (err !== 0) throw new MiniRunError('STATE', `kill ${id}: ${errnoName(err)}`);
  });
}
