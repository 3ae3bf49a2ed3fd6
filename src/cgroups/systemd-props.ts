// linux.resources and org.systemd.property.* annotations -> systemd unit
// properties, as runc 1.1.5's systemd drivers make them
// (genV2ResourcesProperties, and genV1ResourcesProperties for cgroup v1;
// generateDeviceProperties, addCpuQuota,
// addCpuset, unifiedResToSystemdProps, specconv's initSystemdProps). Pure: the
// host's facts (systemd's version, /proc/devices, device nodes) come in `host`.
import type { Resources } from '../config/types';
import { MiniRunError } from '../errors';
import type { UnitProperty } from '../native/addon';
import type { DeviceRule } from './devices';
import { sharesToWeight, swapToV2 } from './resources-v2';

export interface SystemdHost {
  /** systemd's version (252), asked for only when a property depends on it */
  version: () => number;
  /** the device group of a major number ("char-pts"), from /proc/devices; undefined if none */
  deviceGroup: (type: 'c' | 'b', major: number) => string | undefined;
  /** whether /dev/char/M:m (or /sys/dev/char/M:m) exists */
  deviceExists: (path: string) => boolean;
  warn: (msg: string) => void;
}

/** A property's type and value, without its name. */
export type PropValue = UnitProperty extends infer P ? (P extends UnitProperty ? Omit<P, 'name'> : never) : never;

const U64_MAX = (1n << 64n) - 1n;
/** runc's uint64(n) of an int64: -1 is the largest value (systemd's "infinity"). */
const u64 = (n: bigint): bigint => BigInt.asUintN(64, n);
const t = (name: string, value: bigint): UnitProperty => ({ name, sig: 't', value });

function resourceError(reason: string): MiniRunError {
  return new MiniRunError('CGROUP', reason);
}

/** "0-2,4" -> the bitmask systemd's AllowedCPUs takes: byte i holds CPUs 8i..8i+7 (runc's RangeToBits). */
export function rangeToBits(str: string): Buffer {
  const bits: number[] = [];
  const set = (n: number) => {
    while (bits.length <= n >> 3) bits.push(0);
    bits[n >> 3] |= 1 << (n & 7);
  };
  const num = (s: string): number => {
    if (!/^[0-9]+$/.test(s) || Number(s) > 0xffffffff) throw new Error(`invalid number ${JSON.stringify(s)}`);
    return Number(s);
  };
  for (const raw of str.split(',')) {
    const r = raw.trim();
    if (r === '') continue;
    const dash = r.indexOf('-');
    if (dash >= 0) {
      const start = num(r.slice(0, dash));
      const end = num(r.slice(dash + 1));
      if (start > end) throw new Error(`invalid range: ${r}`);
      for (let i = start; i <= end; i++) set(i);
    } else {
      set(num(r));
    }
  }
  while (bits.length > 0 && bits[bits.length - 1] === 0) bits.pop();
  if (bits.length === 0) throw new Error('empty value');
  return Buffer.from(bits);
}

/** CPUQuotaPeriodUSec and CPUQuotaPerSecUSec (runc's addCpuQuota); quota and period 0 are unset. */
function cpuQuota(host: SystemdHost, quota: bigint, period: bigint): UnitProperty[] {
  const out: UnitProperty[] = [];
  if (period !== 0n && host.version() >= 242) out.push(t('CPUQuotaPeriodUSec', period));
  if (quota !== 0n || period !== 0n) {
    let perSec = U64_MAX;
    if (quota > 0n) {
      // systemd keeps a percentage: round up to the next 10 ms a second
      perSec = (quota * 1000000n) / (period || 100000n);
      if (perSec % 10000n !== 0n) perSec = (perSec / 10000n + 1n) * 10000n;
    }
    out.push(t('CPUQuotaPerSecUSec', perSec));
  }
  return out;
}

function cpuset(host: SystemdHost, cpus: string | undefined, mems: string | undefined): UnitProperty[] {
  if (!cpus && !mems) return [];
  if (host.version() < 244) return [];
  const out: UnitProperty[] = [];
  for (const [value, name, field] of [
    [cpus, 'AllowedCPUs', 'Cpus'],
    [mems, 'AllowedMemoryNodes', 'Mems'],
  ] as const) {
    if (!value) continue;
    try {
      out.push({ name, sig: 'ay', value: rangeToBits(value) });
    } catch (e) {
      throw resourceError(`resources.CPU.${field}=${JSON.stringify(value)} conversion error: ${(e as Error).message}`);
    }
  }
  return out;
}

