// `minirun run`: create and start a container in one go, then (unless
// --detach) wait for it, forwarding signals, and exit with its status.
// Whatever run made is unmade on every way out.
import * as fs from 'node:fs';
import { createCgroups, destroyCgroups } from '../cgroups';
import { claimContainer } from './claim';
import { journaledSteps } from './place-init';
import { loadAddon } from '../native/loader';
import { removeContainerDir, writeState } from '../state/store';
import { checkConsoleUse, sendToSocket, terminalRelay, type TerminalRelay } from './console';
import { extraFds } from './extra-fds';
import { exitCode, reapOrphans, waitForwarding } from './foreground';
import { onStart, onStarted, onStopped } from './hook-points';
import { launch } from '../native/launch';
import { initListener } from './seccomp-listener';
import { dieAt } from './faults';
import { prepare } from './prepare';
import { unmountShared } from './shared-mounts';
import { hookContext, recordState, writePidFile } from './record';
import { startRelay, type StdioRelay } from './stdio-relay';

export interface RunOptions {
  root: string;
  id: string;
  bundle?: string;
  detach: boolean;
  keep: boolean;
  /** run --no-subreaper: orphans are not ours to reap (the init is our child either way) */
  noSubreaper?: boolean;
  pidFile?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  consoleSocket?: string;
  preserveFds: number;
}

export async function run(opts: RunOptions): Promise<number> {
  const prepared = prepare({ id: opts.id, bundle: opts.bundle, noPivot: opts.noPivot, noNewKeyring: opts.noNewKeyring });
  const extra = extraFds(opts.preserveFds);
  prepared.plan.env.push(...extra.env);
  const terminal = prepared.spec.process?.terminal === true;
  checkConsoleUse(terminal, opts.detach, opts.consoleSocket);
  const addon = loadAddon();
  // The caller's terminal is found (or the run refused) and its settings kept before anything is made.
  const term: TerminalRelay | undefined = terminal && !opts.consoleSocket ? terminalRelay(addon) : undefined;
  let claimed: ReturnType<typeof claimContainer>;
  try {
    claimed = claimContainer(opts.root, opts.id, prepared);
  } catch (e) {
    term?.restore();
    throw e;
  }
  const { dir, journal } = claimed;
  let cgroupsMade = false;
  let pid = -1;
  let keepState = false;
  let poststopDone = false;
  let relay: StdioRelay | undefined;
  const hooks = hookContext(addon, opts.id, prepared);
  try {
    createCgroups(prepared.cgroups);
    cgroupsMade = true;
    dieAt('cgroups');
    if (!opts.detach && !opts.noSubreaper) addon.setSubreaper();
    // Detached, the container inherits our stdio; in the foreground it gets pipes (runc does both).
    // With a terminal, the pty master goes to the console socket or is relayed here.
    if (!terminal && !opts.detach) relay = startRelay(addon);
    let launched;
    try {
      launched = launch(addon, prepared.plan, relay ? relay.childFds : [0, 1, 2], {
        ...journaledSteps(addon, prepared, journal, hooks),
        startHooks: (p) => onStart(hooks, p),
        console: (fd) => (term ? term.attach(fd) : sendToSocket(addon, opts.consoleSocket!, fd)),
        seccompListener: initListener(addon, hooks.state, prepared.plan.seccomp?.listener),
      }, extra.fds);
    } finally {
      relay?.releaseChildEnds();
    }
    pid = launched.pid;
    recordState(dir, opts.id, prepared, pid, 'running');
    dieAt('recorded');
    onStarted(hooks, pid);
    if (opts.pidFile) writePidFile(opts.pidFile, pid);
    if (opts.detach) {
      keepState = true;
      return 0;
    }
    const status = await waitForwarding(addon, pid);
    pid = -1;
    keepState = opts.keep;
    // What is left in the container dies with its cgroup; then its output is all copied.
    if (!keepState) destroyCgroups(prepared.cgroups);
    await (term ?? relay)?.drained();
    if (!keepState) onStopped(hooks, 0);
    poststopDone = true;
    if (keepState) {
      // runc --keep: the container stays, stopped, until `delete`.
      const state = JSON.parse(fs.readFileSync(`${dir}/state.json`, 'utf8'));
      writeState(dir, { ...state, status: 'stopped' });
    }
    return exitCode(status);
  } finally {
    term?.restore();
    if (pid > 0 && !keepState) {
      addon.kill(pid, 9);
    }
    if (!keepState) {
      if (cgroupsMade) destroyCgroups(prepared.cgroups);
      unmountShared(addon, prepared.plan.rootfs, prepared.rootfsMountsBefore);
      // A run that failed midway still ends with the poststop hooks, as runc's destroy.
      if (!poststopDone) onStopped(hooks, 0);
      removeContainerDir(dir);
    }
    if (!opts.detach) reapOrphans(addon);
  }
}
