// `minirun start`: open the exec fifo so that the created init execs the
// user program, as runc does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { withContainer } from '../state/find';
import { currentStatus, EXEC_FIFO, requireStatus } from '../state/status';
import { writeState } from '../state/store';
import { loadAddon } from '../native/loader';
import { dieAt } from './faults';
import { hookContainer, onStart, onStarted } from './hook-points';
import type * as ConfigLoad from '../config/load';
import { sleepSync } from '../output';

// config.json (and its reader) is loaded only for startContainer hooks: a plain start is 1 ms lighter.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
const configLoad = (): typeof ConfigLoad => require('../config/load') as typeof ConfigLoad;

export function start(root: string, id: string): void {
  const addon = loadAddon();
  withContainer(addon, root, id, ({ dir, state }, status) => {
    requireStatus('start', id, status);
    const hooks = {
      addon,
      hooks: state.hooks,
      state,
      // startContainer hooks run as the process, so they need its settings
      container: state.hooks?.startContainer?.length
        ? hookContainer(configLoad().loadSpec(state.bundle))
        : { namespaces: state.namespaces ?? [] },
      rootfs: state.rootfs,
    };
    try {
      onStart(hooks, state.pid);
    } catch (e) {
      addon.kill(state.pid, 9);
      throw e;
    }
    const fifo = path.join(dir, EXEC_FIFO);
    // Non-blocking: if the init died, there is no writer and a blocking open would hang.
    const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(1);
      for (let i = 0; ; i++) {
        try {
          if (fs.readSync(fd, buf, 0, 1, null) === 1) break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        }
        if (currentStatus(state) === 'stopped' || i > 10_000) {
          throw new MiniRunError(
            'STATE',
            `cannot start container ${id}: its init exited before it could run the process`,
          );
        }
        // The init writes as soon as the open above lets its own open of the fifo
        // return: the first looks come every 0.05 ms (the byte is there within
        // about 0.2 ms), then every millisecond.
        sleepSync(i < 40 ? 0.05 : 1);
      }
    } finally {
      fs.closeSync(fd);
    }
    dieAt('start-opened');
    // gone, the fifo says "running" even if what follows never happens (runc tells them apart so)
    try {
      fs.unlinkSync(fifo); // not rmSync, whose first call costs 0.7 ms
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    dieAt('start-fifo-removed');
    writeState(dir, { ...state, status: 'running' });
    try {
      onStarted(hooks, state.pid);
    } catch (e) {
      // runc stops a container whose poststart hook failed
      addon.kill(state.pid, 9);
      throw e;
    }
  });
}
