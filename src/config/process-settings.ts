// Per-process kernel settings from the spec (pure): personality, time
// namespace offsets, scheduler, I/O priority, CPU affinity, memory policy.
// Names become the kernel's numbers; every unknown value is an error naming
// its field. validate.ts keeps these fields as parsed: they are read here
// when the plan is made (plan/build.ts, plan/exec.ts).
import { configError } from '../errors';
import { IOPRIO, MPOL_FLAG, MPOL_MODE, PER, SCHED, SCHED_FLAG } from '../native/kernel-constants.generated';
import type { Process } from './types';

type Raw = Record<string, unknown>;
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function int(v: unknown, where: string, min: number, max: number, dflt = 0): number {
  if (v === undefined || v === null) return dflt;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw configError(where, `must be an integer from ${min} to ${max}`);
  return n;
}

function obj(v: unknown, where: string): Raw {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw configError(where, 'must be an object');
  return v as Raw;
}

const PERSONALITY: Record<string, number> = { LINUX: PER.PER_LINUX, LINUX32: PER.PER_LINUX32 };

export function readPersonality(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const p = obj(raw, 'linux.personality');
  if (typeof p.domain !== 'string' || !own(PERSONALITY, p.domain)) {
    throw configError('linux.personality.domain', `must be LINUX or LINUX32, got ${JSON.stringify(p.domain)}`);
  }
  if (Array.isArray(p.flags) && p.flags.length > 0) throw configError('linux.personality.flags', 'not supported yet');
  return PERSONALITY[p.domain];
}

export interface TimeOffsets {
  monotonicSecs: bigint;
  monotonicNanosecs: number;
  boottimeSecs: bigint;
  boottimeNanosecs: number;
}

export function readTimeOffsets(raw: unknown, newTimeNamespace: boolean): TimeOffsets | undefined {
  if (raw === undefined || raw === null) return undefined;
  const t = obj(raw, 'linux.timeOffsets');
  if (!newTimeNamespace) throw configError('linux.timeOffsets', 'requires a new time namespace in linux.namespaces');
  const clock = (name: string) => {
    if (t[name] === undefined || t[name] === null) return [0n, 0] as const;
    const c = obj(t[name], `linux.timeOffsets.${name}`);
    const secs = int(c.secs, `linux.timeOffsets.${name}.secs`, -(2 ** 52), 2 ** 52);
    return [BigInt(secs), int(c.nanosecs, `linux.timeOffsets.${name}.nanosecs`, 0, 999_999_999)] as const;
  };
  for (const k of Object.keys(t))
    if (k !== 'monotonic' && k !== 'boottime')
      throw configError(`linux.timeOffsets.${k}`, 'must be monotonic or boottime');
  const [monotonicSecs, monotonicNanosecs] = clock('monotonic');
  const [boottimeSecs, boottimeNanosecs] = clock('boottime');
  return { monotonicSecs, monotonicNanosecs, boottimeSecs, boottimeNanosecs };
}

const POLICIES: Record<string, number> = { ...SCHED };
const SCHED_FLAGS: Record<string, number> = { ...SCHED_FLAG };
const IOPRIO_CLASSES: Record<string, number> = {
  IOPRIO_CLASS_RT: IOPRIO.IOPRIO_CLASS_RT,
  IOPRIO_CLASS_BE: IOPRIO.IOPRIO_CLASS_BE,
  IOPRIO_CLASS_IDLE: IOPRIO.IOPRIO_CLASS_IDLE,
};

export interface Scheduler {
  policy: number;
  nice: number;
  priority: number;
  flags: number;
  runtime: bigint;
  deadline: bigint;
  period: bigint;
}

export interface ProcessSettings {
  scheduler?: Scheduler;
  ioPriority?: number;
  cpuAffinity?: Buffer;
  /** process.apparmorProfile: set for the next exec (the host must have AppArmor: lifecycle/lsm checks) */
  apparmorProfile?: string;
}

