// `minirun delete`: remove a stopped container's cgroups and state; with
// --force, kill a running one first.
import * as fs from 'node:fs';
import { destroyCgroups } from '../cgroups';
import { setFrozen } from '../cgroups/freezer';
import { MiniRunError } from '../errors';
import { loadAddon } from '../native/loader';
import type { Addon } from '../native/addon';
import { findContainer, statusOf, type Found } from '../state/find';
import { readJournal, type JournalRecord } from '../state/journal';
import { containerDir, currentStatus, removeContainerDir, withDirLock } from '../state/store';
import { dieAt } from './faults';
import { onStopped } from './hook-points';
import { unmountShared } from './shared-mounts';
import { sleepSync } from '../output';

export function remove(root: string, id: string, force: boolean): void {
  const dir = containerDir(root, id);
  // Nothing to delete is no error with --force, as runc.
  if (force && !fs.existsSync(dir)) return;
  const addon = loadAddon();
  withDirLock(addon, dir, () => {
    let found: Found;
    try {
      found = findContainer(root, id);
    } catch (e) {
      // --force: a state.json that cannot be read, or a dir with none and no journal (runc removes an
      // empty one): unmake what the journal says was made, and the dir.
      if (!force || !fs.existsSync(dir)) throw e;
      unmake(addon, dir, readJournal(dir));
      return;
    }
    const status = statusOf(found);
    if (found.journal) {
      // A create under way, or one that died before it wrote state.json.
      if (status !== 'stopped' && !force) throw new MiniRunError('STATE', `cannot delete container ${id} that is not stopped: ${status}`);
      unmake(addon, dir, found.journal);
      return;
    }
    const { state } = found;
    if (status !== 'stopped') {
      // A created container is deleted without --force, as runc does.
      if (!force && status !== 'created') throw new MiniRunError('STATE', `cannot delete container ${id} that is not stopped: ${status}`);
      // Frozen tasks cannot die: thaw a paused container first, as runc does.
      if (status === 'paused') setFrozen(state.cgroupDirs ?? [], false);
      addon.kill(state.pid, 9);
      for (let i = 0; i < 200 && currentStatus(state) !== 'stopped'; i++) sleepSync(10);
    }
    dieAt('delete-killed');
    destroyCgroups({ dirs: state.cgroupDirs ?? [] });
    dieAt('delete-cgroups');
    unmountShared(addon, state.rootfs, state.rootfsMountsBefore);
    removeContainerDir(dir);
    onStopped({ hooks: state.hooks, state }, 0);
  });
}

/** Whatever a create that did not finish had made, from its journal (if any): its init, cgroups, mounts; then the dir. */
function unmake(addon: Addon, dir: string, j: JournalRecord | undefined): void {
  if (j) {
    // the init, if it still runs (its start time checked: a reused pid is never signalled)
    if (currentStatus(j) !== 'stopped') {
      try {
        setFrozen(j.cgroupDirs ?? [], false); // a frozen init cannot die
      } catch {
        // no freezer state to undo
      }
      addon.kill(j.pid, 9);
      for (let i = 0; i < 200 && currentStatus(j) !== 'stopped'; i++) sleepSync(10);
    }
    destroyCgroups({ dirs: j.cgroupDirs ?? [] });
    unmountShared(addon, j.rootfs, j.rootfsMountsBefore);
  }
  removeContainerDir(dir);
  // runc's destroy: poststop once create had begun the hooks
  if (j?.hooksBegun) onStopped({ hooks: j.hooks, state: j }, 0);
}
