// Validates a parsed config.json as a whole and returns it typed. Unknown
// properties are ignored, as the runtime-spec says; every rejection names
// the JSON path and the reason.
import { configError } from '../errors';
import { capNumber } from './capabilities';
import {
  absolutePath, array, boolean, has, i64, integer, object, oneOf, optional, required, string, stringArray, u32, u64,
  type Obj,
} from './check';
import type { Json } from './json';
import type { Process, Spec } from './types';

const NAMESPACES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const;
const RLIMITS = [
  'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
  'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
];
const PROPAGATIONS = ['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'unbindable', 'runbindable'];
const HOOK_KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];
const HOST_NAME_MAX = 64;

function eachEntry(o: Obj, p: string, f: (v: Json, p: string) => void): void {
  Object.keys(o).forEach((k) => f(o[k], `${p}.${k}`));
}

function env(v: Json, p: string): string[] {
  const list = stringArray(v, p);
  list.forEach((e, i) => {
    const eq = e.indexOf('=');
    if (eq < 0) throw configError(`${p}[${i}]`, `must be KEY=VALUE, got ${JSON.stringify(e)}`);
    if (eq === 0) throw configError(`${p}[${i}]`, `has an empty variable name: ${JSON.stringify(e)}`);
  });
  return list;
}

function capabilities(v: Json, p: string): void {
  const caps = object(v, p);
  for (const set of ['bounding', 'effective', 'inheritable', 'permitted', 'ambient']) {
    const names = optional(caps, set, p, stringArray) ?? [];
    names.forEach((n, i) => {
      if (capNumber(n) === undefined) throw configError(`${p}.${set}[${i}]`, `unknown capability ${JSON.stringify(n)}`);
    });
  }
}

function rlimits(v: Json, p: string): void {
  const seen = new Set<string>();
  array(v, p).forEach((r, i) => {
    const where = `${p}[${i}]`;
    const o = object(r, where);
    const type = required(o, 'type', where, string);
    if (!RLIMITS.includes(type)) throw configError(`${where}.type`, `unknown rlimit ${JSON.stringify(type)}`);
    if (seen.has(type)) throw configError(`${where}.type`, `${type} is given twice`);
    seen.add(type);
    const soft = required(o, 'soft', where, u64);
    const hard = required(o, 'hard', where, u64);
    if (soft > hard) throw configError(`${where}.soft`, `${soft} is above the hard limit ${hard}`);
    o.soft = soft;
    o.hard = hard;
  });
}

function user(v: Json, p: string): void {
  const u = object(v, p);
  required(u, 'uid', p, u32);
  required(u, 'gid', p, u32);
  const umask = optional(u, 'umask', p, u32);
  if (umask !== undefined && umask > 0o777) throw configError(`${p}.umask`, `must be at most 0777, got ${umask}`);
  const gids = optional(u, 'additionalGids', p, (x, q) => array(x, q, 65536)) ?? [];
  gids.forEach((g, i) => u32(g, `${p}.additionalGids[${i}]`));
  optional(u, 'username', p, string);
}

function processSection(v: Json, p: string): void {
  const o = object(v, p);
  optional(o, 'terminal', p, boolean);
  optional(o, 'consoleSize', p, (c, q) => {
    const cs = object(c, q);
    required(cs, 'height', q, u32);
    required(cs, 'width', q, u32);
  });
  required(o, 'user', p, user);
  const args = required(o, 'args', p, stringArray);
  if (args.length === 0) throw configError(`${p}.args`, 'must have at least one entry');
  optional(o, 'env', p, env);
  required(o, 'cwd', p, absolutePath);
  optional(o, 'capabilities', p, capabilities);
  optional(o, 'rlimits', p, rlimits);
  optional(o, 'noNewPrivileges', p, boolean);
  optional(o, 'apparmorProfile', p, string);
  optional(o, 'selinuxLabel', p, string);
  optional(o, 'oomScoreAdj', p, (x, q) => Number(integer(x, q, -1000n, 1000n)));
}

function mounts(v: Json, p: string): void {
  array(v, p).forEach((m, i) => {
    const where = `${p}[${i}]`;
    const o = object(m, where);
    required(o, 'destination', where, absolutePath);
    optional(o, 'source', where, string);
    optional(o, 'type', where, string);
    optional(o, 'options', where, stringArray);
    for (const k of ['uidMappings', 'gidMappings']) {
      if (has(o, k)) throw configError(`${where}.${k}`, 'id-mapped mounts are not supported yet');
    }
  });
}

function hooks(v: Json, p: string): void {
  const o = object(v, p);
  for (const kind of HOOK_KINDS) {
    const list = optional(o, kind, p, array) ?? [];
    list.forEach((h, i) => {
      const where = `${p}.${kind}[${i}]`;
      const ho = object(h, where);
      required(ho, 'path', where, absolutePath);
      optional(ho, 'args', where, stringArray);
      optional(ho, 'env', where, env);
      const t = optional(ho, 'timeout', where, (x, q) => integer(x, q, 1n, 0x7fffffffn));
      void t;
    });
  }
}

function idMappings(v: Json, p: string): void {
  array(v, p, 340).forEach((m, i) => {
    const where = `${p}[${i}]`;
    const o = object(m, where);
    required(o, 'containerID', where, u32);
    required(o, 'hostID', where, u32);
    const size = required(o, 'size', where, u32);
    if (size === 0) throw configError(`${where}.size`, 'must be at least 1');
  });
}

