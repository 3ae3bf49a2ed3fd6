// cgroup v2 has no devices.allow/deny: access is decided by an eBPF program
// (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the cgroup, as runc and crun do.
// This builds that program from the same rule list v1 gets (deny all, the
// spec's rules, the defaults). Pure; native/device_filter.cc loads it.
//
// The kernel calls it with struct bpf_cgroup_dev_ctx { u32 access_type
// (access << 16 | type); u32 major; u32 minor }, and allows when it returns 1.
// As in the v1 controller, the last rule that matches a device and an access
// bit decides that bit; a request (e.g. read+write) needs every bit allowed.
import { BPF, BPF_CGROUP_DEV_CTX as CTX, BPF_DEVCG, BPF_INSN } from '../native/kernel-constants.generated';
import type { DeviceRule } from './devices';

const DEV_BLOCK = BPF_DEVCG.DEV_BLOCK;
const DEV_CHAR = BPF_DEVCG.DEV_CHAR;
/** BPF_DEVCG_ACC_*: the access bits in the upper half of access_type */
const ACCESS: Record<string, number> = { m: BPF_DEVCG.ACC_MKNOD, r: BPF_DEVCG.ACC_READ, w: BPF_DEVCG.ACC_WRITE };

// Registers: r1 ctx; r2 type; r3 access; r4 major; r5 minor; r6 scratch.
const R0 = 0,
  R1 = 1,
  R2 = 2,
  R3 = 3,
  R4 = 4,
  R5 = 5,
  R6 = 6;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number | string; // a label, until resolved
  imm: number;
}

const ldxw = (dst: number, src: number, off: number): Insn => ({
  code: BPF.LDX | BPF.MEM | BPF.W,
  dst,
  src,
  off,
  imm: 0,
});
const and = (dst: number, imm: number): Insn => ({ code: BPF.ALU64 | BPF.AND | BPF.K, dst, src: 0, off: 0, imm });
const rsh = (dst: number, imm: number): Insn => ({ code: BPF.ALU64 | BPF.RSH | BPF.K, dst, src: 0, off: 0, imm });
const movx = (dst: number, src: number): Insn => ({ code: BPF.ALU64 | BPF.MOV | BPF.X, dst, src, off: 0, imm: 0 });
const mov = (dst: number, imm: number): Insn => ({ code: BPF.ALU64 | BPF.MOV | BPF.K, dst, src: 0, off: 0, imm });
// 32-bit compares (BPF_JMP32): majors and minors are u32.
const jeq = (dst: number, imm: number, to: string): Insn => ({
  code: BPF.JMP32 | BPF.JEQ | BPF.K,
  dst,
  src: 0,
  off: to,
  imm,
});
const jne = (dst: number, imm: number, to: string): Insn => ({
  code: BPF.JMP32 | BPF.JNE | BPF.K,
  dst,
  src: 0,
  off: to,
  imm,
});
const ja = (to: string): Insn => ({ code: BPF.JMP | BPF.JA, dst: 0, src: 0, off: to, imm: 0 });
const exit = (): Insn => ({ code: BPF.JMP | BPF.EXIT, dst: 0, src: 0, off: 0, imm: 0 });

const any = (n: number | null | undefined) => n === null || n === undefined || n < 0;

/** The program's instructions, with labels ("name:" entries) still in place. */
function program(rules: readonly DeviceRule[]): (Insn | string)[] {
  const out: (Insn | string)[] = [
    ldxw(R2, R1, CTX.access_type),
    and(R2, 0xffff),
    ldxw(R3, R1, CTX.access_type),
    rsh(R3, 16),
    ldxw(R4, R1, CTX.major),
    ldxw(R5, R1, CTX.minor),
  ];
  for (const [letter, bit] of Object.entries(ACCESS)) {
    const done = `bit-${letter}-done`;
    out.push(movx(R6, R3), and(R6, bit), jeq(R6, 0, done));
    // Newest rule first: the first match decides this bit. A rule for every
    // device ends the chain (the verifier refuses unreachable code).
    let decided = false;
    for (let i = rules.length - 1; i >= 0 && !decided; i--) {
      const rule = rules[i];
      if (!(rule.access || 'rwm').includes(letter)) continue;
      const next = `bit-${letter}-rule-${i}`;
      const type = rule.type ?? 'a';
      decided = type === 'a';
      if (type !== 'a') out.push(jne(R2, type === 'b' ? DEV_BLOCK : DEV_CHAR, next));
      if (type !== 'a' && !any(rule.major)) out.push(jne(R4, rule.major! | 0, next));
      if (type !== 'a' && !any(rule.minor)) out.push(jne(R5, rule.minor! | 0, next));
      if (rule.allow) out.push(ja(done));
      else out.push(mov(R0, 0), exit());
      if (!decided) out.push(next);
    }
    // No rule mentions this device and bit: denied.
    if (!decided) out.push(mov(R0, 0), exit());
    out.push(done);
  }
  out.push(mov(R0, 1), exit());
  return out;
}

/** struct bpf_insn[] for the kernel: 8 bytes each. */
export function deviceFilter(rules: readonly DeviceRule[]): Buffer {
  const items = program(rules);
  const at = new Map<string, number>();
  const insns: Insn[] = [];
  for (const it of items) {
    if (typeof it === 'string') at.set(it, insns.length);
    else insns.push(it);
  }
  const buf = Buffer.alloc(insns.length * BPF_INSN.size);
  insns.forEach((insn, pc) => {
    const off = typeof insn.off === 'string' ? at.get(insn.off)! - pc - 1 : insn.off;
    const base = pc * BPF_INSN.size;
    buf.writeUInt8(insn.code, base + BPF_INSN.code);
    buf.writeUInt8((insn.src << 4) | insn.dst, base + BPF_INSN.regs);
    buf.writeInt16LE(off, base + BPF_INSN.off);
    buf.writeInt32LE(insn.imm, base + BPF_INSN.imm);
  });
  return buf;
}
