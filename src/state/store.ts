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
  try {
    fs.writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    fs.renameSync(tmp, path.join(dir, name));
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new MiniRunError('STATE', 'cannot write', 1, {
      source: path.join(dir, name),
      errno: (e as NodeJS.ErrnoException).code ?? (e as Error).message,
    });
  }
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
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new MiniRunError('STATE', `container does not exist: ${id}`);
    throw new MiniRunError('STATE', `state of ${id}: cannot read: ${(e as NodeJS.ErrnoException).code}`);
  }
  return { dir, state: parseState(text, `state of ${id}: ${path.join(dir, 'state.json')}`) };
}

export function removeContainerDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs `f` holding the lock on `dir`; a dir that is not there is left to `f` to report. */
export function withDirLock<T>(
  locker: { lockDir(dir: string): number; close(fd: number): void },
  dir: string,
  f: () => T,
): T {
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
