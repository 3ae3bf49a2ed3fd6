// A process section -> the launch plan's process fields, for a container's
// init (build.ts) and for an exec'd process or a hook (exec.ts), whose
// commands load this and not the rest of the plan builder. Pure.
import { capNumber } from '../config/capabilities';
import { readProcessSettings } from '../config/process-settings';
import { rlimitNumber } from '../config/rlimits';
import type { Process } from '../config/types';
import type { LaunchPlan, ProcessPlan } from './types';

export function consoleSize(proc: Process): { rows: number; cols: number } | undefined {
  return proc.terminal && proc.consoleSize
    ? { rows: proc.consoleSize.height, cols: proc.consoleSize.width }
    : undefined;
}

/**
 * The process section -> the plan's process fields; shared by run/create and
 * exec. Its capability and rlimit names were checked by config/validate.ts
 * (config.json, exec --process) and exec's --cap by execProcess.
 */
export function planProcess(proc: Process): ProcessPlan & {
  caps: NonNullable<LaunchPlan['caps']>;
} {
  // No capabilities section means no capabilities at all (runc 1.1 does the same).
  const c = proc.capabilities ?? {};
  const caps = {
    bounding: capMask(c.bounding),
    effective: capMask(c.effective),
    permitted: capMask(c.permitted),
    inheritable: capMask(c.inheritable),
    ambient: capMask(c.ambient),
  };
  const rlimits = (proc.rlimits ?? []).map((r) => ({
    type: r.type,
    resource: rlimitNumber(r.type)!,
    soft: BigInt(r.soft),
    hard: BigInt(r.hard),
  }));
  return {
    user: {
      uid: proc.user.uid,
      gid: proc.user.gid,
      umask: proc.user.umask,
      additionalGids: [...new Set(proc.user.additionalGids ?? [])], // runc drops repeats
    },
    caps,
    noNewPrivileges: proc.noNewPrivileges === true,
    cwd: proc.cwd,
    env: [...(proc.env ?? [])],
    args: [...(proc.args ?? [])],
    rlimits,
    ...readProcessSettings(proc),
  };
}

function capMask(names: readonly string[] | undefined): bigint {
  let mask = 0n;
  for (const name of names ?? []) mask |= 1n << BigInt(capNumber(name)!);
  return mask;
}
