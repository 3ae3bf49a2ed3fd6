// The parent's side of starting a container: start the init helper with the
// plan, answer its sync points with the host-side work (id maps, cgroups,
// rlimits), and turn its error records into one-line errors.
import { configError, MiniRunError } from '../errors';
import { debug } from '../log';
import type { Addon } from './addon';
import { errnoName } from './errno';
import { rootlessEuid, runningInUserNs } from './caller';
import { writeIdMaps } from './idmaps';
import { helperPath } from './loader';
import { encodePlan, INIT_FAILED_EXIT, SyncKind } from './protocol';
import { PROTO } from './protocol-layout.generated';
import type { LaunchPlan } from '../plan/types';

export interface HostSide {
  /** the init exists (host pid): put it in its cgroups */
  placeInit(pid: number): void;
  /** mounts are done, pivot_root is next: prestart, createRuntime, createContainer hooks */
  createHooks?(pid: number): void;
  /** exec is next (run): startContainer hooks */
  startHooks?(pid: number): void;
  /** the pty master of a terminal process (the callee owns the fd); the init waits until this returns */
  console?(fd: number): void;
  /** the seccomp notify fd, for linux.seccomp.listenerPath (the caller closes the fd) */
  seccompListener?(pid: number, fd: number): void;
}

export interface Launched {
  pid: number;
  /** the socket, still open when the plan has an exec fifo (create) */
  sock: number;
}

function compileSeccomp(addon: Addon, plan: LaunchPlan): Buffer {
  try {
    return addon.compileSeccomp(plan.seccomp!.filter);
  } catch (e) {
    throw configError('linux.seccomp', (e as Error).message);
  }
}

function applyRlimits(addon: Addon, pid: number, plan: LaunchPlan): void {
  plan.rlimits.forEach((r, i) => {
    try {
      addon.prlimit(pid, r.resource, r.soft, r.hard);
    } catch (e) {
      const errno = (e as { errno?: number }).errno ?? 0;
      throw new MiniRunError('INIT', `process.rlimits[${i}] (${r.type}): prlimit: ${errnoName(errno)}`);
    }
  });
}

/** The helper, started with the plan; a plan larger than one message can carry is one clear error. */
function startHelper(addon: Addon, plan: LaunchPlan, fds: number[]): { pid: number; sock: number } {
  try {
    return addon.startHelper(helperPath(), encodePlan(plan), fds);
  } catch (e) {
    const { planBytes, maxPlanBytes } = e as { planBytes?: number; maxPlanBytes?: number };
    if (planBytes === undefined || maxPlanBytes === undefined) throw e;
    const limit =
      maxPlanBytes === PROTO.kMaxPlanBytes ? 'its receive buffer' : 'twice net.core.wmem_max, less 32 bytes';
    throw new MiniRunError(
      'CONFIG',
      `the launch plan is ${planBytes} bytes: one message to the init helper carries at most ${maxPlanBytes} (${limit}); use fewer or shorter env entries, args or mounts`,
    );
  }
}

function describeExit(addon: Addon, helper: number): string {
  const st = addon.waitSync(helper, true);
  if (!st) return 'the init helper closed its socket';
  if (st.signal !== null) return `the init helper was killed by signal ${st.signal}`;
  return st.code === INIT_FAILED_EXIT
    ? 'the init helper could not start'
    : `the init helper exited with status ${st.code}`;
}

/**
 * Starts the container's init and runs it up to exec (run) or up to the exec
 * fifo (create). On failure everything the helper made is gone: the init is
 * killed and reaped; the caller removes cgroups and state.
 */
