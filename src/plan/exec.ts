// spec + exec options -> the launch plan of a process that joins a running
// container (runc exec): its namespaces by /proc/<pid>/ns, no rootfs steps.
// Pure, like build.ts.
import { MiniRunError } from '../errors';
import { capNumber } from '../config/capabilities';
import { readSeccomp } from '../config/seccomp';
import type { Hook, Namespace, Process, Spec } from '../config/types';
import { consoleSize, planProcess } from './process';
import { CLONE_NEW } from './namespaces';
import type { LaunchPlan, ProcessPlan } from './types';

/** runtime-spec namespace type -> its file in /proc/<pid>/ns */
const NS_FILE: Record<string, string> = {
  pid: 'pid',
  network: 'net',
  mount: 'mnt',
  ipc: 'ipc',
  uts: 'uts',
  user: 'user',
  cgroup: 'cgroup',
  time: 'time',
};

export interface ExecOptions {
  /** a whole process section (--process); the flags below are then ignored */
  process?: Process;
  args: string[];
  cwd?: string;
  env: string[];
  user?: { uid: number; gid?: number };
  additionalGids: number[];
  caps: string[];
  noNewPrivs?: boolean;
  tty?: boolean;
  /** --apparmor, --process-label */
  apparmorProfile?: string;
  selinuxLabel?: string;
}

/** The container's process section with runc exec's flags applied. */
export function execProcess(spec: Spec, o: ExecOptions): Process {
  if (o.process) {
    // runc exec -p: a process.json without capabilities gets the container's
    // (its init falls back to the container config's set); every other field
    // left out stays unset: no env but HOME, no rlimits, no apparmorProfile,
    // noNewPrivileges false.
    const caps = spec.process?.capabilities;
    return o.process.capabilities || !caps ? o.process : { ...o.process, capabilities: structuredClone(caps) };
  }
  const p: Process = structuredClone(spec.process);
  p.args = o.args;
  p.terminal = o.tty === true;
  if (o.cwd !== undefined) p.cwd = o.cwd;
  p.env = [...(p.env ?? []), ...o.env];
  if (o.user) p.user = { ...p.user, uid: o.user.uid, gid: o.user.gid ?? p.user.gid };
  p.user.additionalGids = [...new Set([...(p.user.additionalGids ?? []), ...o.additionalGids])];
  if (o.noNewPrivs !== undefined) p.noNewPrivileges = o.noNewPrivs;
  if (o.apparmorProfile) p.apparmorProfile = o.apparmorProfile;
  if (o.selinuxLabel) p.selinuxLabel = o.selinuxLabel;
  if (o.caps.length > 0) {
    const caps = o.caps.map((c) => {
      const name = c.toUpperCase().startsWith('CAP_') ? c.toUpperCase() : `CAP_${c.toUpperCase()}`;
      if (capNumber(name) === undefined) throw new MiniRunError('USAGE', `--cap: unknown capability "${c}"`);
      return name;
    });
    const cur = p.capabilities ?? {};
    p.capabilities = {
      ...cur,
      bounding: [...(cur.bounding ?? []), ...caps],
      effective: [...(cur.effective ?? []), ...caps],
      permitted: [...(cur.permitted ?? []), ...caps],
    };
  }
  return p;
}

/** The container init's namespaces, by /proc/<pid>/ns. */
export function joinsOf(namespaces: readonly Namespace[], initPid: number): { type: number; path: string }[] {
  return namespaces.map((n) => ({ type: CLONE_NEW[n.type], path: `/proc/${initPid}/ns/${NS_FILE[n.type]}` }));
}

export function buildExecPlan(spec: Spec, initPid: number, rootfs: string, o: ExecOptions): LaunchPlan {
  const proc = execProcess(spec, o);
  if (!proc.args || proc.args.length === 0) throw new MiniRunError('USAGE', 'exec: a command to run is required');
  return {
    ...joinOnlyPlan(rootfs, joinsOf(spec.linux?.namespaces ?? [], initPid), planProcess(proc)),
    terminal: proc.terminal ? 1 : 0,
    consoleSize: consoleSize(proc),
    // exec'd processes get the container's seccomp filter too, as with runc
    seccomp: readSeccomp(spec.linux?.seccomp),
  };
}

/** What a container hook's plan takes from the container. */
export interface HookContainer {
  namespaces: readonly Namespace[];
  /** the container's process section and linux.seccomp (config.json) */
  process?: Process;
  seccomp?: unknown;
}

/**
 * A hook that runs in the container's namespaces, as runc runs it from its
 * init: with the hook's path, args and env (no env: the container process's),
 * and then
 * - createContainer: before pivot_root, as root with the runtime's
 *   capabilities, in the rootfs dir (runc chdirs there first);
 * - startContainer: right before the process, as the process: its user,
 *   capabilities, no_new_privs, cwd and seccomp filter.
 */
export function buildHookPlan(
  kind: 'createContainer' | 'startContainer',
  container: HookContainer,
  initPid: number,
  rootfs: string,
  hook: Hook,
): LaunchPlan {
  const env = hook.env ?? container.process?.env ?? [];
  const args = hook.args && hook.args.length > 0 ? hook.args : [hook.path];
  const joins = joinsOf(container.namespaces, initPid);
  if (kind === 'startContainer' && container.process) {
    return {
      ...joinOnlyPlan(rootfs, joins, { ...planProcess(container.process), env, args, rlimits: [] }),
      execPath: hook.path,
      seccomp: readSeccomp(container.seccomp),
    };
  }
  return {
    ...joinOnlyPlan(rootfs, joins, {
      user: { uid: 0, gid: 0, additionalGids: [] },
      caps: undefined,
      noNewPrivileges: false,
      cwd: rootfs,
      env,
      args,
      rlimits: [],
    }),
    execPath: hook.path,
  };
}

function joinOnlyPlan(rootfs: string, joins: { type: number; path: string }[], proc: ProcessPlan): LaunchPlan {
  return {
    rootfs,
    rootfsPropagation: 0n,
    rootReadonly: false,
    noPivot: false,
    cloneFlags: 0,
    joins,
    mounts: [],
    devices: [],
    maskedPaths: [],
    readonlyPaths: [],
    sysctl: [],
    symlinks: [],
    mkdirs: [],
    ...proc,
    setupDev: false,
    joinOnly: true,
    uidMappings: [],
    gidMappings: [],
  };
}
