// linux.seccomp.listenerPath: the container process state (runtime-spec
// runtime.md, "Container process state") and the seccomp notify fd, sent to
// the listener over a new unix socket connection, as runc 1.1.5 does.
import { MiniRunError } from '../errors';
import { ociState, type HookState, type StateBase } from '../hooks/state';
import type { Addon } from '../native/addon';
import { errnoName } from '../native/errno';
import type { SeccompListener } from '../config/seccomp';

/** runtime-spec's name for the notify fd in `fds` */
export const SECCOMP_FD_NAME = 'seccompFd';

export function processState(listener: SeccompListener, pid: number, state: HookState): string {
  // Keys in runc's order; metadata left out when empty (omitempty).
  return JSON.stringify({
    ociVersion: state.ociVersion,
    fds: [SECCOMP_FD_NAME],
    pid,
    ...(listener.metadata ? { metadata: listener.metadata } : {}),
    state,
  });
}

/** Sends the state of process `pid` with its notify fd to the listener. */
export function sendToListener(
  addon: Addon,
  listener: SeccompListener,
  fd: number,
  pid: number,
  state: HookState,
): void {
  try {
    addon.sendWithFd(listener.path, Buffer.from(processState(listener, pid, state)), fd);
  } catch (e) {
    const { errno, step } = e as { errno?: number; step?: string };
    // runc's words for a listener that is not there: "failed to connect with seccomp agent"
    const what = !step || step === 'connect to' ? 'failed to connect with seccomp agent at' : step;
    throw new MiniRunError('INIT', `linux.seccomp.listenerPath: ${what} ${listener.path}: ${errnoName(errno ?? 0)}`);
  }
}

/** create and run: the init's state is "creating", its pid that of the process. */
export function initListener(addon: Addon, base: StateBase, listener: SeccompListener | undefined) {
  if (!listener) return undefined;
  return (pid: number, fd: number) => sendToListener(addon, listener, fd, pid, ociState(base, 'creating', pid));
}

/** exec: the state of the running container (its init's pid), the pid of the exec'd process. */
export function execListener(addon: Addon, base: StateBase, initPid: number, listener: SeccompListener | undefined) {
  if (!listener) return undefined;
  return (pid: number, fd: number) => sendToListener(addon, listener, fd, pid, ociState(base, 'running', initPid));
}
