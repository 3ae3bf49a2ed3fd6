// linux.seccomp -> the filter description the addon compiles with libseccomp
// (pure). Names become libseccomp's numbers; errnoRet defaults to EPERM, as
// runc. Every unknown or unsupported value is an error naming its field.
// SCMP_ACT_NOTIFY: the filter is loaded with a listener fd that goes, with the
// container process state, to linux.seccomp.listenerPath (runc 1.1.5's rules:
// a listener is required, not as the default action, not on write(2)).
// validate.ts keeps linux.seccomp as parsed: it is read here when the plan is
// made (plan/build.ts, plan/exec.ts) and for the hooks' listener.
import * as os from 'node:os';
import { configError } from '../errors';
import { kind } from './check';
import type { Json } from './json';
import { SCMP_ACT, SCMP_CMP, SECCOMP_FILTER_FLAG } from '../native/kernel-constants.generated';

export interface SeccompFilter {
  defaultAction: number;
  architectures: string[];
  rules: { syscall: string; action: number; args: { index: number; op: number; value: bigint; valueTwo: bigint }[] }[];
}

export interface SeccompListener {
  /** linux.seccomp.listenerPath: a unix stream socket (a leading @: abstract) */
  path: string;
  /** linux.seccomp.listenerMetadata ("" = none) */
  metadata: string;
}

export interface SeccompSettings {
  filter: SeccompFilter;
  /** SECCOMP_FILTER_FLAG_* for seccomp(2) (NEW_LISTENER when a rule notifies) */
  flags: number;
  /** where the notify fd goes; only when a rule has SCMP_ACT_NOTIFY */
  listener?: SeccompListener;
}

const EPERM = os.constants.errno.EPERM;
/** libseccomp's ERRNO and TRACE actions carry a 16-bit value in their low bits. */
const withValue = (base: number) => (v: number) => base | (v & 0xffff);
const ACTIONS: Record<string, (errno: number) => number> = {
  SCMP_ACT_KILL: () => SCMP_ACT.SCMP_ACT_KILL,
  SCMP_ACT_KILL_THREAD: () => SCMP_ACT.SCMP_ACT_KILL_THREAD,
  SCMP_ACT_KILL_PROCESS: () => SCMP_ACT.SCMP_ACT_KILL_PROCESS,
  SCMP_ACT_TRAP: () => SCMP_ACT.SCMP_ACT_TRAP,
  SCMP_ACT_ERRNO: withValue(SCMP_ACT.SCMP_ACT_ERRNO),
  SCMP_ACT_TRACE: withValue(SCMP_ACT.SCMP_ACT_TRACE),
  SCMP_ACT_LOG: () => SCMP_ACT.SCMP_ACT_LOG,
  SCMP_ACT_NOTIFY: () => SCMP_ACT.SCMP_ACT_NOTIFY,
  SCMP_ACT_ALLOW: () => SCMP_ACT.SCMP_ACT_ALLOW,
};
const OPERATORS: Record<string, number> = { ...SCMP_CMP };
const ARCHES: Record<string, string> = {
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_MIPS: 'mips',
  SCMP_ARCH_MIPS64: 'mips64',
  SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel',
  SCMP_ARCH_MIPSEL64: 'mipsel64',
  SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc',
  SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le',
  SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_RISCV64: 'riscv64',
};
const F = SECCOMP_FILTER_FLAG;
/** The flags config.json may ask for (WAIT_KILLABLE_RECV: Linux 5.19; only with a notify listener). */
const FLAGS: Record<string, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: F.SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_LOG: F.SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: F.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: F.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
};
const FLAG_TSYNC = F.SECCOMP_FILTER_FLAG_TSYNC;
const FLAG_NEW_LISTENER = F.SECCOMP_FILTER_FLAG_NEW_LISTENER;
const FLAG_TSYNC_ESRCH = F.SECCOMP_FILTER_FLAG_TSYNC_ESRCH; // the kernel takes TSYNC with NEW_LISTENER only with this
const FLAG_WAIT_KILLABLE_RECV = F.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
const NOTIFY = SCMP_ACT.SCMP_ACT_NOTIFY;