/** linux.resources.unified keys systemd has properties for; the rest only go to the files. */
function unifiedProps(host: SystemdHost, unified: Record<string, string>): UnitProperty[] {
  const out: UnitProperty[] = [];
  const uint = (k: string, v: string): bigint => {
    if (!/^[0-9]+$/.test(v) || BigInt(v) > U64_MAX)
      throw resourceError(`unified resource ${JSON.stringify(k)} value conversion error: ${JSON.stringify(v)}`);
    return BigInt(v);
  };
  for (const [k, raw] of Object.entries(unified)) {
    if (k.includes('/')) throw resourceError(`unified resource ${JSON.stringify(k)} must be a file name (no slashes)`);
    if (!k.includes('.'))
      throw resourceError(`unified resource ${JSON.stringify(k)} must be in the form CONTROLLER.PARAMETER`);
    const v = raw.trim();
    const memory: Record<string, string> = {
      'memory.high': 'MemoryHigh',
      'memory.low': 'MemoryLow',
      'memory.min': 'MemoryMin',
      'memory.max': 'MemoryMax',
      'memory.swap.max': 'MemorySwapMax',
    };
    if (k === 'cpu.max') {
      const f = v.split(/\s+/).filter(Boolean);
      if (f.length < 1 || f.length > 2)
        throw resourceError(`unified resource ${JSON.stringify(k)} value invalid: ${JSON.stringify(v)}`);
      const quota = f[0] === 'max' ? 0n : BigInt.asIntN(64, uint(k, f[0]));
      const period = f.length === 2 ? uint(k, f[1]) : 100000n;
      out.push(...cpuQuota(host, quota, period));
    } else if (k === 'cpu.weight') {
      out.push(t('CPUWeight', uint(k, v)));
    } else if (k === 'cpuset.cpus' || k === 'cpuset.mems') {
      let bits: Buffer;
      try {
        bits = rangeToBits(v);
      } catch (e) {
        throw resourceError(
          `unified resource ${JSON.stringify(k)}=${JSON.stringify(v)} conversion error: ${(e as Error).message}`,
        );
      }
      if (host.version() >= 244)
        out.push({ name: k === 'cpuset.cpus' ? 'AllowedCPUs' : 'AllowedMemoryNodes', sig: 'ay', value: bits });
    } else if (memory[k]) {
      out.push(t(memory[k], v === 'max' ? U64_MAX : uint(k, v)));
    } else if (k === 'pids.max') {
      out.push(t('TasksMax', v === 'max' ? U64_MAX : uint(k, v)));
    }
  }
  return out;
}

/** runc's devices emulator, reduced to what systemd's properties need: the final allow list, or a deny list. */
function emulate(rules: readonly DeviceRule[]): { defaultAllow: boolean; allowed: Map<string, string> } {
  let defaultAllow = false;
  const list = new Map<string, string>(); // "c 1 3" -> "rwm"
  const canon = (s: Set<string>) => ['r', 'w', 'm'].filter((p) => s.has(p)).join('');
  for (const r of rules) {
    const type = r.type ?? 'a';
    if (type === 'a') {
      defaultAllow = r.allow;
      list.clear();
      continue;
    }
    const key = `${type} ${r.major ?? -1} ${r.minor ?? -1}`;
    const perms = new Set(r.access || 'rwm');
    const had = new Set(list.get(key) ?? '');
    if (r.allow !== defaultAllow) perms.forEach((p) => had.add(p));
    else perms.forEach((p) => had.delete(p));
    if (had.size > 0) list.set(key, canon(had));
    else list.delete(key);
  }
  return { defaultAllow, allowed: list };
}

/** DevicePolicy and DeviceAllow (runc's generateDeviceProperties). */
export function deviceProperties(host: SystemdHost, rules: readonly DeviceRule[]): UnitProperty[] {
  const strict: UnitProperty[] = [
    { name: 'DevicePolicy', sig: 's', value: 'strict' },
    { name: 'DeviceAllow', sig: 'a(ss)', value: [] },
  ];
  const emu = emulate(rules);
  if (emu.defaultAllow) {
    if (emu.allowed.size === 0)
      return [
        { name: 'DevicePolicy', sig: 's', value: 'auto' },
        { name: 'DeviceAllow', sig: 'a(ss)', value: [] },
      ];
    host.warn('systemd does not support blacklist device rules -- applying temporary deny-all rule');
    return strict;
  }
  // In runc's order: by major, minor (wildcards, -1, first), then type.
  const entries = [...emu.allowed].map(([key, perms]) => {
    const [type, major, minor] = key.split(' ');
    return { type: type as 'c' | 'b', major: Number(major), minor: Number(minor), perms };
  });
  entries.sort((a, b) => a.major - b.major || a.minor - b.minor || a.type.localeCompare(b.type));
  const allow: [string, string][] = [];
  for (const e of entries) {
    const kind = e.type === 'b' ? 'block' : 'char';
    if (e.major < 0) {
      if (e.minor >= 0) {
        host.warn(`systemd does not support '*:n' device rules -- temporarily ignoring rule ${e.type} *:${e.minor}`);
        continue;
      }
      allow.push([`${kind}-*`, e.perms]);
    } else if (e.minor < 0) {
      const group = host.deviceGroup(e.type, e.major);
      if (!group) {
        host.warn(
          `could not find device group for '${e.type}/${e.major}' in /proc/devices -- temporarily ignoring rule`,
        );
        continue;
      }
      allow.push([group, e.perms]);
    } else {
      const p = `/dev/${kind}/${e.major}:${e.minor}`;
      if (!host.deviceExists(p)) {
        host.warn(`skipping device ${p} for systemd: stat /sys${p}: no such file or directory`);
        continue;
      }
      allow.push([p, e.perms]);
    }
  }
  return [...strict, { name: 'DeviceAllow', sig: 'a(ss)', value: allow }];
}

