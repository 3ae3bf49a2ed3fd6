// `minirun delete`: remove a stopped container's cgroups and state; with
// --force, kill a running one first.
import * as fs from 'node:fs';
import { destroyCgroups } from '../cgroups';
import { setFrozen } from '../cgroups/freezer';
import { MiniRunError } from '../errors';
import { loadAddon } from '../native/loader';
import { containerDir, currentStatus, withContainerLock, removeContainerDir } from '../state/store';
import { onStopped } from './hook-points';
import { unmountShared } from './shared-mounts';
import { sleepSync } from '../output';

export function remove(root: string, id: string, force: boolean): void {
  // Nothing to delete is no error with --force, as runc.
  if (force && !fs.existsSync(containerDir(root, id))) return;
  const addon = loadAddon();
  withContainerLock(addon, root, id, ({ dir, state }) => {
    const status = currentStatus(state);
    if (status !== 'stopped') {
      // A created container is deleted without --force, as runc does.
      if (!force && status !== 'created') throw new MiniRunError('STATE', `cannot delete container ${id} that is not stopped: ${status}`);
      // Frozen tasks cannot die: thaw a paused container first, as runc does.
    if (status === 'paused') setFrozen(state.cgroupDirs ?? [], false);
    addon.kill(state.pid, 9);
      for (let i = 0; i < 200 && currentStatus(state) !== 'stopped'; i++) sleepSync(10);
    }
    destroyCgroups({ dirs: state.cgroupDirs ?? [] });
    unmountShared(addon, state.rootfs, state.rootfsMountsBefore);
    removeContainerDir(dir);
    onStopped({ hooks: state.hooks, state }, 0);
  });
}