export function launch(
  addon: Addon,
  plan: LaunchPlan,
  stdio: [number, number, number],
  host: HostSide,
  extra: number[] = [],
): Launched {
  const seccompBpf = plan.seccomp ? compileSeccomp(addon, plan) : undefined;
  // A rootless caller's groups stay as they are, as runc's (it cannot set others), and it must
  // reach the init's /proc files (hooks, exec, the seccomp fd): see native/init/namespaces.h.
  if (rootlessEuid() && plan.user.additionalGids.length > 0)
    throw configError('process.user.additionalGids', 'cannot set any additional groups in a rootless container');
  const helper = startHelper(
    addon,
    {
      ...plan,
      extraFds: extra.length,
      seccompBpf,
      rootlessEuid: rootlessEuid(),
      runtimeInUserns: runningInUserNs(),
    },
    [...stdio, ...extra],
  );
  debug(
    () =>
      `init helper started: pid ${helper.pid}${seccompBpf ? `, seccomp filter of ${seccompBpf.length / 8} instructions` : ''}`,
  );
  let initPid = -1;
  let helperReaped = false;
  const reapHelper = () => {
    if (!helperReaped) {
      addon.waitSync(helper.pid);
      helperReaped = true;
    }
  };
  try {
    for (;;) {
      const m = addon.recv(helper.sock);
      debug(() => (m.type === 'sync' ? `init: sync kind ${m.kind} value ${m.value}` : `init: ${m.type}`));
      if (m.type === 'error') {
        const err = m.errno ? `: ${errnoName(m.errno)}` : '';
        throw new MiniRunError('INIT', `${m.step}: ${m.detail}${err}`);
      }
      if (m.type === 'eof') {
        if (!helperReaped) throw new MiniRunError('INIT', describeExit(addon, helper.pid));
        throw new MiniRunError('INIT', 'the container init exited before it could run the process');
      }
      switch (m.kind) {
        case SyncKind.UsernsReady:
          writeIdMaps(m.value, plan.uidMappings, plan.gidMappings);
          addon.sendGo(helper.sock);
          break;
        case SyncKind.Pid:
          initPid = m.value;
          reapHelper();
          applyRlimits(addon, initPid, plan);
          host.placeInit(initPid);
          addon.sendGo(helper.sock);
          break;
        case SyncKind.CreateHooks:
          host.createHooks?.(initPid);
          addon.sendGo(helper.sock);
          break;
        case SyncKind.StartHooks:
          host.startHooks?.(initPid);
          addon.sendGo(helper.sock);
          break;
        case SyncKind.Console:
          // The init waits: the pty is passed on, or our relay is set up, before the process runs.
          if (host.console) host.console(m.fd!);
          else addon.close(m.fd!);
          addon.sendGo(helper.sock);
          break;
        case SyncKind.Seccomp: {
          // As runc 1.1.5: copy the init's fd, hand it to the listener, then
          // let the init go on (it closes its own copy).
          if (!host.seccompListener)
            throw configError('linux.seccomp.listenerPath', 'is required with SCMP_ACT_NOTIFY');
          let fd: number;
          try {
            fd = addon.pidfdGetfd(initPid, m.value);
          } catch (e) {
            throw new MiniRunError(
              'INIT',
              `seccomp: take the notify fd from the init: ${errnoName((e as { errno?: number }).errno ?? 0)}`,
            );
          }
          try {
            host.seccompListener(initPid, fd);
          } finally {
            addon.close(fd);
          }
          addon.sendGo(helper.sock);
          break;
        }
        case SyncKind.Created:
          return { pid: initPid, sock: helper.sock };
        case SyncKind.Exec: {
          // EOF now means execve succeeded; an error record means it failed.
          const after = addon.recv(helper.sock);
          if (after.type === 'eof') {
            addon.close(helper.sock);
            return { pid: initPid, sock: -1 };
          }
          if (after.type === 'error') {
            const err = after.errno ? `: ${errnoName(after.errno)}` : '';
            throw new MiniRunError('INIT', `${after.step}: ${after.detail}${err}`);
          }
          throw new MiniRunError('INIT', 'unexpected message from the init after exec');
        }
        default:
          throw new MiniRunError('INIT', `unexpected message ${m.kind} from the init helper`);
      }
    }
  } catch (e) {
    addon.close(helper.sock);
    if (initPid > 0) {
      addon.kill(initPid, 9);
      try {
        addon.waitSync(initPid);
      } catch {
        // already collected (the init is our child: the helper clones it with CLONE_PARENT)
      }
    }
    if (!helperReaped) {
      addon.kill(helper.pid, 9);
      reapHelper();
    }
    throw e;
  }
}
