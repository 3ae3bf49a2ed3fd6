// The OCI runtime-spec config.json as minirun reads it: the JSON shape with
// the same property names. Integers keep the width the spec gives them:
// 64-bit ones (int64/uint64) are bigint, so that 2^64-1 stays exact; narrower
// ones are number. Fields read by their own modules when the plan is made
// (seccomp.ts, process-settings.ts, net-devices.ts; intelRdt is refused by
// plan/build.ts) are kept as parsed, typed `unknown`.
export interface Spec {
  ociVersion: string;
  root: Root;
  process: Process;
  hostname?: string;
  domainname?: string;
  mounts?: Mount[];
  hooks?: Hooks;
  annotations?: Record<string, string>;
  linux?: Linux;
}

export interface Root {
  path: string;
  readonly?: boolean;
}

export interface Process {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: User;
  args: string[];
  commandLine?: string;
  env?: string[];
  cwd: string;
  capabilities?: Capabilities;
  rlimits?: Rlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
  scheduler?: unknown;
  ioPriority?: unknown;
  execCPUAffinity?: unknown;
}

export interface User {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
  username?: string;
}

export interface Capabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface Rlimit {
  type: string;
  soft: bigint;
  hard: bigint;
}

export interface Mount {
  destination: string;
  source?: string;
  type?: string;
  options?: string[];
  /** id-mapped mounts (runtime-spec 1.1): both or neither */
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
}

export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  /** seconds, > 0 */
  timeout?: number;
}

export interface Hooks {
  prestart?: Hook[];
  createRuntime?: Hook[];
  createContainer?: Hook[];
  startContainer?: Hook[];
  poststart?: Hook[];
  poststop?: Hook[];
}

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface Namespace {
  type: string;
  path?: string;
}

/** A device node to create. major/minor are within the kernel's 12/20 bits. */
export interface Device {
  type: string;
  path: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

/** A device cgroup rule. major/minor: -1, null or absent mean "any". */
export interface DeviceRule {
  allow: boolean;
  type?: string;
  major?: number | null;
  minor?: number | null;
  access?: string;
}

export interface Memory {
  limit?: bigint;
  reservation?: bigint;
  swap?: bigint;
  kernel?: bigint;
  kernelTCP?: bigint;
  swappiness?: bigint;
  disableOOMKiller?: boolean;
  useHierarchy?: boolean;
  checkBeforeUpdate?: boolean;
}

export interface Cpu {
  shares?: bigint;
  quota?: bigint;
  burst?: bigint;
  period?: bigint;
  realtimeRuntime?: bigint;
  realtimePeriod?: bigint;
  cpus?: string;
  mems?: string;
  idle?: bigint;
}

export interface Pids {
  limit?: bigint;
}

export interface WeightDevice {
  major: bigint;
  minor: bigint;
  weight?: number;
  leafWeight?: number;
}

export interface ThrottleDevice {
  major: bigint;
  minor: bigint;
  rate: bigint;
}

export interface BlockIO {
  weight?: number;
  leafWeight?: number;
  weightDevice?: WeightDevice[];
  throttleReadBpsDevice?: ThrottleDevice[];
  throttleWriteBpsDevice?: ThrottleDevice[];
  throttleReadIOPSDevice?: ThrottleDevice[];
  throttleWriteIOPSDevice?: ThrottleDevice[];
}

export interface HugepageLimit {
  pageSize: string;
  limit: bigint;
}

export interface Network {
  classID?: number;
  priorities?: { name: string; priority: number }[];
}

export interface Rdma {
  hcaHandles?: number;
  hcaObjects?: number;
}

export interface Resources {
  devices?: DeviceRule[];
  memory?: Memory;
  cpu?: Cpu;
  pids?: Pids;
  blockIO?: BlockIO;
  hugepageLimits?: HugepageLimit[];
  network?: Network;
  rdma?: Record<string, Rdma>;
  unified?: Record<string, string>;
}

export interface Linux {
  namespaces?: Namespace[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  devices?: Device[];
  cgroupsPath?: string;
  resources?: Resources;
  sysctl?: Record<string, string>;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  rootfsPropagation?: string;
  mountLabel?: string;
  seccomp?: unknown;
  personality?: unknown;
  timeOffsets?: unknown;
  intelRdt?: unknown;
  netDevices?: unknown;
  memoryPolicy?: unknown;
}
