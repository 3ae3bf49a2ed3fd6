// linux.seccomp -> the filter description the addon compiles with libseccomp
// (pure). Names become libseccomp's numbers; errnoRet defaults to EPERM, as
// runc. Every unknown or unsupported value is an error naming its field.
import { configError } from '../errors';

export interface SeccompFilter {
  defaultAction: number;
  architectures: string[];
  rules: { syscall: string; action: number; args: { index: number; op: number; value: bigint; valueTwo: bigint }[] }[];
}

export interface PlannedSeccomp {
  filter: SeccompFilter;
  /** SECCOMP_FILTER_FLAG_* for seccomp(2) */
  flags: number;
}

const EPERM = 1;
const ACTIONS: Record<string, (errno: number) => number> = {
  SCMP_ACT_KILL: () => 0x00000000,
  SCMP_ACT_KILL_THREAD: () => 0x00000000,
  SCMP_ACT_KILL_PROCESS: () => 0x80000000,
  SCMP_ACT_TRAP: () => 0x00030000,
  SCMP_ACT_ERRNO: (e) => 0x00050000 | (e & 0xffff),
  SCMP_ACT_TRACE: (e) => 0x7ff00000 | (e & 0xffff),
  SCMP_ACT_LOG: () => 0x7ffc0000,
  SCMP_ACT_ALLOW: () => 0x7fff0000,
};
const OPERATORS: Record<string, number> = {
  SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7,
};
const ARCHES: Record<string, string> = {
  SCMP_ARCH_X86: 'x86', SCMP_ARCH_X86_64: 'x86_64', SCMP_ARCH_X32: 'x32', SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64', SCMP_ARCH_MIPS: 'mips', SCMP_ARCH_MIPS64: 'mips64', SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel', SCMP_ARCH_MIPSEL64: 'mipsel64', SCMP_ARCH_MIPSEL64N32: 'mipsel64n32', SCMP_ARCH_PPC: 'ppc',
  SCMP_ARCH_PPC64: 'ppc64', SCMP_ARCH_PPC64LE: 'ppc64le', SCMP_ARCH_S390: 's390', SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_RISCV64: 'riscv64',
};
const FLAGS: Record<string, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
};

/** What `features` reports: the tables above, so it cannot claim more. */
export function seccompFeatures(): object {
  const sorted = (o: object) => Object.keys(o).sort();
  return { enabled: true, actions: sorted(ACTIONS), operators: sorted(OPERATORS), archs: sorted(ARCHES), knownFlags: sorted(FLAGS), supportedFlags: sorted(FLAGS) };
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
type Raw = Record<string, unknown>;

function action(name: unknown, errnoRet: unknown, where: string, retWhere: string): number {
  if (name === 'SCMP_ACT_NOTIFY') throw configError(where, 'SCMP_ACT_NOTIFY is not supported yet');
  if (typeof name !== 'string' || !own(ACTIONS, name)) throw configError(where, `unknown action ${JSON.stringify(name)}`);
  let errno = EPERM;
  if (errnoRet !== undefined && errnoRet !== null) {
    if (typeof errnoRet !== 'number' || !Number.isInteger(errnoRet) || errnoRet < 0 || errnoRet > 0xffff) {
      throw configError(retWhere, `must be an errno from 0 to 65535, got ${String(errnoRet)}`);
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

export function planSeccomp(raw: unknown): PlannedSeccomp | undefined {
  if (raw === undefined || raw === null) return undefined;
  const p = 'linux.seccomp';
  if (typeof raw !== 'object' || Array.isArray(raw)) throw configError(p, 'must be an object');
  const s = raw as Raw;
  for (const k of ['listenerPath', 'listenerMetadata']) if (s[k]) throw configError(`${p}.${k}`, 'not supported yet');
  const defaultAction = action(s.defaultAction, s.defaultErrnoRet, `${p}.defaultAction`, `${p}.defaultErrnoRet`);
  const architectures = list(s.architectures, `${p}.architectures`).map((a, i) => {
    if (typeof a !== 'string' || !own(ARCHES, a)) throw configError(`${p}.architectures[${i}]`, `unknown architecture ${JSON.stringify(a)}`);
    return ARCHES[a];
  });
  let flags = 0;
  list(s.flags, `${p}.flags`).forEach((f, i) => {
    if (typeof f !== 'string' || !own(FLAGS, f)) throw configError(`${p}.flags[${i}]`, `unsupported flag ${JSON.stringify(f)}`);
    flags |= FLAGS[f];
  });
  const rules: SeccompFilter['rules'] = [];
  list(s.syscalls, `${p}.syscalls`).forEach((c, i) => {
    const where = `${p}.syscalls[${i}]`;
    if (typeof c !== 'object' || c === null) throw configError(where, 'must be an object');
    const call = c as Raw;
    const names = list(call.names, `${where}.names`);
    if (names.length === 0) throw configError(`${where}.names`, 'must name at least one syscall');
    const act = action(call.action, call.errnoRet, `${where}.action`, `${where}.errnoRet`);
    const args = list(call.args, `${where}.args`).map((a, j) => {
      const aw = `${where}.args[${j}]`;
      const arg = (a ?? {}) as Raw;
      if (typeof arg.index !== 'number' || !Number.isInteger(arg.index) || arg.index < 0 || arg.index > 5) {
        throw configError(`${aw}.index`, 'must be an argument index from 0 to 5');
      }
      if (typeof arg.op !== 'string' || !own(OPERATORS, arg.op)) throw configError(`${aw}.op`, `unknown operator ${JSON.stringify(arg.op)}`);
      return { index: arg.index, op: OPERATORS[arg.op], value: u64(arg.value, `${aw}.value`), valueTwo: u64(arg.valueTwo, `${aw}.valueTwo`) };
    });
    names.forEach((n, k) => {
      if (typeof n !== 'string' || n === '') throw configError(`${where}.names[${k}]`, 'must be a syscall name');
      rules.push({ syscall: n, action: act, args });
    });
  });
  return { filter: { defaultAction, architectures, rules }, flags };
}
