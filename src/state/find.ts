// A container by its id: its state.json, or, while create is under way or
// after one that died, its journal (status "creating" while its creator or
// its init lives, else "stopped").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { journalStatus, readJournal, type JournalRecord } from './journal';
import { statusIn, type Status } from './status';
import { containerDir, readState, withDirLock, type ContainerState } from './store';

export interface Found {
  dir: string;
  state: ContainerState;
  /** set when there is no state.json yet: what the create that made the dir journaled */
  journal?: JournalRecord;
}

export function findContainer(root: string, id: string): Found {
  const dir = containerDir(root, id);
  if (!fs.existsSync(path.join(dir, 'state.json'))) {
    const journal = readJournal(dir);
    if (journal) return { dir, state: journal, journal };
  }
  return readState(root, id); // also: "container does not exist"
}

/** The status now, for a container found either way. */
export function statusOf(found: Found): Status {
  return found.journal ? journalStatus(found.journal) : statusIn(found.dir, found.state);
}

/**
 * Runs `f` on the container holding its lock (an flock on its state
 * directory), so that two commands on one container run one after the other.
 * The container is read after the lock is taken.
 */
export function withContainer<T>(
  locker: { lockDir(dir: string): number; close(fd: number): void },
  root: string,
  id: string,
  f: (found: Found, status: Status) => T,
): T {
  return withDirLock(locker, containerDir(root, id), () => {
    const found = findContainer(root, id);
    return f(found, statusOf(found));
  });
}
