// Validates a parsed config.json as a whole and returns it typed, as a new
// object (the parsed document is left as it was). Unknown properties are
// ignored, as the runtime-spec says. Every rejection is one configError
// naming the JSON path and the reason.
//
// The file reads top-down: process; root, names, mounts, hooks, annotations;
// linux (namespaces, id mappings, devices); linux.resources; then the checks
// runc makes across fields (namespacesNeeded); and validateSpec, the entry.
// Each reader is (value, path) -> typed value; see check.ts.
import { configError } from '../errors';
import { LIMITS } from '../native/kernel-constants.generated';
import { PROTO } from '../native/protocol-layout.generated';
import { capNumber } from './capabilities';
import {
  absolutePath,
  arrayOf,
  at,
  boolean,
  fields,
  given,
  i64,
  intIn,
  mapOf,
  nonEmptyString,
  object,
  oneOf,
  optional,
  raw,
  required,
  section,
  string,
  stringArray,
  u16,
  u32,
  u64,
  type Reader,
} from './check';
import type { Json } from './json';
import { rlimitNumber } from './rlimits';
import type {
  BlockIO,
  Capabilities,
  Cpu,
  Device,
  DeviceRule,
  Hook,
  Hooks,
  HugepageLimit,
  IdMapping,
  Linux,
  Memory,
  Mount,
  Namespace,
  Process,
  Resources,
  Rlimit,
  Root,
  Spec,
  ThrottleDevice,
  User,
  WeightDevice,
} from './types';

const NAMESPACES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'];
const PROPAGATIONS = ['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'unbindable', 'runbindable'];
const HOST_NAME_MAX = LIMITS.NEW_UTS_LEN; // for both hostname and domainname
const ID_MAPPINGS_MAX = PROTO.kMaxIdMaps; // lines a uid_map/gid_map takes (Linux 4.15+)
const NGROUPS_MAX = LIMITS.NGROUPS_MAX;
const U32_END = 2 ** 32;

/** The index of the first value seen before in the list, or -1. */
function firstRepeat(values: readonly string[]): number {
  const seen = new Set<string>();
  for (let i = 0; i < values.length; i++) {
    if (seen.has(values[i])) return i;
    seen.add(values[i]);
  }
  return -1;
}

// ---- process ------------------------------------------------------------

function envEntry(v: Json, p: string): string {
  const e = string(v, p);
  const eq = e.indexOf('=');
  if (eq < 0) throw configError(p, `must be KEY=VALUE, got ${JSON.stringify(e)}`);
  if (eq === 0) throw configError(p, `has an empty variable name: ${JSON.stringify(e)}`);
  return e;
}
const env = arrayOf(envEntry);

function args(v: Json, p: string): string[] {
  const list = stringArray(v, p);
  if (list.length === 0) throw configError(p, 'must have at least one entry');
  return list;
}

function capabilityName(v: Json, p: string): string {
  const name = string(v, p);
  if (capNumber(name) === undefined) throw configError(p, `unknown capability ${JSON.stringify(name)}`);
  return name;
}
const capSet = arrayOf(capabilityName);
const capabilities: Reader<Capabilities> = section({
  bounding: capSet,
  effective: capSet,
  inheritable: capSet,
  permitted: capSet,
  ambient: capSet,
});

function rlimitType(v: Json, p: string): string {
  const type = string(v, p);
  if (rlimitNumber(type) === undefined) throw configError(p, `unknown rlimit ${JSON.stringify(type)}`);
  return type;
}

function rlimit(v: Json, p: string): Rlimit {
  const o = object(v, p);
  const type = required(o, 'type', p, rlimitType);
  const soft = required(o, 'soft', p, u64);
  const hard = required(o, 'hard', p, u64);
  if (soft > hard) throw configError(at(p, 'soft'), `${soft} is above the hard limit ${hard}`);
  return { type, soft, hard };
}

function rlimits(v: Json, p: string): Rlimit[] {
  const list = arrayOf(rlimit)(v, p);
  const i = firstRepeat(list.map((r) => r.type));
  if (i >= 0) throw configError(at(at(p, i), 'type'), `${list[i].type} is given twice`);
  return list;
}

/** A user or group id as runc takes it: 0 to 2^31-1 (-1 as u32 would mean "leave unchanged" to setresuid). */
const id = intIn(0, 0x7fffffff);

function user(v: Json, p: string): User {
  const o = object(v, p);
  return {
    uid: required(o, 'uid', p, id),
    // the spec requires gid; runc takes a missing one as 0, and so does minirun
    gid: o.gid === undefined ? 0 : id(o.gid, at(p, 'gid')),
    ...fields(o, p, { umask: u32, additionalGids: arrayOf(id, NGROUPS_MAX), username: string }),
  };
}

function consoleSize(v: Json, p: string): { height: number; width: number } {
  const o = object(v, p);
  // struct winsize holds unsigned shorts
  return { height: required(o, 'height', p, u16), width: required(o, 'width', p, u16) };
}

/** The process section; also what `exec --process` reads. */
function processSection(v: Json, p: string): Process {
  const o = object(v, p);
  return {
    user: required(o, 'user', p, user),
    args: required(o, 'args', p, args),
    cwd: required(o, 'cwd', p, absolutePath),
    ...fields(o, p, {
      terminal: boolean,
      consoleSize,
      commandLine: string,
      env,
      capabilities,
      rlimits,
      noNewPrivileges: boolean,
      apparmorProfile: string,
      oomScoreAdj: intIn(-1000, 1000),
      selinuxLabel: string,
      scheduler: raw,
      ioPriority: raw,
      execCPUAffinity: raw,
    }),
  };
}

// ---- root, names, mounts, hooks, annotations ----------------------------

function ociVersion(v: Json, p: string): string {
  const s = string(v, p);
  if (!s.startsWith('1.')) throw configError(p, `must be a 1.x runtime-spec version, got ${JSON.stringify(s)}`);
  return s;
}

function root(v: Json, p: string): Root {
  const o = object(v, p);
  return { path: required(o, 'path', p, nonEmptyString), ...fields(o, p, { readonly: boolean }) };
}

function hostName(v: Json, p: string): string {
  const s = string(v, p);
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes > HOST_NAME_MAX)
    throw configError(p, `is ${bytes} bytes long, more than the kernel's limit of ${HOST_NAME_MAX}`);
  return s;
}

