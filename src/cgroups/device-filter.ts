// cgroup v2 has no devices.allow/deny: access is decided by an eBPF program
// (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the cgroup, as runc and crun do.
// This builds that program from the same rule list v1 gets (deny all, the
// spec's rules, the defaults). Pure; native/device_filter.cc loads it.
//
// The kernel calls it with struct bpf_cgroup_dev_ctx { u32 access_type
// (access << 16 | type); u32 major; u32 minor }, and allows when it returns 1.
// As in the v1 controller, the last rule that matches a device and an access
// bit decides that bit; a request (e.g. read+write) needs every bit allowed.
import type { DeviceRule } from './devices';

const DEV_BLOCK = 1;
const DEV_CHAR = 2;
/** BPF_DEVCG_ACC_*: the access bits in the upper half of access_type */
const ACCESS: Record<string, number> = { m: 1, r: 2, w: 4 };

// Registers: r1 ctx; r2 type; r3 access; r4 major; r5 minor; r6 scratch.
const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number | string; // a label, until resolved
  imm: number;
}

const ldxw = (dst: number, src: number, off: number): Insn => ({ code: 0x61, dst, src, off, imm: 0 }); // BPF_LDX|BPF_MEM|BPF_W
const and = (dst: number, imm: number): Insn => ({ code: 0x57, dst, src: 0, off: 0, imm }); // BPF_ALU64|BPF_AND|BPF_K
const rsh = (dst: number, imm: number): Insn => ({ code: 0x77, dst, src: 0, off: 0, imm }); // BPF_ALU64|BPF_RSH|BPF_K
const movx = (dst: number, src: number): Insn => ({ code: 0xbf, dst, src, off: 0, imm: 0 }); // BPF_ALU64|BPF_MOV|BPF_X
const mov = (dst: number, imm: number): Insn => ({ code: 0xb7, dst, src: 0, off: 0, imm }); // BPF_ALU64|BPF_MOV|BPF_K
// 32-bit compares (BPF_JMP32): majors and minors are u32.
const jeq = (dst: number, imm: number, to: string): Insn => ({ code: 0x16, dst, src: 0, off: to, imm });
const jne = (dst: number, imm: number, to: string): Insn => ({ code: 0x56, dst, src: 0, off: to, imm });
const ja = (to: string): Insn => ({ code: 0x05, dst: 0, src: 0, off: to, imm: 0 });
const exit = (): Insn => ({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });

const any = (n: number | null | undefined) => n === null || n === undefined || n < 0;

/** The program's instructions, with labels ("name:" entries) still in place. */
function program(rules: readonly DeviceRule[]): (Insn | string)[] {
  const out: (Insn | string)[] = [ldxw(R2, R1, 0), and(R2, 0xffff), ldxw(R3, R1, 0), rsh(R3, 16), ldxw(R4, R1, 4), ldxw(R5, R1, 8)];
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
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((insn, pc) => {
    const off = typeof insn.off === 'string' ? at.get(insn.off)! - pc - 1 : insn.off;
    buf.writeUInt8(insn.code, pc * 8);
    buf.writeUInt8((insn.src << 4) | insn.dst, pc * 8 + 1);
    buf.writeInt16LE(off, pc * 8 + 2);
    buf.writeInt32LE(insn.imm, pc * 8 + 4);
  });
  return buf;
}