/** "0-3,7" -> a cpu_set_t of 1024 bits. */
/** "0-3,7" -> a 1024-bit mask (cpu_set_t, or a NUMA nodemask) */
export function cpuMask(list: string, where: string, what = 'CPU'): Buffer {
  const mask = Buffer.alloc(128);
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw configError(where, `must be a ${what} list like "0-3,7", got ${JSON.stringify(list)}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to >= 1024)
      throw configError(where, `${what}s must be from 0 to 1023, got ${JSON.stringify(part)}`);
    for (let c = from; c <= to; c++) mask[c >> 3] |= 1 << (c & 7);
  }
  return mask;
}

export function readProcessSettings(proc: Process, where = 'process'): ProcessSettings {
  const out: ProcessSettings = {};
  if (proc.scheduler !== undefined && proc.scheduler !== null) {
    const s = obj(proc.scheduler, `${where}.scheduler`);
    if (typeof s.policy !== 'string' || !own(POLICIES, s.policy))
      throw configError(`${where}.scheduler.policy`, `unknown policy ${JSON.stringify(s.policy)}`);
    let flags = 0;
    (Array.isArray(s.flags) ? s.flags : []).forEach((f, i) => {
      if (typeof f !== 'string' || !own(SCHED_FLAGS, f))
        throw configError(`${where}.scheduler.flags[${i}]`, `unknown flag ${JSON.stringify(f)}`);
      flags |= SCHED_FLAGS[f];
    });
    const big = (k: string) => BigInt(int(s[k], `${where}.scheduler.${k}`, 0, Number.MAX_SAFE_INTEGER));
    out.scheduler = {
      policy: POLICIES[s.policy],
      nice: int(s.nice, `${where}.scheduler.nice`, -20, 19),
      priority: int(s.priority, `${where}.scheduler.priority`, 0, 99),
      flags,
      runtime: big('runtime'),
      deadline: big('deadline'),
      period: big('period'),
    };
  }
  if (proc.ioPriority !== undefined && proc.ioPriority !== null) {
    const io = obj(proc.ioPriority, `${where}.ioPriority`);
    if (typeof io.class !== 'string' || !own(IOPRIO_CLASSES, io.class))
      throw configError(`${where}.ioPriority.class`, `unknown class ${JSON.stringify(io.class)}`);
    out.ioPriority =
      (IOPRIO_CLASSES[io.class] << IOPRIO.IOPRIO_CLASS_SHIFT) | int(io.priority, `${where}.ioPriority.priority`, 0, 7);
  }
  if (proc.execCPUAffinity !== undefined && proc.execCPUAffinity !== null) {
    const a = obj(proc.execCPUAffinity, `${where}.execCPUAffinity`);
    // The affinity the process runs with: `final`, else `initial`.
    const key = typeof a.final === 'string' ? 'final' : typeof a.initial === 'string' ? 'initial' : undefined;
    if (key) out.cpuAffinity = cpuMask(a[key] as string, `${where}.execCPUAffinity.${key}`);
  }
  if (proc.apparmorProfile) {
    if (/[\0\n]/.test(proc.apparmorProfile)) throw configError(`${where}.apparmorProfile`, 'must be one line');
    out.apparmorProfile = proc.apparmorProfile;
  }
  return out;
}

/** set_mempolicy(2) modes and mode flags, by the names the runtime-spec uses */
const MPOL_MODES: Record<string, number> = { ...MPOL_MODE };
const MPOL_FLAGS: Record<string, number> = { ...MPOL_FLAG };

export function memoryPolicyFeatures(): object {
  return { modes: Object.keys(MPOL_MODES), flags: Object.keys(MPOL_FLAGS) };
}

export interface MemoryPolicy {
  /** mode | flags, as set_mempolicy takes them */
  mode: number;
  /** the nodemask (1024 bits), or none */
  nodes?: Buffer;
}

/** linux.memoryPolicy: the NUMA policy the container's process starts with. */
export function readMemoryPolicy(raw: unknown): MemoryPolicy | undefined {
  if (raw === undefined || raw === null) return undefined;
  const where = 'linux.memoryPolicy';
  const m = obj(raw, where);
  for (const k of Object.keys(m))
    if (!['mode', 'nodes', 'flags'].includes(k))
      throw configError(`${where}.${k}`, 'unknown field (mode, nodes, flags)');
  if (typeof m.mode !== 'string' || !own(MPOL_MODES, m.mode))
    throw configError(`${where}.mode`, `unknown mode ${JSON.stringify(m.mode)}`);
  let mode = MPOL_MODES[m.mode];
  if (m.flags !== undefined && m.flags !== null && !Array.isArray(m.flags))
    throw configError(`${where}.flags`, 'must be an array');
  ((m.flags as unknown[] | undefined) ?? []).forEach((f, i) => {
    if (typeof f !== 'string' || !own(MPOL_FLAGS, f))
      throw configError(`${where}.flags[${i}]`, `unknown flag ${JSON.stringify(f)}`);
    mode |= MPOL_FLAGS[f];
  });
  const nodes = m.nodes === undefined || m.nodes === null || m.nodes === '' ? undefined : m.nodes;
  if (nodes !== undefined && typeof nodes !== 'string')
    throw configError(`${where}.nodes`, 'must be a string like "0-3,7"');
  // The kernel's rules (set_mempolicy(2)), checked before anything starts
  const name = m.mode;
  if ((name === 'MPOL_DEFAULT' || name === 'MPOL_LOCAL') && nodes !== undefined)
    throw configError(`${where}.nodes`, `must be empty for ${name}`);
  if (
    ['MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_PREFERRED_MANY', 'MPOL_WEIGHTED_INTERLEAVE'].includes(name) &&
    nodes === undefined
  ) {
    throw configError(`${where}.nodes`, `is required for ${name}`);
  }
  if ((name === 'MPOL_DEFAULT' || name === 'MPOL_LOCAL') && mode !== MPOL_MODES[name])
    throw configError(`${where}.flags`, `must be empty for ${name}`);
  return { mode, nodes: nodes === undefined ? undefined : cpuMask(nodes, `${where}.nodes`, 'node') };
}
