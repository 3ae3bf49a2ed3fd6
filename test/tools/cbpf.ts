// A classic BPF interpreter for seccomp programs (struct sock_filter[], host
// endian), enough for what libseccomp and the -ENOSYS stub emit: it answers
// what the kernel would return for one syscall without loading anything.

export interface SeccompData {
  nr: number;
  arch: number;
  args?: bigint[];
}

const BPF = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  RET: 0x06,
  MISC: 0x07,
  W: 0x00,
  ABS: 0x20,
  IMM: 0x00,
  MEM: 0x60,
  K: 0x00,
  X: 0x08,
  A: 0x10,
  ADD: 0x00,
  SUB: 0x10,
  AND: 0x50,
  OR: 0x40,
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  TAX: 0x00,
  TXA: 0x80,
};

/** seccomp_data as the kernel lays it out: nr, arch, instruction_pointer, args[6]. */
function word(d: SeccompData, offset: number): number {
  if (offset === 0) return d.nr >>> 0;
  if (offset === 4) return d.arch >>> 0;
  if (offset >= 16 && offset < 64 && offset % 4 === 0) {
    const arg = d.args?.[(offset - 16) >> 3] ?? 0n;
    return Number(offset % 8 === 0 ? arg & 0xffffffffn : (arg >> 32n) & 0xffffffffn); // little endian
  }
  if (offset === 8 || offset === 12) return 0;
  throw new Error(`load from seccomp_data offset ${offset}`);
}

/** Runs the program on one syscall; returns the action value (SECCOMP_RET_*). */
export function runSeccomp(program: Buffer, d: SeccompData): number {
  const n = program.length / 8;
  let a = 0;
  let x = 0;
  const mem = new Array<number>(16).fill(0);
  for (let pc = 0; pc < n; pc++) {
    const code = program.readUInt16LE(pc * 8);
    const jt = program.readUInt8(pc * 8 + 2);
    const jf = program.readUInt8(pc * 8 + 3);
    const k = program.readUInt32LE(pc * 8 + 4);
    const cls = code & 0x07;
    const src = code & 0x08 ? x : k;
    if (cls === BPF.LD && (code & 0xe0) === BPF.ABS) a = word(d, k);
    else if (cls === BPF.LD && (code & 0xe0) === BPF.IMM) a = k;
    else if (cls === BPF.LD && (code & 0xe0) === BPF.MEM) a = mem[k];
    else if (cls === BPF.LDX && (code & 0xe0) === BPF.MEM) x = mem[k];
    else if (cls === BPF.LDX && (code & 0xe0) === BPF.IMM) x = k;
    else if (cls === BPF.ST) mem[k] = a;
    else if (cls === BPF.STX) mem[k] = x;
    else if (cls === BPF.ALU && (code & 0xf0) === BPF.AND) a = (a & src) >>> 0;
    else if (cls === BPF.ALU && (code & 0xf0) === BPF.OR) a = (a | src) >>> 0;
    else if (cls === BPF.ALU && (code & 0xf0) === BPF.ADD) a = (a + src) >>> 0;
    else if (cls === BPF.ALU && (code & 0xf0) === BPF.SUB) a = (a - src) >>> 0;
    else if (cls === BPF.MISC) {
      if ((code & 0xf8) === BPF.TAX) x = a;
      else a = x;
    } else if (cls === BPF.JMP) {
      const op = code & 0xf0;
      if (op === BPF.JA) pc += k;
      else {
        const taken =
          op === BPF.JEQ
            ? a === src
            : op === BPF.JGT
              ? a > src
              : op === BPF.JGE
                ? a >= src
                : op === BPF.JSET
                  ? (a & src) !== 0
                  : undefined;
        if (taken === undefined) throw new Error(`unknown jump 0x${code.toString(16)} at ${pc}`);
        pc += taken ? jt : jf;
      }
    } else if (cls === BPF.RET) return (code & 0x18) === BPF.A ? a : k;
    else throw new Error(`unknown instruction 0x${code.toString(16)} at ${pc}`);
  }
  throw new Error('the program ran off its end');
}
