// Waiting for a process in the foreground: signals to minirun go to it, as
// runc forwards them; then minirun exits with its status.
import * as os from 'node:os';
import type { Addon, WaitStatus } from '../native/addon';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export async function waitForwarding(addon: Addon, pid: number): Promise<WaitStatus> {
  const handlers = FORWARDED.map((sig) => {
    const h = () => void addon.kill(pid, os.constants.signals[sig]);
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    return await addon.wait(pid);
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
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
