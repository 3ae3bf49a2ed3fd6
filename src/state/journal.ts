// The journal of a container being created: <root>/<id>/journal.json, the
// state as it will be (status "creating") written before each thing create
// makes: right after the id is claimed (the cgroup dirs it is about to make,
// the rootfs mounts count), when the init's pid is known, when the hooks
// begin. state.json is written last; until then, a create that died (kill -9,
// a full disk) leaves a journal from which `delete` unmakes whatever exists.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseState } from './check';
import { currentStatus, pidStartTime } from './status';
import { writeJsonFile, type ContainerState } from './store';

export const JOURNAL = 'journal.json';

export interface JournalRecord extends ContainerState {
  /** the minirun process creating it, to tell a create under way from one that died */
  creatorPid: number;
  creatorStartTime?: string;
  /** prestart hooks have begun: poststop hooks are owed */
  hooksBegun?: boolean;
}

/** The journal of the container in `dir`, or undefined (none, or unreadable: nothing to go by). */
export function readJournal(dir: string): JournalRecord | undefined {
  const file = path.join(dir, JOURNAL);
  try {
    const rec = parseState(fs.readFileSync(file, 'utf8'), file) as JournalRecord;
    return Number.isSafeInteger(rec.creatorPid) ? rec : undefined;
  } catch {
    return undefined;
  }
}

/** A journal's container: "creating" while its creator or its init lives, else "stopped". */
export function journalStatus(rec: JournalRecord): 'creating' | 'stopped' {
  const creating = rec.creatorStartTime !== undefined && pidStartTime(rec.creatorPid) === rec.creatorStartTime;
  return creating || currentStatus(rec) !== 'stopped' ? 'creating' : 'stopped';
}

/** A journal kept in step with what create makes. */
export class Journal {
  constructor(
    private readonly dir: string,
    private rec: JournalRecord,
  ) {
    writeJsonFile(dir, JOURNAL, rec);
  }
  /** what is journaled so far */
  get record(): JournalRecord {
    return this.rec;
  }
  /** the init's pid, as soon as it is known (before it joins its cgroups) */
  pid(pid: number): void {
    this.update({ pid, pidStartTime: pidStartTime(pid) });
  }
  hooksBegin(): void {
    this.update({ hooksBegun: true });
  }
  private update(patch: Partial<JournalRecord>): void {
    this.rec = { ...this.rec, ...patch };
    writeJsonFile(this.dir, JOURNAL, this.rec);
  }
}
