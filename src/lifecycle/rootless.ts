// Rootless: minirun run by an ordinary user, decided as runc 1.1.5 decides it
// (rootless_linux.go, main.go). Two separate things:
//  - rootless euid: the caller is not root (runc's RootlessEUID): its id maps
//    are written with setgroups denied or through newuidmap/newgidmap, and
//    supplementary groups are left alone;
//  - rootless cgroups (`--rootless true|false|auto`): cgroup permission
//    errors are ignored (src/cgroups/rootless.ts).
import * as fs from 'node:fs';
import { rootlessEuid, runningInUserNs } from '../native/caller';

export { rootlessEuid, runningInUserNs };

let rootlessFlag = 'auto';

/** The global --rootless value, as parsed (true, false or auto). */
export function setRootlessFlag(value: string): void {
  rootlessFlag = value;
}

/** runc's shouldUseRootlessCgroupManager (the cgroupfs driver: minirun has no other). */
export function rootlessCgroups(): boolean {
  if (rootlessFlag === 'true') return true;
  if (rootlessFlag === 'false') return false;
  if (rootlessEuid()) return true;
  return runningInUserNs();
}

/** runc's shouldHonorXDGRuntimeDir: the state root goes in $XDG_RUNTIME_DIR. */
function honorXdgRuntimeDir(env: NodeJS.ProcessEnv): boolean {
  if (!env.XDG_RUNTIME_DIR) return false;
  if (rootlessEuid()) return true;
  // root in the initial user namespace keeps /run/minirun (as runc keeps /run/runc)
  if (!runningInUserNs()) return false;
  return env.USER === undefined || env.USER !== 'root';
}

/** The default --root: $XDG_RUNTIME_DIR/minirun for an ordinary user, else /run/minirun. */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env): { root: string; xdg: boolean } {
  if (honorXdgRuntimeDir(env)) return { root: `${env.XDG_RUNTIME_DIR}/minirun`, xdg: true };
  return { root: '/run/minirun', xdg: false };
}

/**
 * As runc, for the default root in $XDG_RUNTIME_DIR: made if missing (0700)
 * and given the sticky bit, so that the XDG rules do not prune it. Returns
 * an error line, or undefined.
 */
export function prepareXdgRoot(root: string): string | undefined {
  try {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (e) {
    return `${root}: the path in $XDG_RUNTIME_DIR must be writable by the user: mkdir: ${(e as NodeJS.ErrnoException).code}`;
  }
  try {
    fs.chmodSync(root, 0o1700);
  } catch (e) {
    return `${root}: you should check permission of the path in $XDG_RUNTIME_DIR: chmod: ${(e as NodeJS.ErrnoException).code}`;
  }
  return undefined;
}