function mount(v: Json, p: string): Mount {
  const o = object(v, p);
  const m: Mount = {
    destination: required(o, 'destination', p, absolutePath),
    ...fields(o, p, { source: string, type: string, options: stringArray }),
  };
  const maps = fields(o, p, { uidMappings: idMappings, gidMappings: idMappings });
  if (maps.uidMappings || maps.gidMappings) {
    // runtime-spec config.md: both or neither; runc 1.2: neither may be empty.
    for (const [k, other] of [
      ['uidMappings', 'gidMappings'],
      ['gidMappings', 'uidMappings'],
    ] as const) {
      const list = maps[k];
      if (!list) throw configError(at(p, k), `is required with ${other} (an id-mapped mount needs both)`);
      if (list.length === 0) throw configError(at(p, k), 'must list at least one mapping');
      m[k] = list;
    }
    // Without "idmap"/"ridmap" the mappings still apply, as "idmap" (runc 1.2;
    // the spec asks clients for the option so that old runtimes do not ignore them).
  }
  return m;
}

function hook(v: Json, p: string): Hook {
  const o = object(v, p);
  return {
    path: required(o, 'path', p, absolutePath),
    ...fields(o, p, { args: stringArray, env, timeout: intIn(1, 0x7fffffff) }),
  };
}
const hookList = arrayOf(hook);
const hooks: Reader<Hooks> = section({
  prestart: hookList,
  createRuntime: hookList,
  createContainer: hookList,
  startContainer: hookList,
  poststart: hookList,
  poststop: hookList,
});

function annotations(v: Json, p: string): Record<string, string> {
  const map = mapOf(string)(v, p);
  if (Object.prototype.hasOwnProperty.call(map, '')) throw configError(p, 'a key must not be an empty string');
  return map;
}

// ---- linux: namespaces, id mappings, devices ----------------------------

function namespace(v: Json, p: string): Namespace {
  const o = object(v, p);
  const ns: Namespace = { type: required(o, 'type', p, oneOf(NAMESPACES)) };
  // An empty path means a new namespace, as in runc (Go's omitempty).
  const path = optional(o, 'path', p, string) ?? '';
  if (path !== '') ns.path = absolutePath(path, at(p, 'path'));
  return ns;
}

function namespaces(v: Json, p: string): Namespace[] {
  const list = arrayOf(namespace)(v, p);
  const i = firstRepeat(list.map((n) => n.type));
  if (i >= 0) throw configError(at(at(p, i), 'type'), `the ${list[i].type} namespace is listed twice`);
  return list;
}

