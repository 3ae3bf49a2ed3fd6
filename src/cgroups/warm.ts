// The kernel makes the first move of a process into a cgroup wait for an RCU
// grace period (~10 ms here, runc's too: one lock for all hierarchies, v1 and
// v2); a move within a grace period of the last does not wait. run, create
// and exec move a process, so from their start (main.ts) a native thread moves
// minirun into the cgroup it is already in (no process changes cgroup),
// through the v2 hierarchy, every 2 ms until stopWarmCgroupMoves (once the
// process is placed) or 2 s: the process's move then does not wait. Kept
// small: the main bundle, which every command loads, holds it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Addon } from '../native/addon';
import { FS_MAGIC } from '../native/kernel-constants.generated';
import { CGROUP_MOUNT, isCgroup2Unified, parseProcCgroup } from './mounts';

/** The v2 hierarchy: /sys/fs/cgroup on a pure v2 host, systemd's /sys/fs/cgroup/unified on a hybrid one; none on pure v1. */
function unifiedMount(): string | undefined {
  if (isCgroup2Unified()) return CGROUP_MOUNT;
  const hybrid = path.join(CGROUP_MOUNT, 'unified');
  try {
    return fs.statfsSync(hybrid).type === FS_MAGIC.CGROUP2_SUPER_MAGIC ? hybrid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the moves (addon.warmCgroupMoves); nothing without a v2 hierarchy, and a refused write ends them. */
export function warmCgroupMoves(addon: Addon): void {
  const mount = unifiedMount();
  if (mount === undefined) return;
  let own: string | undefined;
  try {
    own = parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8')).get('');
  } catch {
    return;
  }
  if (own !== undefined) addon.warmCgroupMoves(path.join(mount, own, 'cgroup.procs'));
}