function devices(v: Json, p: string): void {
  array(v, p).forEach((d, i) => {
    const where = `${p}[${i}]`;
    const o = object(d, where);
    const type = required(o, 'type', where, (x, q) => oneOf(x, q, ['c', 'b', 'u', 'p']));
    required(o, 'path', where, absolutePath);
    if (type !== 'p') {
      required(o, 'major', where, (x, q) => Number(integer(x, q, 0n, 0xfffn)));
      required(o, 'minor', where, (x, q) => Number(integer(x, q, 0n, 0xfffffn)));
    }
    const mode = optional(o, 'fileMode', where, u32);
    if (mode !== undefined && mode > 0o7777) throw configError(`${where}.fileMode`, `must be at most 07777, got ${mode.toString(8)}`);
    optional(o, 'uid', where, u32);
    optional(o, 'gid', where, u32);
  });
}

function deviceRules(v: Json, p: string): void {
  array(v, p).forEach((r, i) => {
    const where = `${p}[${i}]`;
    const o = object(r, where);
    required(o, 'allow', where, boolean);
    optional(o, 'type', where, (x, q) => oneOf(x, q, ['a', 'b', 'c']));
    for (const k of ['major', 'minor']) {
      if (has(o, k) && o[k] !== null) i64(o[k], `${where}.${k}`);
    }
    const access = optional(o, 'access', where, string);
    if (access !== undefined && !/^[rwm]*$/.test(access)) {
      throw configError(`${where}.access`, `must be made of r, w and m, got ${JSON.stringify(access)}`);
    }
  });
}

function resources(v: Json, p: string): void {
  const o = object(v, p);
  optional(o, 'devices', p, deviceRules);
  for (const k of ['memory', 'cpu', 'pids', 'blockIO', 'network', 'rdma', 'unified']) optional(o, k, p, object);
  optional(o, 'hugepageLimits', p, array);
}

function namespaces(v: Json, p: string): Set<string> {
  const seen = new Set<string>();
  array(v, p, NAMESPACES.length * 2).forEach((n, i) => {
    const where = `${p}[${i}]`;
    const o = object(n, where);
    const type = required(o, 'type', where, (x, q) => oneOf(x, q, NAMESPACES));
    if (seen.has(type)) throw configError(`${where}.type`, `the ${type} namespace is listed twice`);
    seen.add(type);
    optional(o, 'path', where, absolutePath);
  });
  return seen;
}

function linuxSection(v: Json, p: string): Set<string> {
  const o = object(v, p);
  const ns = optional(o, 'namespaces', p, namespaces) ?? new Set<string>();
  optional(o, 'uidMappings', p, idMappings);
  optional(o, 'gidMappings', p, idMappings);
  optional(o, 'devices', p, devices);
  optional(o, 'cgroupsPath', p, string);
  optional(o, 'resources', p, resources);
  optional(o, 'sysctl', p, (x, q) => eachEntry(object(x, q), q, string));
  for (const k of ['maskedPaths', 'readonlyPaths']) {
    const list = optional(o, k, p, stringArray) ?? [];
    list.forEach((s, i) => absolutePath(s, `${p}.${k}[${i}]`));
  }
  optional(o, 'rootfsPropagation', p, (x, q) => oneOf(x, q, PROPAGATIONS));
  optional(o, 'mountLabel', p, string);

  // What runc's validator checks across fields.
  const userNs = ns.has('user');
  const hasMaps = has(o, 'uidMappings') || has(o, 'gidMappings');
  const userNsIsNew = userNs && !(o.namespaces as Obj[]).some((n) => n.type === 'user' && has(n, 'path'));
  if (userNsIsNew && (!has(o, 'uidMappings') || !has(o, 'gidMappings'))) {
    throw configError(`${p}.uidMappings`, 'a new user namespace needs both uidMappings and gidMappings');
  }
  if (hasMaps && !userNs) throw configError(`${p}.uidMappings`, 'id mappings need a user namespace in linux.namespaces');
  return ns;
}

function names(o: Obj, ns: Set<string>): void {
  for (const k of ['hostname', 'domainname']) {
    const name = optional(o, k, '', string);
    if (!name) continue;
    if (name.length > HOST_NAME_MAX) throw configError(k, `must be at most ${HOST_NAME_MAX} characters`);
    if (!ns.has('uts')) throw configError(k, 'requires a uts namespace in linux.namespaces');
  }
}

export function validateSpec(doc: Json): Spec {
  const o = object(doc, '(document)');
  const version = required(o, 'ociVersion', '', string);
  if (!/^1\.\d+\.\d+/.test(version)) throw configError('ociVersion', `must be a 1.x.y runtime-spec version, got ${JSON.stringify(version)}`);
  optional(o, 'root', '', (v, p) => {
    const r = object(v, p);
    const path = required(r, 'path', p, string);
    if (path === '') throw configError(`${p}.path`, 'must not be empty');
    optional(r, 'readonly', p, boolean);
  });
  optional(o, 'process', '', processSection);
  optional(o, 'mounts', '', mounts);
  optional(o, 'hooks', '', hooks);
  optional(o, 'annotations', '', (v, p) => eachEntry(object(v, p), p, string));
  const ns = optional(o, 'linux', '', linuxSection) ?? new Set<string>();
  names(o, ns);
  return o as unknown as Spec;
}

/** A process.json for `exec --process`: the process section alone. */
export function validateProcess(doc: Json): Process {
  processSection(doc, 'process');
  return doc as unknown as Process;
}
