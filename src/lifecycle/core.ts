// The one core that create, run and delete share. A container is made in
// order, each thing journaled before it is made: the state dir (the id
// claimed), the overlay of a layered rootfs, the exec fifo (create: the plan's),
// the cgroups, the init (its pid; with --systemd-cgroup its unit, journaled with
// the id, is started with it), the create hooks; state.json last. Whatever fails on the way, and whatever a
// crash left (delete), is unmade by `unmake` from that record.
import * as fs from 'node:fs';
import { createCgroups, destroyCgroups } from '../cgroups';
import { setFrozen } from '../cgroups/freezer';
import { stopUnit } from '../cgroups/systemd';
import type { Addon } from '../native/addon';
import { launch } from '../native/launch';
import type { JournalRecord } from '../state/journal';
import { currentStatus } from '../state/status';
import { removeContainerDir, type ContainerState } from '../state/store';
import { sleepSync } from '../output';
import { claimContainer } from './claim';
import { dieAt } from './faults';
import { onStart, onStopped, type HookContext } from './hook-points';
import { journaledSteps } from './place-init';
import type { Prepared } from './prepare';
import { hookContext, recordState } from './record';
import { mountOverlay, unmountOverlay } from './overlay';
import { initListener } from './seccomp-listener';
import { unmountShared } from './shared-mounts';

export interface MakeRequest {
  root: string;
  id: string;
  prepared: Prepared;
  stdio: [number, number, number];
  extraFds: number[];
  /** the pty master of a terminal process */
  console?: (fd: number) => void;
  /** once, on every way out (run: the relay lets go of the container's pipe ends) */
  releaseStdio?: () => void;
}

export interface Made {
  dir: string;
  hooks: HookContext;
  /** as state.json has it */
  state: ContainerState;
}

/**
 * Makes the container, or unmakes what it made and throws. With an exec fifo
 * in the plan (create), the init waits on it for `start` (status "created");
 * without one (run), it runs the process as soon as the startContainer hooks
 * have run (status "running").
 */
export function makeContainer(addon: Addon, req: MakeRequest): Made {
  try {
    return make(addon, req);
  } finally {
    req.releaseStdio?.();
  }
}

function make(addon: Addon, req: MakeRequest): Made {
  const { root, id, prepared } = req;
  const { dir, journal } = claimContainer(root, id, prepared);
  const hooks = hookContext(addon, id, prepared);
  const fifo = prepared.plan.execFifo;
  try {
    if (prepared.overlay) {
      mountOverlay(addon, prepared.overlay);
      dieAt('overlay');
    }
    if (fifo) {
      addon.mkfifo(fifo, 0o622);
      fs.chmodSync(fifo, 0o622); // mkfifo honours our umask; runc's fifo is 0622
    }
    createCgroups(prepared.cgroups);
    dieAt('cgroups');
    const launched = launch(
      addon,
      prepared.plan,
      req.stdio,
      {
        ...journaledSteps(addon, prepared, journal, hooks),
        startHooks: fifo ? undefined : (pid) => onStart(hooks, pid),
        console: req.console,
        seccompListener: initListener(addon, hooks.state, prepared.plan.seccomp?.listener),
      },
      req.extraFds,
    );
    addon.stopWarmCgroupMoves(); // the moves main.ts started (cgroups/warm.ts), if it did
    if (launched.sock >= 0) addon.close(launched.sock);
    const state = recordState(dir, id, prepared, launched.pid, fifo ? 'created' : 'running');
    dieAt('recorded');
    return { dir, hooks, state };
  } catch (e) {
    // A failed create still ends with the poststop hooks, as runc's destroy.
    unmake(addon, dir, journal.record, { poststop: true });
    throw e;
  }
}

/**
 * Unmakes a container from its record (state.json, or a create's journal):
 * its init (thawed first, and only if its start time matches: a reused pid is
 * never signalled) and whatever is left in its cgroups, the cgroups, the
 * mounts on a shared rootfs, the overlay of a layered rootfs, the state dir;
 * then the poststop hooks.
 */
export function unmake(
  addon: Addon,
  dir: string,
  rec: ContainerState | JournalRecord | undefined,
  opts: { poststop: boolean },
): void {
  if (rec) {
    if (currentStatus(rec) !== 'stopped') {
      try {
        setFrozen(rec.cgroupDirs ?? [], false); // frozen tasks cannot die
      } catch {
        // no freezer state to undo
      }
      addon.kill(rec.pid, 9);
      // SIGKILL takes well under a millisecond: looked at every millisecond, for up to 2 s as before
      for (let i = 0; i < 2000 && currentStatus(rec) !== 'stopped'; i++) sleepSync(1);
    }
    dieAt('delete-killed');
    destroyCgroups({ dirs: rec.cgroupDirs ?? [] });
    // The unit goes after what was in it, and no failed unit is left.
    if (rec.systemdUnit) stopUnit(addon, rec.systemdUnit, rec.systemdBus ?? '');
    dieAt('delete-cgroups');
    unmountShared(addon, rec.rootfs, rec.rootfsMountsBefore);
    if (rec.overlay) unmountOverlay(addon, rec.overlay, rec.id);
  }
  removeContainerDir(dir);
  if (rec && opts.poststop) onStopped({ hooks: rec.hooks, state: rec }, 0);
}