function idMapping(v: Json, p: string): IdMapping {
  const o = object(v, p);
  const m = {
    containerID: required(o, 'containerID', p, u32),
    hostID: required(o, 'hostID', p, u32),
    size: required(o, 'size', p, u32),
  };
  if (m.size === 0) throw configError(at(p, 'size'), 'must be at least 1');
  for (const k of ['containerID', 'hostID'] as const) {
    if (m[k] + m.size > U32_END)
      throw configError(at(p, 'size'), `${k} ${m[k]} + size ${m.size} goes past ${U32_END - 1}`);
  }
  return m;
}
const mappingList = arrayOf(idMapping, ID_MAPPINGS_MAX);

/** The kernel refuses a map whose ranges overlap on either side (EINVAL on uid_map): say which, first. */
function idMappings(v: Json, p: string): IdMapping[] {
  const maps = mappingList(v, p);
  maps.forEach((a, i) => {
    for (let j = 0; j < i; j++) {
      const b = maps[j];
      for (const k of ['containerID', 'hostID'] as const) {
        if (a[k] < b[k] + b.size && b[k] < a[k] + a.size) {
          throw configError(
            at(at(p, i), k),
            `range ${a[k]}-${a[k] + a.size - 1} overlaps ${at(p, j)} (${b[k]}-${b[k] + b.size - 1})`,
          );
        }
      }
    }
  });
  return maps;
}

// What the kernel's dev_t holds: 12 bits of major, 20 of minor; larger
// numbers would be truncated by mknod, so they are refused here.
const deviceMajor = intIn(0, 0xfff);
const deviceMinor = intIn(0, 0xfffff);

function fileMode(v: Json, p: string): number {
  const mode = u32(v, p);
  if (mode > 0o7777) throw configError(p, `must be permission bits, at most 0o7777, got 0o${mode.toString(8)}`);
  return mode;
}

function device(v: Json, p: string): Device {
  const o = object(v, p);
  const type = required(o, 'type', p, oneOf(['c', 'b', 'u', 'p']));
  const path = required(o, 'path', p, absolutePath);
  const numbers =
    type === 'p'
      ? fields(o, p, { major: deviceMajor, minor: deviceMinor })
      : { major: required(o, 'major', p, deviceMajor), minor: required(o, 'minor', p, deviceMinor) };
  return { type, path, ...numbers, ...fields(o, p, { fileMode, uid: u32, gid: u32 }) };
}

// ---- linux.resources ----------------------------------------------------

// As runc: of an access string only r, w and m count, other letters are
// ignored ("rwa" is "rw"; the spec names only r, w and m). One that names
// none of them is refused (runc fails it too, when it applies the rules).
function deviceAccess(v: Json, p: string): string {
  const given = string(v, p);
  const access = given.replace(/[^rwm]/g, '');
  if (given !== '' && access === '')
    throw configError(p, `must name at least one of r, w and m, got ${JSON.stringify(given)}`);
  return access;
}

function deviceRule(v: Json, p: string): DeviceRule {
  const o = object(v, p);
  return {
    allow: required(o, 'allow', p, boolean),
    // -1 (or null, or no value) means any; the devices cgroup reads 32 bits.
    ...fields(o, p, {
      type: oneOf(['a', 'b', 'c']),
      major: intIn(-1, U32_END - 1),
      minor: intIn(-1, U32_END - 1),
      access: deviceAccess,
    }),
  };
}

const memory: Reader<Memory> = section({
  limit: i64,
  reservation: i64,
  swap: i64,
  kernel: i64,
  kernelTCP: i64,
  swappiness: u64,
  disableOOMKiller: boolean,
  useHierarchy: boolean,
  checkBeforeUpdate: boolean,
});

const cpu: Reader<Cpu> = section({
  shares: u64,
  quota: i64,
  burst: u64,
  period: u64,
  realtimeRuntime: i64,
  realtimePeriod: u64,
  cpus: string,
  mems: string,
  idle: i64,
});

function weightDevice(v: Json, p: string): WeightDevice {
  const o = object(v, p);
  return {
    major: required(o, 'major', p, i64),
    minor: required(o, 'minor', p, i64),
    ...fields(o, p, { weight: u16, leafWeight: u16 }),
  };
}

function throttleDevice(v: Json, p: string): ThrottleDevice {
  const o = object(v, p);
  return {
    major: required(o, 'major', p, i64),
    minor: required(o, 'minor', p, i64),
    rate: required(o, 'rate', p, u64),
  };
}
const throttleList = arrayOf(throttleDevice);

