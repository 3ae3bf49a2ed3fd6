// `minirun events`: a container's stats as runc's JSON events, once
// (--stats) or every --interval, with an {"type":"oom"} event as soon as the
// kernel OOM-kills a process in it. Ends when the container's cgroup is
// removed (v1) or empties (v2), as runc's does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dirFor, modeOfDirs, type CgroupDir, type CgroupMode } from '../cgroups/dirs';
import { oomKills, readStats } from '../cgroups/stats';
import { MiniRunError } from '../errors';
import { debug } from '../log';
import { writeAll } from '../output';
import { stringifyJson } from '../config/json';
import { findContainer, statusOf } from '../state/find';
import { requireStatus } from '../state/status';

const OOM_POLL_MS = 100;

/** Go's time.ParseDuration for the forms runc users write: "5s", "500ms", "1m30s". */
export function parseInterval(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    ms += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) {
    if (text === '0') return 0;
    throw new MiniRunError('USAGE', `--interval: invalid duration ${JSON.stringify(text)} (e.g. 5s, 500ms)`);
  }
  return ms;
}

function event(type: string, id: string, data?: unknown): string {
  return stringifyJson(data === undefined ? { type, id } : { type, id, data }) + '\n';
}

function target(root: string, id: string): { mode: CgroupMode; dirs: CgroupDir[] } {
  const found = findContainer(root, id);
  requireStatus('events', id, statusOf(found));
  const { state } = found;
  const dirs = state.cgroupDirs ?? [];
  return { mode: state.cgroupMode ?? modeOfDirs(dirs), dirs };
}

export function statsOnce(root: string, id: string): string {
  const { mode, dirs } = target(root, id);
  return event('stats', id, readStats(mode, dirs));
}

/** Has the container's cgroup ended: removed (v1), or no process left in it (v2)? */
function ended(mode: CgroupMode, dirs: readonly CgroupDir[]): boolean {
  const dir = dirFor(dirs, 'memory', mode)?.path;
  if (!dir) return false;
  if (mode !== 'v2') return !fs.existsSync(dir);
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.events'), 'utf8').includes('populated 0');
  } catch {
    return true;
  }
}

export function stream(root: string, id: string, intervalMs: number): Promise<void> {
  const { mode, dirs } = target(root, id);
  // runc's words: it watches the memory cgroup for OOM kills, and a rootless container may have none
  if (!dirFor(dirs, 'memory', mode))
    throw new MiniRunError('CGROUP', 'events: memory controller missing: the container has no memory cgroup');
  const emit = (text: string) => writeAll(1, Buffer.from(text));
  let kills = oomKills(mode, dirs) ?? 0n;
  debug(
    () =>
      `events: watching ${dirs.map((d) => d.path).join(', ')} (${kills} OOM kills so far, polled every ${OOM_POLL_MS} ms)`,
  );
  return new Promise((resolve) => {
    const stats = setInterval(() => {
      try {
        emit(event('stats', id, readStats(mode, dirs)));
      } catch (e) {
        process.stderr.write(`minirun: events: ${(e as Error).message}\n`);
      }
    }, intervalMs);
    const look = () => {
      const now = oomKills(mode, dirs);
      if (now !== undefined && now > kills) emit(event('oom', id));
      if (now !== undefined) kills = now;
    };
    const oom = setInterval(() => {
      look();
      if (ended(mode, dirs)) {
        // An OOM kill that emptied the cgroup after the look above is counted by now: one last look.
        look();
        clearInterval(stats);
        clearInterval(oom);
        resolve();
      }
    }, OOM_POLL_MS);
  });
}