/** The properties linux.resources sets (runc's genV2ResourcesProperties), device rules first when given. */
export function resourceProperties(
  host: SystemdHost,
  r: Resources | undefined,
  deviceRules?: readonly DeviceRule[],
): UnitProperty[] {
  const out: UnitProperty[] = deviceRules ? deviceProperties(host, deviceRules) : [];
  if (!r) return out;
  const { memory, cpu, pids } = r;
  if (memory?.limit) out.push(t('MemoryMax', u64(memory.limit)));
  if (memory?.reservation) out.push(t('MemoryLow', u64(memory.reservation)));
  const swap = swapToV2(memory?.swap, memory?.limit);
  if (swap !== 0n) out.push(t('MemorySwapMax', u64(swap)));
  if (cpu?.shares) out.push(t('CPUWeight', sharesToWeight(cpu.shares)));
  out.push(...cpuQuota(host, cpu?.quota ?? 0n, cpu?.period ?? 0n));
  if (pids?.limit !== undefined && (pids.limit > 0n || pids.limit === -1n)) out.push(t('TasksMax', u64(pids.limit)));
  out.push(...cpuset(host, cpu?.cpus, cpu?.mems));
  if (r.unified) out.push(...unifiedProps(host, r.unified));
  return out;
}

/**
 * The properties linux.resources sets on cgroup v1 (runc's genV1ResourcesProperties): the
 * deprecated v1 names (MemoryLimit, CPUShares, BlockIOWeight), the values as given.
 */
export function v1ResourceProperties(
  host: SystemdHost,
  r: Resources | undefined,
  deviceRules?: readonly DeviceRule[],
): UnitProperty[] {
  const out: UnitProperty[] = deviceRules ? deviceProperties(host, deviceRules) : [];
  if (!r) return out;
  const { memory, cpu, pids, blockIO } = r;
  if (memory?.limit) out.push(t('MemoryLimit', u64(memory.limit)));
  if (cpu?.shares) out.push(t('CPUShares', u64(cpu.shares)));
  out.push(...cpuQuota(host, cpu?.quota ?? 0n, cpu?.period ?? 0n));
  if (blockIO?.weight) out.push(t('BlockIOWeight', BigInt(blockIO.weight)));
  if (pids?.limit !== undefined && (pids.limit > 0n || pids.limit === -1n)) out.push(t('TasksMax', u64(pids.limit)));
  out.push(...cpuset(host, cpu?.cpus, cpu?.mems));
  return out;
}

/**
 * The properties a scope or slice starts with (runc's Apply), before the annotations' own.
 * On cgroup v1 (`v1`) block I/O accounting is BlockIOAccounting, as runc's legacy manager asks for it.
 */
export function unitProperties(
  unit: string,
  slice: string,
  name: string,
  pid: number,
  annotations: UnitProperty[],
  v1 = false,
): UnitProperty[] {
  const out: UnitProperty[] = [{ name: 'Description', sig: 's', value: `libcontainer container ${name}` }];
  if (unit.endsWith('.slice')) {
    out.push({ name: 'Wants', sig: 'as', value: [slice] });
  } else {
    out.push({ name: 'Slice', sig: 's', value: slice });
    out.push({ name: 'Delegate', sig: 'b', value: true });
  }
  out.push({ name: 'PIDs', sig: 'au', value: [BigInt(pid)] });
  for (const a of ['MemoryAccounting', 'CPUAccounting', v1 ? 'BlockIOAccounting' : 'IOAccounting', 'TasksAccounting'])
    out.push({ name: a, sig: 'b', value: true });
  out.push({ name: 'DefaultDependencies', sig: 'b', value: false });
  return [...out, ...annotations];
}

const TYPES: Record<string, UnitProperty['sig']> = {
  boolean: 'b',
  byte: 'y',
  int16: 'n',
  uint16: 'q',
  int32: 'i',
  uint32: 'u',
  int64: 'x',
  uint64: 't',
  double: 'd',
  string: 's',
};