const blockIO: Reader<BlockIO> = section({
  weight: u16,
  leafWeight: u16,
  weightDevice: arrayOf(weightDevice),
  throttleReadBpsDevice: throttleList,
  throttleWriteBpsDevice: throttleList,
  throttleReadIOPSDevice: throttleList,
  throttleWriteIOPSDevice: throttleList,
});

function hugepageLimit(v: Json, p: string): HugepageLimit {
  const o = object(v, p);
  return { pageSize: required(o, 'pageSize', p, nonEmptyString), limit: required(o, 'limit', p, u64) };
}

function interfacePriority(v: Json, p: string): { name: string; priority: number } {
  const o = object(v, p);
  return { name: required(o, 'name', p, nonEmptyString), priority: required(o, 'priority', p, u32) };
}

export const readResources: Reader<Resources> = section({
  devices: arrayOf(deviceRule),
  memory,
  cpu,
  pids: section({ limit: i64 }),
  blockIO,
  hugepageLimits: arrayOf(hugepageLimit),
  network: section({ classID: u32, priorities: arrayOf(interfacePriority) }),
  rdma: mapOf(section({ hcaHandles: u32, hcaObjects: u32 })),
  unified: mapOf(string),
});

const linuxSection: Reader<Linux> = section({
  namespaces,
  uidMappings: idMappings,
  gidMappings: idMappings,
  devices: arrayOf(device),
  cgroupsPath: string,
  resources: readResources,
  sysctl: mapOf(string),
  maskedPaths: arrayOf(absolutePath),
  readonlyPaths: arrayOf(absolutePath),
  rootfsPropagation: oneOf(PROPAGATIONS),
  mountLabel: string,
  seccomp: raw,
  personality: raw,
  timeOffsets: raw,
  intelRdt: raw,
  netDevices: raw,
  memoryPolicy: raw,
});

// ---- across fields ------------------------------------------------------

function mapsRoot(list: readonly IdMapping[]): boolean {
  return list.some((m) => m.containerID === 0);
}

/** The namespaces that other fields need, as runc checks them when it reads the config. */
function namespacesNeeded(spec: Spec): void {
  const linux = spec.linux ?? {};
  const list = linux.namespaces ?? [];
  const find = (type: string) => list.find((n) => n.type === type);

  const userNs = find('user');
  for (const k of ['uidMappings', 'gidMappings'] as const) {
    const maps = linux[k] ?? [];
    if (userNs && !userNs.path && maps.length === 0)
      throw configError(`linux.${k}`, 'is required with a new user namespace');
    if (!userNs && maps.length > 0) throw configError(`linux.${k}`, 'requires a user namespace in linux.namespaces');
    if (userNs && maps.length > 0 && !mapsRoot(maps))
      throw configError(`linux.${k}`, 'must map container ID 0 (runc requires a root mapping)');
  }

  const uts = find('uts');
  for (const k of ['hostname', 'domainname'] as const) {
    if (!spec[k]) continue;
    // a uts namespace of the container's own, new or joined by path (runtime-spec, runc)
    if (!uts) throw configError(k, 'requires a uts namespace, and linux.namespaces has none');
  }

  for (const k of ['maskedPaths', 'readonlyPaths'] as const) {
    if ((linux[k] ?? []).length > 0 && !find('mount'))
      throw configError(`linux.${k}`, 'requires a mount namespace in linux.namespaces');
  }
}

// ---- the document -------------------------------------------------------

export function validateSpec(doc: Json): Spec {
  const o = object(doc, '(document)');
  const spec: Spec = {
    ociVersion: required(o, 'ociVersion', '', ociVersion),
    process: required(o, 'process', '', processSection),
    root: required(o, 'root', '', root),
    ...fields(o, '', {
      hostname: hostName,
      domainname: hostName,
      mounts: arrayOf(mount),
      hooks,
      annotations,
      linux: linuxSection,
    }),
  };
  namespacesNeeded(spec);
  return spec;
}

/**
 * A process.json for `exec --process`: the process section alone. runc
 * decodes it into a specs.Process, so a missing user is uid 0, gid 0 (its
 * zero value); args and an absolute cwd are required, as runc requires them.
 */
export function validateProcess(doc: Json): Process {
  const o = object(doc, 'process');
  return processSection(given(o, 'user') ? o : { ...o, user: { uid: 0, gid: 0 } }, 'process');
}
