// `minirun delete`: remove a stopped container (with --force, any), by the
// core's unmake from what state.json, or a create's journal, records.
import * as fs from 'node:fs';
import { loadAddon } from '../native/loader';
import { findContainer, statusOf, type Found } from '../state/find';
import { readJournal } from '../state/journal';
import { requireStatus } from '../state/status';
import { containerDir, withDirLock } from '../state/store';
import { unmake } from './core';

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
      const journal = readJournal(dir);
      unmake(addon, dir, journal, { poststop: journal?.hooksBegun === true });
      return;
    }
    requireStatus(force ? 'delete --force' : 'delete', id, statusOf(found));
    // A create that died owes poststop only if its hooks had begun; a created container always does (runc's destroy).
    unmake(addon, dir, found.state, { poststop: found.journal ? found.journal.hooksBegun === true : true });
  });
}
