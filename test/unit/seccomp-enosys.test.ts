// runc's -ENOSYS stub in the compiled filter (native/seccomp_enosys.cc):
// what the program compileSeccomp returns answers for one syscall, run
// through a BPF interpreter, no filter loaded.
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/native/loader';
import { readSeccomp } from '../../src/config/seccomp';
import { runSeccomp } from '../tools/cbpf';

const X86_64 = 0xc000003e;
const I386 = 0x40000003;
const AARCH64 = 0xc00000b7;
const X32 = 0x40000000; // the bit an x32 syscall number carries

const ALLOW = 0x7fff0000;
const NOTIFY = 0x7fc00000;
const TRAP = 0x00030000;
const KILL_PROCESS = 0x80000000;
const errno = (e: number) => 0x00050000 | e;
const ENOSYS = errno(38);
const EPERM = errno(1);

function compile(seccomp: object): Buffer {
  return loadAddon().compileSeccomp(readSeccomp(seccomp)!.filter);
}

/** x86_64: read 0, kexec_load 246, pidfd_open 434, faccessat2 439, futex_waitv 449. */
const OLD = { names: ['read', 'write', 'pidfd_open'], action: 'SCMP_ACT_ALLOW' };
const ALL_X86 = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];

describe('the -ENOSYS stub', () => {
  it('deny by default: a number above the newest named gets ENOSYS, per architecture and ABI; others the filter', () => {
    const f = compile({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ALL_X86, syscalls: [OLD] });
    const at = (arch: number, nr: number) => runSeccomp(f, { arch, nr });
    expect([at(X86_64, 439), at(X86_64, 0xffffffff), at(X86_64, 434), at(X86_64, 246)]).toEqual([
      ENOSYS,
      ENOSYS,
      ALLOW,
      EPERM,
    ]);
    expect([at(X86_64, X32 | 439), at(X86_64, X32 | 434), at(X86_64, X32 | 246)]).toEqual([ENOSYS, ALLOW, EPERM]);
    expect([at(I386, 439), at(I386, 434), at(I386, 246)]).toEqual([ENOSYS, ALLOW, EPERM]);
    expect(at(AARCH64, 439)).not.toBe(ENOSYS); // not listed: libseccomp's bad-architecture answer
  });

  it('x86_64 without x32: x32 numbers are left to the filter; x32 without x86_64 the other way round', () => {
    const x86_64 = compile({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [OLD] });
    expect(runSeccomp(x86_64, { arch: X86_64, nr: 439 })).toBe(ENOSYS);
    expect(runSeccomp(x86_64, { arch: X86_64, nr: X32 | 439 })).not.toBe(ENOSYS);
    const x32 = compile({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X32'], syscalls: [OLD] });
    expect(runSeccomp(x32, { arch: X86_64, nr: X32 | 439 })).toBe(ENOSYS);
    expect(runSeccomp(x32, { arch: X86_64, nr: 439 })).toBe(EPERM);
  });

  it('every default action but ALLOW, LOG and TRACE gets it', () => {
    for (const [defaultAction, answer] of [
      ['SCMP_ACT_KILL_PROCESS', KILL_PROCESS],
      ['SCMP_ACT_KILL', 0],
      ['SCMP_ACT_KILL_THREAD', 0],
      ['SCMP_ACT_TRAP', TRAP],
    ] as const) {
      const f = compile({ defaultAction, architectures: ['SCMP_ARCH_X86_64'], syscalls: [OLD] });
      expect(
        [runSeccomp(f, { arch: X86_64, nr: 439 }), runSeccomp(f, { arch: X86_64, nr: 246 })],
        defaultAction,
      ).toEqual([ENOSYS, answer]);
    }
    for (const [defaultAction, answer] of [
      ['SCMP_ACT_ALLOW', ALLOW],
      ['SCMP_ACT_LOG', 0x7ffc0000],
      ['SCMP_ACT_TRACE', 0x7ff00001],
    ] as const) {
      const f = compile({
        defaultAction,
        architectures: ALL_X86,
        syscalls: [{ names: ['pidfd_open'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
      });
      expect(
        [runSeccomp(f, { arch: X86_64, nr: 439 }), runSeccomp(f, { arch: X86_64, nr: 434 })],
        defaultAction,
      ).toEqual([answer, errno(13)]);
    }
  });

  it('a default of ENOSYS needs none: the same answers from a shorter program', () => {
    const seccomp = (defaultErrnoRet: number) => ({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet,
      architectures: ALL_X86,
      syscalls: [OLD],
    });
    const enosys = compile(seccomp(38));
    expect(enosys.length).toBeLessThan(compile(seccomp(1)).length);
    expect([439, 246].map((nr) => runSeccomp(enosys, { arch: X86_64, nr }))).toEqual([ENOSYS, ENOSYS]);
  });

  it('the newest syscall is taken over every rule, whatever its action, also the default one the filter leaves out', () => {
    const same = compile({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [OLD, { names: ['futex_waitv'], action: 'SCMP_ACT_ERRNO' }],
    });
    expect([439, 449, 450].map((nr) => runSeccomp(same, { arch: X86_64, nr }))).toEqual([EPERM, EPERM, ENOSYS]);
    const notify = compile({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64'],
      listenerPath: '/run/agent.sock',
      syscalls: [OLD, { names: ['futex_waitv'], action: 'SCMP_ACT_NOTIFY' }],
    });
    expect([439, 449, 450].map((nr) => runSeccomp(notify, { arch: X86_64, nr }))).toEqual([EPERM, NOTIFY, ENOSYS]);
  });

  it('names an architecture lacks are skipped, and one whose newest named syscall is number 0 gets no check (as runc)', () => {
    const f = compile({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [{ names: ['read', 'socketcall', 'no_such_syscall'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(runSeccomp(f, { arch: X86_64, nr: 439 })).toBe(EPERM); // read is 0 on x86_64, socketcall it lacks
    expect(runSeccomp(f, { arch: I386, nr: 103 })).toBe(ENOSYS); // x86: socketcall is 102
    expect(runSeccomp(f, { arch: I386, nr: 102 })).toBe(ALLOW);
  });

  it('no architectures listed, no stub (runc checks only the listed ones)', () => {
    const f = compile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [OLD] });
    expect(runSeccomp(f, { arch: X86_64, nr: 439 })).toBe(EPERM);
  });

  it('each listed architecture is checked against its own numbers (aarch64: openat 56, read 63, write 64)', () => {
    const f = compile({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'],
      syscalls: [{ names: ['openat', 'read', 'write'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect([56, 57, 64, 65].map((nr) => runSeccomp(f, { arch: AARCH64, nr }))).toEqual([ALLOW, EPERM, ALLOW, ENOSYS]);
    expect([64, 257, 258].map((nr) => runSeccomp(f, { arch: X86_64, nr }))).toEqual([EPERM, ALLOW, ENOSYS]);
  });
});
