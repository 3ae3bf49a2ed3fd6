// `minirun create`: everything in config.json is set up, and the init waits
// on the exec fifo for `start`. No minirun process stays behind.
import * as path from 'node:path';
import { loadAddon } from '../native/loader';
import { EXEC_FIFO } from '../state/status';
import { containerDir } from '../state/store';
import { checkConsoleUse, sendToSocket } from './console';
import { makeContainer, unmake } from './core';
import { extraFds } from './extra-fds';
import { prepare } from './prepare';
import { writePidFile } from './pid-file';

export interface CreateOptions {
  root: string;
  id: string;
  bundle?: string;
  pidFile?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  /** --systemd-cgroup: the container's cgroup is a systemd unit's */
  systemdCgroup?: boolean;
  consoleSocket?: string;
  preserveFds: number;
}

export function create(opts: CreateOptions): void {
  const fifo = path.join(containerDir(opts.root, opts.id), EXEC_FIFO);
  const prepared = prepare({
    id: opts.id,
    bundle: opts.bundle,
    noPivot: opts.noPivot,
    noNewKeyring: opts.noNewKeyring,
    systemdCgroup: opts.systemdCgroup,
    execFifo: fifo,
  });
  checkConsoleUse(prepared.spec.process?.terminal === true, true, opts.consoleSocket);
  const extra = extraFds(opts.preserveFds);
  prepared.plan.env.push(...extra.env);
  const addon = loadAddon();
  const made = makeContainer(addon, {
    root: opts.root,
    id: opts.id,
    prepared,
    stdio: [0, 1, 2],
    extraFds: extra.fds,
    console: (fd) => sendToSocket(addon, opts.consoleSocket!, fd),
  });
  try {
    if (opts.pidFile) writePidFile(opts.pidFile, made.state.pid);
  } catch (e) {
    unmake(addon, made.dir, made.state, { poststop: true });
    throw e;
  }
}
