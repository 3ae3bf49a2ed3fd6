// The state directory of a container: <root>/<id>/state.json, written to a
// temp file and renamed. Creating the directory is what reserves an id.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { debug } from '../log';
import { parseState } from './check';
import { validateId } from './id';
import type { ContainerState } from './types';

export type { ContainerState } from './types';

export function containerDir(root: string, id: string): string {
  validateId(id);
  return path.join(root, id);
}

/** Reserves the id: fails with runc's wording if it is taken. */
export function createContainerDir(root: string, id: string): string {
  const dir = containerDir(root, id);
  try {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new MiniRunError('STATE', `--root ${root}: cannot create: ${(e as NodeJS.ErrnoException).code}`);
  }
  try {
    fs.mkdirSync(dir, { mode: 0o711 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new MiniRunError('STATE', `container with id exists: ${id}`);
    throw new MiniRunError('STATE', `--root ${root}: cannot create ${dir}: ${code}`);
  }
  return dir;
}

/** Writes <dir>/<name> as JSON through a temp file and a rename: never half written. */
export function writeJsonFile(dir: string, name: string, value: unknown): void {
  const tmp = path.join(dir, `.${name}.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, name));
}

export function writeState(dir: string, state: ContainerState): void {
  debug(() => `state of ${state.id}: ${state.status}, pid ${state.pid}`);
  writeJsonFile(dir, 'state.json', state);
}

/** Reads <root>/<id>/state.json; a missing or unreadable one is an error naming the id. */
export function readState(root: string, id: string): { dir: string; state: ContainerState } {
  const dir = containerDir(root, id);
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'state.json'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new MiniRunError('STATE', `container does not exist: ${id}`);
    throw new MiniRunError('STATE', `state of ${id}: cannot read: ${(e as NodeJS.ErrnoException).code}`);
  }
  return { dir, state: parseState(text, `state of ${id}: ${path.join(dir, 'state.json')}`) };
}

/** The status now: a recorded process that is gone (or whose pid was reused) is stopped. */
export function currentStatus(state: ContainerState): ContainerState['status'] {
  if (state.status === 'stopped' || state.pid <= 0) return 'stopped';
  const started = pidStartTime(state.pid);
  if (started === undefined || (state.pidStartTime !== undefined && started !== state.pidStartTime)) return 'stopped';
  if (isZombie(state.pid)) return 'stopped';
  return state.status;
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

export function removeContainerDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Field 22 of /proc/<pid>/stat: the start time in clock ticks; undefined if gone. */
export function pidStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/**
 * Runs `f` holding the container's lock (an flock on its state directory),
 * so that two commands on one container run one after the other. The state
 * is read after the lock is taken.
 */
export function withContainerLock<T>(
  locker: { lockDir(dir: string): number; close(fd: number): void },
  root: string,
  id: string,
  f: (found: { dir: string; state: ContainerState }) => T,
): T {
  // gone: readState says so, with the id
  return withDirLock(locker, containerDir(root, id), () => f(readState(root, id)));
}

/** Runs `f` holding the lock on `dir`; a dir that is not there is left to `f` to report. */
export function withDirLock<T>(locker: { lockDir(dir: string): number; close(fd: number): void }, dir: string, f: () => T): T {
  let fd: number | undefined;
  try {
    fd = locker.lockDir(dir);
  } catch {
    // not there (or not a dir): f says so
  }
  try {
    return f();
  } finally {
    if (fd !== undefined) locker.close(fd);
  }
}
