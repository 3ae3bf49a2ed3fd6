// Waiting for a process in the foreground: signals to minirun go to it, as
// runc forwards them; then minirun exits with its status.
import * as os from 'node:os';
import type { Addon, WaitStatus } from '../native/addon';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export interface CaughtSignals {
  /** forwards what came so far, and all that comes, to `pid`, and waits for it; then lets go */
  wait(pid: number): Promise<WaitStatus>;
  /** lets go of the signals (on a way out without wait) */
  release(): void;
}

/**
 * Catches the forwarded signals from now on, before the process exists, as
 * runc does: one that comes while the process is being made (its output may
 * already be on our stdout) goes to it once it runs, instead of ending
 * minirun. Node runs the handlers only after the synchronous launch.
 */
export function catchSignals(addon: Addon): CaughtSignals {
  let target = -1;
  const pending: number[] = [];
  const handlers = FORWARDED.map((sig) => {
    const h = () => {
      const n = os.constants.signals[sig];
      if (target > 0) addon.kill(target, n);
      else pending.push(n);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  const release = () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
  return {
    async wait(pid: number) {
      target = pid;
      for (const n of pending.splice(0)) addon.kill(pid, n);
      try {
        return await addon.wait(pid);
      } finally {
        release();
      }
    },
    release,
  };
}

/** 128+N for a process killed by signal N, as a shell reports it. */
export function exitCode(status: WaitStatus): number {
  return status.signal !== null ? 128 + status.signal : (status.code ?? 1);
}

/** Collects the orphans `run` inherits as a subreaper (not with --no-subreaper). */
export function reapOrphans(addon: Addon): void {
  for (;;) {
    try {
      if (!addon.waitSync(-1, true)) return;
    } catch {
      return; // ECHILD
    }
  }
}
