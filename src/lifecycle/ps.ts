// `minirun ps`: the container's processes (from its cgroups), as `ps` shows
// them, or their pids as JSON; runc's output.
import { spawnSync } from 'node:child_process';
import { cgroupPids } from '../cgroups';
import { requireOwnCgroup } from '../cgroups/rootless';
import { MiniRunError } from '../errors';
import { findContainer } from '../state/find';
import { warn } from '../log';
import { rootlessCgroups } from './rootless';

export function psText(root: string, id: string, format: string, psArgs: string[]): string {
  if (rootlessCgroups()) warn("ps may fail if you don't have the full access to cgroups");
  const { state } = findContainer(root, id);
  requireOwnCgroup(state.cgroupDirs ?? [], 'unable to get all container pids');
  const pids = cgroupPids({ dirs: state.cgroupDirs ?? [] });
  if (format === 'json') return `${pids.length === 0 ? 'null' : JSON.stringify(pids)}\n`;
  const r = spawnSync('ps', psArgs.length > 0 ? psArgs : ['-ef'], { encoding: 'utf8' });
  if (r.error) throw new MiniRunError('USAGE', `ps: cannot run ps: ${(r.error as NodeJS.ErrnoException).code}`);
  const lines = (r.stdout + r.stderr).split('\n');
  const pidIndex = lines[0].trim().split(/\s+/).indexOf('PID');
  if (pidIndex < 0) throw new MiniRunError('USAGE', `ps: no PID column in the output of ps ${psArgs.join(' ')}`);
  const wanted = new Set(pids);
  const rows = lines.slice(1).filter((l) => l !== '' && wanted.has(Number(l.trim().split(/\s+/)[pidIndex])));
  return [lines[0], ...rows].map((l) => `${l}\n`).join('');
}
