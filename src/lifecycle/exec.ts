// `minirun exec`: run another process in a running container, in its
// namespaces and cgroups, with its process settings unless overridden.
import { joinCgroups } from '../cgroups';
import { MiniRunError } from '../errors';
import { loadAddon } from '../native/loader';
import { buildExecPlan, type ExecOptions } from '../plan/exec';
import type { Process } from '../spec/types';
import { checkLsm } from './lsm';
import { loadSpec } from '../spec/load';
import { currentStatus, readState } from '../state/store';
import { checkConsoleUse, checkControllingTerminal, sendToSocket, terminalRelay, type TerminalRelay } from './console';
import { extraFds } from './extra-fds';
import { exitCode, reapOrphans, waitForwarding } from './foreground';
import { launch } from '../native/launch';
import { execListener } from './seccomp-listener';
import { writePidFile } from './record';
import { startRelay, type StdioRelay } from './stdio-relay';

export interface ExecCommand {
  root: string;
  id: string;
  detach: boolean;
  ignorePaused?: boolean;
  pidFile?: string;
  consoleSocket?: string;
  preserveFds: number;
  options: ExecOptions;
}

export async function execInContainer(cmd: ExecCommand): Promise<number> {
  const { state } = readState(cmd.root, cmd.id);
  const status = currentStatus(state);
  if (status === 'stopped') throw new MiniRunError('STATE', `cannot exec in a stopped container: ${cmd.id}`);
  // Its process would join the frozen cgroup and hang there, as runc warns.
  if (status === 'paused' && !cmd.ignorePaused) throw new MiniRunError('STATE', `cannot exec in a paused container (use --ignore-paused to override): ${cmd.id}`);
  const spec = loadSpec(state.bundle);
  const plan = buildExecPlan(spec, state.pid, state.rootfs, cmd.options);
  if (plan.apparmorProfile) checkLsm({ apparmorProfile: plan.apparmorProfile } as Process, undefined);
  const extra = extraFds(cmd.preserveFds);
  plan.env.push(...extra.env);
  const terminal = plan.terminal !== 0;
  checkConsoleUse(terminal, cmd.detach, cmd.consoleSocket);
  if (terminal && !cmd.consoleSocket) checkControllingTerminal();
  const addon = loadAddon();
  if (!cmd.detach) addon.setSubreaper();
  const term: TerminalRelay | undefined = terminal && !cmd.consoleSocket ? terminalRelay(addon) : undefined;
  const relay: StdioRelay | undefined = cmd.detach || terminal ? undefined : startRelay(addon);
  let launched;
  try {
    launched = launch(addon, plan, relay ? relay.childFds : [0, 1, 2], {
      placeInit: (p) => joinCgroups({ dirs: state.cgroupDirs ?? [] }, p),
      console: (fd) => (term ? term.attach(fd) : sendToSocket(addon, cmd.consoleSocket!, fd)),
      seccompListener: execListener(addon, state, state.pid, plan.seccomp?.listener),
    }, extra.fds);
  } catch (e) {
    term?.restore();
    throw e;
  } finally {
    relay?.releaseChildEnds();
  }
  try {
    if (cmd.pidFile) writePidFile(cmd.pidFile, launched.pid);
  } catch (e) {
    addon.kill(launched.pid, 9);
    throw e;
  }
  if (cmd.detach) return 0;
  try {
    const exit = await waitForwarding(addon, launched.pid);
    await (term ?? relay)?.drained();
    reapOrphans(addon);
    return exitCode(exit);
  } finally {
    term?.restore();
  }
}