/**
 * A GVariant text value, as runc's dbus.ParseVariant reads an annotation:
 * minirun reads the forms annotations use: true/false, numbers (int32, or a
 * double with a point or exponent; with a type word such as "uint64 100" or
 * "@t 100"), 'strings' or "strings", and arrays of strings.
 */
export function parseVariant(text: string): PropValue {
  let s = text.trim();
  let sig: string | undefined;
  const typed = /^(?:@([a-z]+)|([a-z0-9]+))\s+(.*)$/s.exec(s);
  if (typed && (typed[1] !== undefined || TYPES[typed[2]])) {
    sig = typed[1] ?? TYPES[typed[2]];
    s = typed[3].trim();
  }
  const str = (v: string): string => {
    const q = v[0];
    if ((q !== "'" && q !== '"') || v[v.length - 1] !== q || v.length < 2) throw new Error(`not a string: ${v}`);
    return v.slice(1, -1).replace(/\\(.)/g, '$1');
  };
  if (s.startsWith('[')) {
    if (sig !== undefined && sig !== 'as') throw new Error(`only arrays of strings are supported, got @${sig}`);
    if (!s.endsWith(']')) throw new Error('unterminated array');
    const inner = s.slice(1, -1).trim();
    const items = inner === '' ? [] : (inner.match(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^,\s][^,]*/g) ?? []);
    return { sig: 'as', value: items.map((i) => str(i.trim())) };
  }
  if (s === 'true' || s === 'false') {
    if (sig !== undefined && sig !== 'b') throw new Error(`${s} is no ${sig}`);
    return { sig: 'b', value: s === 'true' };
  }
  if (s.startsWith("'") || s.startsWith('"')) {
    if (sig !== undefined && sig !== 's') throw new Error(`a string is no ${sig}`);
    return { sig: 's', value: str(s) };
  }
  if (/^[-+]?[0-9]+$/.test(s) && sig !== 'd') {
    const n = BigInt(s);
    const k = sig ?? 'i';
    const ranges: Record<string, [bigint, bigint]> = {
      y: [0n, 255n],
      n: [-32768n, 32767n],
      q: [0n, 65535n],
      i: [-(1n << 31n), (1n << 31n) - 1n],
      u: [0n, (1n << 32n) - 1n],
      x: [-(1n << 63n), (1n << 63n) - 1n],
      t: [0n, U64_MAX],
    };
    const range = ranges[k];
    if (!range) throw new Error(`a number is no ${k}`);
    if (n < range[0] || n > range[1]) throw new Error(`${s} is out of range for ${k}`);
    if (k === 'x' || k === 't') return { sig: k, value: n };
    return { sig: k as 'y' | 'n' | 'q' | 'i' | 'u', value: Number(n) };
  }
  if (/^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(s) && (sig === undefined || sig === 'd'))
    return { sig: 'd', value: Number(s) };
  throw new Error(
    `unsupported value ${JSON.stringify(text)} (minirun reads booleans, numbers, strings and string arrays)`,
  );
}

/** A Sec property's value in microseconds, as runc's convertSecToUSec. */
function secToUSec(v: PropValue): PropValue {
  const M = 1000000n;
  switch (v.sig) {
    case 'y':
    case 'n':
    case 'q':
    case 'i':
    case 'u':
      return { sig: 't', value: u64(BigInt(v.value) * M) };
    case 'x':
    case 't':
      return { sig: 't', value: u64(v.value * M) };
    case 'd':
      return { sig: 't', value: u64(BigInt(Math.trunc(v.value * 1000000))) };
    default:
      throw new Error('not a number');
  }
}

/** org.systemd.property.<Name> annotations as unit properties (runc's initSystemdProps). */
export function annotationProperties(annotations: Record<string, string> | undefined): UnitProperty[] {
  const prefix = 'org.systemd.property.';
  const out: UnitProperty[] = [];
  for (const [k, v] of Object.entries(annotations ?? {})) {
    if (!k.startsWith(prefix)) continue;
    let name = k.slice(prefix.length);
    if (name.length < 3) throw resourceError(`annotation ${k} name incorrect: too short`);
    if (!/^[A-Za-z]+$/.test(name))
      throw resourceError(`annotation ${k} name incorrect: contains non-alphabetic character`);
    let value: PropValue;
    try {
      value = parseVariant(v);
      // TimeoutStopSec= is sent as TimeoutStopUSec, in microseconds
      if (/[a-z]Sec$/.test(name)) {
        name = `${name.slice(0, -3)}USec`;
        value = secToUSec(value);
      }
    } catch (e) {
      throw resourceError(`annotation ${k}=${v} value parse error: ${(e as Error).message}`);
    }
    out.push({ name, ...value });
  }
  return out;
}
