// The launch plan: everything the init helper needs, flat and resolved
// (host paths absolute, names turned into numbers). Built from the spec by
// build.ts, encoded by src/native/protocol.ts.
import type { MountKind } from '../native/protocol-layout.generated';
import type { MemoryPolicy, Scheduler, TimeOffsets } from '../config/process-settings';
import type { SeccompSettings } from '../config/seccomp';

export interface PlanMount {
  kind: MountKind;
  /** index in config.json mounts[], for error messages; undefined for mounts minirun adds */
  index?: number;
  source: string;
  destination: string;
  fstype: string;
  flags: bigint;
  /** MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (|MS_REC), applied in order; at most 4 */
  propagation: bigint[];
  data: string;
  /** MOUNT_ATTR_* set and cleared on the mount and its submounts (mount_setattr, AT_RECURSIVE) */
  recAttr?: { set: bigint; clr: bigint };
  /** an id-mapped bind mount (MOUNT_ATTR_IDMAP) */
  idmap?: PlanIdmap;
  /** cgroup2: what is bound when the kernel refuses the mount (EPERM, EBUSY), as runc's mountCgroupV2 */
  fallback?: { source: string; maskMissing: boolean };
}

export interface PlanIdmap {
  /** "ridmap": the submounts of an rbind are mapped too */
  recursive: boolean;
  /** take the mapping from the user namespace joined by path (linux.namespaces) */
  joinedUserns: boolean;
  /** otherwise: the mapping, for a user namespace the helper makes for it */
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}

export interface PlanDevice {
  type: 'c' | 'b' | 'p';
  path: string;
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
}

export interface PlanRlimit {
  type: string;
  resource: number;
  soft: bigint;
  hard: bigint;
}

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface LaunchPlan {
  rootfs: string;
  /** 0n: the default (MS_SLAVE|MS_REC) */
  rootfsPropagation: bigint;
  rootReadonly: boolean;
  noPivot: boolean;
  /** CLONE_NEW* of the namespaces to create */
  cloneFlags: number;
  joins: { type: number; path: string }[];
  hostname?: string;
  domainname?: string;
  mounts: PlanMount[];
  devices: PlanDevice[];
  maskedPaths: string[];
  readonlyPaths: string[];
  sysctl: [string, string][];
  /** [target, linkpath] */
  symlinks: [string, string][];
  mkdirs: { path: string; mode: number }[];
  user: { uid: number; gid: number; umask?: number; additionalGids: number[] };
  /** undefined: keep the helper's own capabilities (hooks) */
  caps?: { bounding: bigint; effective: bigint; permitted: bigint; inheritable: bigint; ambient: bigint };
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
  cwd: string;
  env: string[];
  args: string[];
  setupDev: boolean;
  execFifo?: string;
  /** exec into a running container: join its namespaces, no rootfs steps */
  joinOnly?: boolean;
  /** a rootless caller (runc's RootlessEUID): groups kept; the init dumpable where the caller must reach it */
  rootlessEuid?: boolean;
  /** the runtime itself runs in a user namespace (runc's RunningInUserNS): device nodes are bound, not made */
  runtimeInUserns?: boolean;
  /** HOOK_POINT_* bits: where the init waits while the parent runs hooks */
  hookPoints?: number;
  /** the file to exec, when it is not args[0] looked up in PATH (hooks) */
  execPath?: string;
  /** 0: stdio as given; 1: a pty (exec); 2: a pty, also bound at /dev/console */
  terminal?: 0 | 1 | 2;
  consoleSize?: { rows: number; cols: number };
  personality?: number;
  timeOffsets?: TimeOffsets;
  scheduler?: Scheduler;
  ioPriority?: number;
  cpuAffinity?: Buffer;
  apparmorProfile?: string;
  /** linux.memoryPolicy: set_mempolicy before exec */
  memoryPolicy?: MemoryPolicy;
  /** linux.seccomp, to be compiled to BPF by the addon when launching */
  seccomp?: SeccompSettings;
  /** join a new session keyring of this name (runc: _ses.<id>; --no-new-keyring: none) */
  sessionKeyring?: string;
  /** how many fds after stdio the container gets at 3, 4, ... (set by launch) */
  extraFds?: number;
  seccompBpf?: Buffer;
  /** Host-side work, done by the parent while the helper waits. */
  rlimits: PlanRlimit[];
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}

/** What a plan takes from a process object (config.json's, exec's): the same for the init and an exec. */
export type ProcessPlan = Pick<
  LaunchPlan,
  | 'user'
  | 'caps'
  | 'noNewPrivileges'
  | 'cwd'
  | 'env'
  | 'args'
  | 'rlimits'
  | 'scheduler'
  | 'ioPriority'
  | 'cpuAffinity'
  | 'apparmorProfile'
>;
