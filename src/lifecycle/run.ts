// `minirun run`: create and start a container in one go (the core's make, with
// the process run at once), then (unless --detach) wait for it, forwarding
// signals, and exit with its status. Whatever run made is unmade on every way
// out, by the core's unmake.
import { destroyCgroups } from '../cgroups';
import { loadAddon } from '../native/loader';
import { writeState } from '../state/store';
import { checkConsoleUse, sendToSocket, terminalRelay, type TerminalRelay } from './console';
import { makeContainer, unmake, type Made } from './core';
import { extraFds } from './extra-fds';
import { catchSignals, exitCode, reapOrphans, type CaughtSignals } from './foreground';
import { onStarted } from './hook-points';
import { prepare } from './prepare';
import { writePidFile } from './pid-file';
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
  /** --systemd-cgroup: the container's cgroup is a systemd unit's */
  systemdCgroup?: boolean;
  consoleSocket?: string;
  preserveFds: number;
}

export async function run(opts: RunOptions): Promise<number> {
  const prepared = prepare({
    id: opts.id,
    bundle: opts.bundle,
    noPivot: opts.noPivot,
    noNewKeyring: opts.noNewKeyring,
    systemdCgroup: opts.systemdCgroup,
  });
  const extra = extraFds(opts.preserveFds);
  prepared.plan.env.push(...extra.env);
  const terminal = prepared.spec.process?.terminal === true;
  checkConsoleUse(terminal, opts.detach, opts.consoleSocket);
  const addon = loadAddon();
  // The caller's terminal is found (or the run refused) and its settings kept before anything is made.
  const term: TerminalRelay | undefined = terminal && !opts.consoleSocket ? terminalRelay(addon) : undefined;
  let made: Made | undefined;
  let keep = false;
  let signals: CaughtSignals | undefined;
  try {
    if (!opts.detach && !opts.noSubreaper) addon.setSubreaper();
    if (!opts.detach) signals = catchSignals(addon);
    // Detached, the container inherits our stdio; in the foreground it gets pipes (runc does both).
    // With a terminal, the pty master goes to the console socket or is relayed here.
    const relay: StdioRelay | undefined = !terminal && !opts.detach ? startRelay(addon) : undefined;
    made = makeContainer(addon, {
      root: opts.root,
      id: opts.id,
      prepared,
      stdio: relay ? relay.childFds : [0, 1, 2],
      extraFds: extra.fds,
      console: (fd) => (term ? term.attach(fd) : sendToSocket(addon, opts.consoleSocket!, fd)),
      releaseStdio: () => relay?.releaseChildEnds(),
    });
    onStarted(made.hooks, made.state.pid);
    if (opts.pidFile) writePidFile(opts.pidFile, made.state.pid);
    if (opts.detach) {
      keep = true;
      return 0;
    }
    const status = await signals!.wait(made.state.pid);
    if (opts.keep) {
      // runc --keep: the container stays, stopped, until `delete`.
      keep = true;
      writeState(made.dir, { ...made.state, status: 'stopped' });
    } else {
      // What is left in the container dies with its cgroup; then its output is all copied.
      destroyCgroups({ dirs: made.state.cgroupDirs ?? [] });
    }
    await (term ?? relay)?.drained();
    return exitCode(status);
  } finally {
    signals?.release();
    term?.restore();
    if (made && !keep) unmake(addon, made.dir, made.state, { poststop: true });
    if (!opts.detach) reapOrphans(addon);
  }
}
