// `minirun exec`: run another process in a running container, in its
// namespaces and cgroups, with its process settings unless overridden.
import * as fs from 'node:fs';
import { joinCgroups } from '../cgroups/join';
import { subCgroupDirs, type SubCgroups } from '../cgroups/sub';
import { MiniRunError } from '../errors';
import { loadAddon } from '../native/loader';
import { buildExecPlan, execProcess, type ExecOptions } from '../plan/exec';
import { checkLsm, CONFIG_LSM_NAMES } from './lsm';
import { loadSpec } from '../config/load';
import { findContainer, statusOf } from '../state/find';
import { requireStatus } from '../state/status';
import { checkConsoleUse, sendToSocket, terminalRelay, type TerminalRelay } from './console';
import { extraFds } from './extra-fds';
import { catchSignals, exitCode, type CaughtSignals } from './foreground';
import { launch } from '../native/launch';
import { execListener } from './seccomp-listener';
import { dieAt } from './faults';
import { writePidFile } from './pid-file';
import { startRelay, type StdioRelay } from './stdio-relay';

export interface ExecCommand {
  root: string;
  id: string;
  detach: boolean;
  ignorePaused?: boolean;
  pidFile?: string;
  consoleSocket?: string;
  preserveFds: number;
  /** the --process file, to name in errors */
  processFile?: string;
  /** --cgroup */
  subCgroups?: SubCgroups;
  options: ExecOptions;
}

export async function execInContainer(cmd: ExecCommand): Promise<number> {
  const found = findContainer(cmd.root, cmd.id);
  requireStatus(cmd.ignorePaused ? 'exec --ignore-paused' : 'exec', cmd.id, statusOf(found));
  const { state } = found;
  const spec = loadSpec(state.bundle);
  const plan = buildExecPlan(spec, state.pid, state.rootfs, cmd.options);
  checkLsm(execProcess(spec, cmd.options), lsmNames(cmd));
  const cgroupDirs = subCgroupDirs(state.cgroupDirs ?? [], cmd.subCgroups ?? new Map<string, string>());
  cgroupDirs.forEach((d, i) => {
    const moved = d.path !== state.cgroupDirs?.[i].path;
    // checked before anything starts, in runc's words (it fails writing the pid)
    if (moved && !fs.existsSync(`${d.path}/cgroup.procs`))
      throw new MiniRunError(
        'USAGE',
        `--cgroup: no such cgroup: error adding pid to ${d.path}/cgroup.procs: no such file or directory`,
      );
  });
  const extra = extraFds(cmd.preserveFds);
  plan.env.push(...extra.env);
  const terminal = plan.terminal !== 0;
  checkConsoleUse(terminal, cmd.detach, cmd.consoleSocket);
  const addon = loadAddon();
  // The caller's terminal is found (or the exec refused) and its settings kept before anything starts.
  const term: TerminalRelay | undefined = terminal && !cmd.consoleSocket ? terminalRelay(addon) : undefined;
  let signals: CaughtSignals | undefined;
  try {
    const relay: StdioRelay | undefined = cmd.detach || terminal ? undefined : startRelay(addon);
    if (!cmd.detach) signals = catchSignals(addon);
    let launched;
    try {
      launched = launch(
        addon,
        plan,
        relay ? relay.childFds : [0, 1, 2],
        {
          // with --cgroup, no fallback to the init's cgroup (as runc: that cgroup was asked for)
          placeInit: (p) => joinCgroups({ dirs: cgroupDirs }, p, cmd.subCgroups?.size ? undefined : state.pid),
          console: (fd) => (term ? term.attach(fd) : sendToSocket(addon, cmd.consoleSocket!, fd)),
          seccompListener: execListener(addon, state, state.pid, plan.seccomp?.listener),
        },
        extra.fds,
      );
    } finally {
      addon.stopWarmCgroupMoves(); // the moves main.ts started (cgroups/warm.ts)
      relay?.releaseChildEnds();
    }
    dieAt('exec-launched');
    try {
      if (cmd.pidFile) writePidFile(cmd.pidFile, launched.pid);
    } catch (e) {
      addon.kill(launched.pid, 9);
      throw e;
    }
    if (cmd.detach) return 0;
    const exit = await signals!.wait(launched.pid);
    await (term ?? relay)?.drained();
    return exitCode(exit);
  } finally {
    signals?.release();
    // on every way out, as runc's deferred tty.Close
    term?.restore();
  }
}

/** Where an LSM setting came from: the --process file, a flag, or config.json. */
function lsmNames(cmd: ExecCommand) {
  if (cmd.processFile) {
    return {
      apparmorProfile: `--process ${cmd.processFile}: process.apparmorProfile`,
      selinuxLabel: `--process ${cmd.processFile}: process.selinuxLabel`,
      mountLabel: '',
    };
  }
  return {
    ...CONFIG_LSM_NAMES,
    ...(cmd.options.apparmorProfile ? { apparmorProfile: '--apparmor' } : {}),
    ...(cmd.options.selinuxLabel ? { selinuxLabel: '--process-label' } : {}),
  };
}
