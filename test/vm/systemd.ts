// Shared by the systemd tests (test/vm, run in the qemu guest where systemd is
// pid 1): systemctl's view of the units, the runtimes' CLI with
// --systemd-cgroup, and stopping the units a failed test left.
import { spawnSync } from 'node:child_process';
import { exec, MINIRUN, type Result, type Sandbox } from '../integration/harness';
import type { Runtime } from './v2';

/** systemctl's stdout, trimmed. */
export function systemctl(...args: string[]): string {
  return (spawnSync('systemctl', args, { encoding: 'utf8', timeout: 120_000 }).stdout ?? '').trim();
}

/** The unit's properties, as `systemctl show` prints them, sorted. */
export function props(unit: string, names: string[]): string[] {
  return systemctl('show', unit, '-p', names.join(',')).split('\n').sort();
}

/** Units whose name has `part`, loaded in any state (active, failed, inactive). */
export function unitsLike(part: string): string[] {
  return systemctl('list-units', '--all', '--plain', '--no-legend', `*${part}*`).split('\n').filter(Boolean);
}

/** The warnings on a runtime's stderr: runc's logrus lines (level=warning msg="..."), minirun's "minirun: warning: ...". */
export function warnings(rt: Runtime, stderr: string): string[] {
  if (rt === 'minirun') return [...stderr.matchAll(/^minirun: warning: (.*)$/gm)].map((m) => m[1]);
  return [...stderr.matchAll(/level=warning msg="((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
}

/** runc or minirun with --systemd-cgroup, on the sandbox's bundle and root (env: minirun's only). */
export function systemdCli(sb: Sandbox, rt: Runtime, args: string[], env?: Record<string, string>): Result {
  return rt === 'runc'
    ? exec('runc', ['--root', sb.runcRoot, '--systemd-cgroup', ...args], { cwd: sb.bundle })
    : exec(MINIRUN, ['--root', sb.minirunRoot, '--systemd-cgroup', ...args], { cwd: sb.bundle, env });
}

/** Stops the units named and resets their failed state (what a failed test left); empties the list. */
export function stopUnits(units: string[]): void {
  for (const u of units.splice(0)) {
    spawnSync('systemctl', ['stop', u]);
    spawnSync('systemctl', ['reset-failed', u]);
  }
}

/** stopUnits for every unit whose name has one of the ids, and empties the list of ids. */
export function stopUnitsOf(ids: string[]): void {
  for (const id of ids.splice(0)) stopUnits(unitsLike(id).map((line) => line.split(/\s+/)[0]));
}