/** For `features` (runtime-spec features-linux.md): what this reader accepts. */
export function seccompFeatures(): object {
  return {
    enabled: true,
    actions: Object.keys(ACTIONS).sort(),
    operators: Object.keys(OPERATORS).sort(),
    archs: Object.keys(ARCHES).sort(),
    knownFlags: Object.keys(FLAGS).sort(),
    supportedFlags: Object.keys(FLAGS).sort(),
  };
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
type Raw = Record<string, unknown>;

function action(name: unknown, errnoRet: unknown, where: string, retWhere: string): number {
  if (typeof name !== 'string' || !own(ACTIONS, name))
    throw configError(where, `unknown action ${JSON.stringify(name)}`);
  let errno = EPERM;
  if (errnoRet !== undefined && errnoRet !== null) {
    if (typeof errnoRet !== 'number' || !Number.isInteger(errnoRet) || errnoRet < 0 || errnoRet > 0xffff) {
      // A number is shown as it is; anything else by its kind (String() made "[object Object]" of an object).
      const got =
        typeof errnoRet === 'number' || typeof errnoRet === 'bigint' ? String(errnoRet) : kind(errnoRet as Json);
      throw configError(retWhere, `must be an errno from 0 to 65535, got ${got}`);
    }
    errno = errnoRet;
  }
  return ACTIONS[name](errno) >>> 0;
}

function u64(v: unknown, where: string): bigint {
  if (v === undefined || v === null) return 0n;
  const n = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : -1n;
  if (n < 0n || n >= 1n << 64n) throw configError(where, 'must be an integer from 0 to 2^64-1');
  return n;
}

function list(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw configError(where, 'must be an array');
  return v;
}

export function readSeccomp(raw: unknown): SeccompSettings | undefined {
  if (raw === undefined || raw === null) return undefined;
  const p = 'linux.seccomp';
  if (typeof raw !== 'object' || Array.isArray(raw)) throw configError(p, 'must be an object');
  const s = raw as Raw;
  for (const k of ['listenerPath', 'listenerMetadata']) {
    if (s[k] !== undefined && s[k] !== null && typeof s[k] !== 'string')
      throw configError(`${p}.${k}`, 'must be a string');
  }
  // No default action and no rules: seccomp off, as runc reads it ("seccomp": {} included).
  if (
    (s.defaultAction === undefined || s.defaultAction === null || s.defaultAction === '') &&
    list(s.syscalls, `${p}.syscalls`).length === 0
  )
    return undefined;
  const defaultAction = action(s.defaultAction, s.defaultErrnoRet, `${p}.defaultAction`, `${p}.defaultErrnoRet`);
  // As runc: the init would need a notified syscall answered before it can
  // hand the listener fd over.
  if (defaultAction === NOTIFY)
    throw configError(`${p}.defaultAction`, 'SCMP_ACT_NOTIFY cannot be used as default action');
  const architectures = list(s.architectures, `${p}.architectures`).map((a, i) => {
    if (typeof a !== 'string' || !own(ARCHES, a))
      throw configError(`${p}.architectures[${i}]`, `unknown architecture ${JSON.stringify(a)}`);
    return ARCHES[a];
  });
  let flags = 0;
  list(s.flags, `${p}.flags`).forEach((f, i) => {
    if (typeof f !== 'string' || !own(FLAGS, f))
      throw configError(`${p}.flags[${i}]`, `unsupported flag ${JSON.stringify(f)}`);
    flags |= FLAGS[f];
  });
  const rules: SeccompFilter['rules'] = [];
  list(s.syscalls, `${p}.syscalls`).forEach((c, i) => {
    const where = `${p}.syscalls[${i}]`;
    if (typeof c !== 'object' || c === null) throw configError(where, 'must be an object');
    const call = c as Raw;
    // a rule naming no syscall adds nothing (runc skips it)
    const names = list(call.names, `${where}.names`);
    const act = action(call.action, call.errnoRet, `${where}.action`, `${where}.errnoRet`);
    const args = list(call.args, `${where}.args`).map((a, j) => {
      const aw = `${where}.args[${j}]`;
      const arg = (a ?? {}) as Raw;
      const index = arg.index === undefined ? 0 : arg.index; // Go's zero value, as runc reads it
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 5) {
        throw configError(`${aw}.index`, 'must be an argument index from 0 to 5');
      }
      if (typeof arg.op !== 'string' || !own(OPERATORS, arg.op))
        throw configError(`${aw}.op`, `unknown operator ${JSON.stringify(arg.op)}`);
      return {
        index,
        op: OPERATORS[arg.op],
        value: u64(arg.value, `${aw}.value`),
        valueTwo: u64(arg.valueTwo, `${aw}.valueTwo`),
      };
    });
    names.forEach((n, k) => {
      if (typeof n !== 'string' || n === '') throw configError(`${where}.names[${k}]`, 'must be a syscall name');
      // libseccomp reads a C string: "mkdir\u0000x" would be taken as mkdir (runc 1.1.5 takes it so).
      if (n.includes('\0'))
        throw configError(`${where}.names[${k}]`, `must not contain a NUL byte, got ${JSON.stringify(n)}`);
      // write(2) hands the listener fd to the parent (as runc's init does).
      if (act === NOTIFY && n === 'write')
        throw configError(`${where}.names[${k}]`, 'SCMP_ACT_NOTIFY cannot be used for the write syscall');
      rules.push({ syscall: n, action: act, args });
    });
  });
  // The kernel takes WAIT_KILLABLE_RECV only with a listener: without a notifying
  // rule it means nothing, and libseccomp (runc's) leaves it out then.
  const settings: SeccompSettings = {
    filter: { defaultAction, architectures, rules },
    flags: flags & ~FLAG_WAIT_KILLABLE_RECV,
  };
  // A listenerPath without a notifying rule is ignored, as by runc.
  if (rules.some((r) => r.action === NOTIFY)) {
    const path = typeof s.listenerPath === 'string' ? s.listenerPath : '';
    if (path === '') throw configError(`${p}.listenerPath`, 'is required with SCMP_ACT_NOTIFY');
    if (path.includes('\0')) throw configError(`${p}.listenerPath`, 'must not contain NUL');
    settings.listener = { path, metadata: typeof s.listenerMetadata === 'string' ? s.listenerMetadata : '' };
    settings.flags |= FLAG_NEW_LISTENER | (flags & FLAG_WAIT_KILLABLE_RECV);
    if (settings.flags & FLAG_TSYNC) settings.flags |= FLAG_TSYNC_ESRCH;
  }
  return settings;
}
