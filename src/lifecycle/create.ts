// `minirun create`: everything in config.json is set up, and the init waits
// on the exec fifo for `start`. No minirun process stays behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCgroups, destroyCgroups } from '../cgroups';
import { claimContainer } from './claim';
import { journaledSteps } from './place-init';
import { loadAddon } from '../native/loader';
import { containerDir, removeContainerDir } from '../state/store';
import { checkConsoleUse, sendToSocket } from './console';
import { extraFds } from './extra-fds';
import { launch } from '../native/launch';
import { initListener } from './seccomp-listener';
import { dieAt } from './faults';
import { prepare } from './prepare';
import { unmountShared } from './shared-mounts';
import { onStopped } from './hook-points';
import { hookContext, recordState, writePidFile } from './record';

export interface CreateOptions {
  root: string;
  id: string;
  bundle?: string;
  pidFile?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  consoleSocket?: string;
  preserveFds: number;
}

export const EXEC_FIFO = 'exec.fifo';

export function create(opts: CreateOptions): void {
  const fifo = path.join(containerDir(opts.root, opts.id), EXEC_FIFO);
  const prepared = prepare({ id: opts.id, bundle: opts.bundle, noPivot: opts.noPivot, noNewKeyring: opts.noNewKeyring, execFifo: fifo });
  checkConsoleUse(prepared.spec.process?.terminal === true, true, opts.consoleSocket);
  const extra = extraFds(opts.preserveFds);
  prepared.plan.env.push(...extra.env);
  const addon = loadAddon();
  const { dir, journal } = claimContainer(opts.root, opts.id, prepared);
  let pid = -1;
  let cgroupsMade = false;
  const hooks = hookContext(addon, opts.id, prepared);
  try {
    addon.mkfifo(fifo, 0o622);
    fs.chmodSync(fifo, 0o622); // mkfifo honours our umask; runc's fifo is 0622
    createCgroups(prepared.cgroups);
    cgroupsMade = true;
    dieAt('cgroups');
    const launched = launch(addon, prepared.plan, [0, 1, 2], {
      ...journaledSteps(addon, prepared, journal, hooks),
      console: (fd) => sendToSocket(addon, opts.consoleSocket!, fd),
      seccompListener: initListener(addon, hooks.state, prepared.plan.seccomp?.listener),
    }, extra.fds);
    pid = launched.pid;
    addon.close(launched.sock);
    recordState(dir, opts.id, prepared, pid, 'created');
    dieAt('recorded');
    if (opts.pidFile) writePidFile(opts.pidFile, pid);
  } catch (e) {
    if (pid > 0) addon.kill(pid, 9);
    if (cgroupsMade) destroyCgroups(prepared.cgroups);
    unmountShared(addon, prepared.plan.rootfs, prepared.rootfsMountsBefore);
    // A failed create still ends with the poststop hooks, as runc's destroy.
    onStopped(hooks, 0);
    removeContainerDir(dir);
    throw e;
  }
}
