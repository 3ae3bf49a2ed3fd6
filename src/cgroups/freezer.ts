// Freezing and thawing a container's processes: cgroup v1 freezer.state, or
// v2 cgroup.freeze. Waits until the kernel reports the new state.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { dirFor, type CgroupDir } from './dirs';
import { sleepSync } from '../output';

interface Freezer {
  file: string;
  value(frozen: boolean): string;
  done(frozen: boolean): boolean;
}

function freezerOf(dirs: readonly CgroupDir[]): Freezer {
  // runc's words, for a rootless container whose cgroups were all left out
  if (dirs.length === 0)
    throw new MiniRunError('CGROUP', 'cannot toggle freezer: cgroups not configured for container');
  const v1 = dirFor(dirs, 'freezer');
  if (v1) {
    const file = path.join(v1.path, 'freezer.state');
    return {
      file,
      value: (frozen) => (frozen ? 'FROZEN' : 'THAWED'),
      done: (frozen) => fs.readFileSync(file, 'utf8').trim() === (frozen ? 'FROZEN' : 'THAWED'),
    };
  }
  const v2 = dirFor(dirs, 'unified');
  if (!v2 || !fs.existsSync(path.join(v2.path, 'cgroup.freeze'))) {
    throw new MiniRunError(
      'CGROUP',
      'cgroup: no freezer for this container (neither a v1 freezer hierarchy nor cgroup.freeze)',
    );
  }
  const file = path.join(v2.path, 'cgroup.freeze');
  return {
    file,
    value: (frozen) => (frozen ? '1' : '0'),
    done: (frozen) => fs.readFileSync(path.join(v2.path, 'cgroup.events'), 'utf8').includes(`frozen ${frozen ? 1 : 0}`),
  };
}

export function setFrozen(dirs: readonly CgroupDir[], frozen: boolean): void {
  const f = freezerOf(dirs);
  for (let i = 0; i < 500; i++) {
    try {
      // v1 may stay FREEZING while a task is busy in the kernel: write again
      if (i % 50 === 0) fs.writeFileSync(f.file, f.value(frozen));
      if (f.done(frozen)) return;
    } catch (e) {
      throw new MiniRunError('CGROUP', `cgroup: write ${f.file}: ${(e as NodeJS.ErrnoException).code}`);
    }
    sleepSync(2);
  }
  throw new MiniRunError('CGROUP', `cgroup: ${f.file} did not reach ${f.value(frozen)}`);
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENODEV') return undefined;
    throw new MiniRunError('CGROUP', `cgroup: read ${file}: ${code ?? (e as Error).message}`);
  }
}

/**
 * The freezer file that says the cgroup was frozen on its own (not only
 * through an ancestor), or undefined. As runc's GetFreezerState: v1
 * freezer.state FROZEN with freezer.self_freezing 1 (or no such file), read
 * again while FREEZING; v2 cgroup.freeze 1. A cgroup or file that does not
 * exist is not frozen. Both freezers the container would join are read (on a
 * hybrid host runc 1.1.5 reads only the v1 one, and hangs if the unified one
 * is frozen).
 */
export function frozenBy(dirs: readonly CgroupDir[]): string | undefined {
  const v1 = dirFor(dirs, 'freezer');
  if (v1) {
    const file = path.join(v1.path, 'freezer.state');
    let state = readOrUndefined(file);
    for (let i = 0; state === 'FREEZING' && i < 1000; i++) {
      sleepSync(1);
      state = readOrUndefined(file);
    }
    if (state === 'FREEZING') return `${file} is FREEZING`;
    if (state === 'FROZEN' && readOrUndefined(path.join(v1.path, 'freezer.self_freezing')) !== '0')
      return `${file} is FROZEN`;
  }
  const v2 = dirFor(dirs, 'unified');
  if (v2) {
    const file = path.join(v2.path, 'cgroup.freeze');
    if (readOrUndefined(file) === '1') return `${file} is 1`;
  }
  return undefined;
}
