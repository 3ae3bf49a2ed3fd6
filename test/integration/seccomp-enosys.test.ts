// runc's -ENOSYS stub: under a profile that does not allow by default, a
// syscall newer than every syscall the profile names gets ENOSYS (so that
// libc falls back to the older call), not the default action. Each case runs
// `probe syscall NR...` through runc and minirun on the same bundle; the last
// reads both loaded filters back and compares their answers for every number.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSeccomp } from '../tools/cbpf';
import { exec, hasRunc, isRoot, suiteSandbox, uniqueId, type Config } from './harness';
import { allowUpToPidfdOpen, podmanProfile } from './seccomp-profiles';

const suite = isRoot && hasRunc && fs.existsSync(podmanProfile) ? describe : describe.skip;

// x86_64 numbers: 246 kexec_load (old, never allowed), 434 pidfd_open, 439
// faccessat2, 449 futex_waitv, 450 set_mempolicy_home_node; x32's faccessat2.
const ALL_X86 = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
const DUMP = path.resolve(__dirname, '../tools/seccomp-dump.py');
const AUDIT_ARCH = { x86_64: 0xc000003e, i386: 0x40000003, aarch64: 0xc00000b7 };

suite('seccomp: syscalls newer than the profile get ENOSYS, as with runc', () => {
  const sb = suiteSandbox(['true'], (c) => (c.root.readonly = false));

  function both(seccomp: Config, numbers: string[]) {
    sb.edit((c) => {
      c.linux.seccomp = seccomp;
      c.process.args = ['/bin/probe', 'syscall', ...numbers];
    });
    const { runc, minirun } = sb.runBoth();
    expect(minirun.stdout, minirun.stderr).toBe(runc.stdout);
    expect(minirun.code).toBe(runc.code);
    expect(minirun.signal).toBe(runc.signal);
    expect(sb.residue()).toEqual([]);
    return runc;
  }

  it('deny by default (EPERM): faccessat2 and futex_waitv get ENOSYS, an older denied syscall EPERM; also for x32 numbers', () => {
    const runc = both({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ALL_X86, syscalls: [allowUpToPidfdOpen()] }, [
      '439',
      '449',
      '246',
      '0x400001b7',
      '0x40000300',
    ]);
    expect(runc.stdout).toBe('439 ENOSYS\n449 ENOSYS\n246 EPERM\n0x400001b7 EPERM\n0x40000300 ENOSYS\n');
  });

  it('defaultErrnoRet, and the newest counted over every rule: one with the default action (left out of the filter) still counts', () => {
    const runc = both(
      {
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 13,
        architectures: ['SCMP_ARCH_X86_64'],
        syscalls: [allowUpToPidfdOpen(), { names: ['futex_waitv'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
      },
      ['439', '449', '450', '246'],
    );
    expect(runc.stdout).toBe('439 EACCES\n449 EACCES\n450 ENOSYS\n246 EACCES\n');
  });

  it('a killing default action: a newer syscall gets ENOSYS, an older one kills', () => {
    const runc = both(
      { defaultAction: 'SCMP_ACT_KILL_PROCESS', architectures: ['SCMP_ARCH_X86_64'], syscalls: [allowUpToPidfdOpen()] },
      ['439', '246', '39'],
    );
    expect(runc.stdout).toBe('439 ENOSYS\n');
    expect(runc.code).not.toBe(0);
  });

  it('no stub without architectures (runc checks only the ones listed): faccessat2 gets the default errno', () => {
    const runc = both({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allowUpToPidfdOpen()] }, ['439', '246']);
    expect(runc.stdout).toBe('439 EPERM\n246 EPERM\n');
  });

  it('no stub when the default allows: futex_waitv, newer than any named, reaches the kernel (EINVAL for its zero arguments)', () => {
    const runc = both(
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ALL_X86,
        syscalls: [{ names: ['kexec_load', 'pidfd_open'], action: 'SCMP_ACT_ERRNO' }],
      },
      ['434', '246', '449'],
    );
    expect(runc.stdout).toBe('434 EPERM\n246 EPERM\n449 EINVAL\n');
  });

  /** What a filter answers (zero arguments) for every number up to 1023, x32's too, on three architectures. */
  function answers(bpf: Buffer): string[] {
    const out: string[] = [];
    for (const [name, arch] of Object.entries(AUDIT_ARCH)) {
      for (const base of [0, 0x40000000]) {
        for (let nr = base; nr < base + 1024; nr++)
          out.push(`${name} ${nr.toString(16)} ${runSeccomp(bpf, { arch, nr }).toString(16)}`);
      }
      out.push(`${name} ffffffff ${runSeccomp(bpf, { arch, nr: 0xffffffff }).toString(16)}`);
    }
    return out;
  }

  const profiles: [string, () => Config][] = [
    [
      'x86_64, x86 and x32',
      () => ({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ALL_X86, syscalls: [allowUpToPidfdOpen()] }),
    ],
    [
      'x32 only',
      () => ({
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 13,
        architectures: ['SCMP_ARCH_X32'],
        syscalls: [allowUpToPidfdOpen()],
      }),
    ],
    [
      'x86 and x86_64, TRAP by default, a rule on a syscall x86_64 lacks',
      () => ({
        defaultAction: 'SCMP_ACT_TRAP',
        architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64'],
        syscalls: [allowUpToPidfdOpen(), { names: ['socketcall', 'read'], action: 'SCMP_ACT_ERRNO' }],
      }),
    ],
  ];
  for (const [name, profile] of profiles) {
    it(`the loaded filter answers every syscall number as runc's does: ${name}`, () => {
      sb.edit((c) => {
        c.linux.seccomp = profile();
        c.process.args = ['/bin/probe', 'pause'];
      });
      const id = uniqueId('enosys');
      const filters: Buffer[] = [];
      for (const [rt, cli] of [
        ['runc', (a: string[]) => sb.runc(a)],
        ['minirun', (a: string[]) => sb.minirun(a)],
      ] as const) {
        const r = cli(['run', '-d', `${id}-${rt}`]);
        expect(r.code, r.stderr).toBe(0);
        try {
          const pid = JSON.parse(cli(['state', `${id}-${rt}`]).stdout).pid as number;
          const dump = exec('python3', [DUMP, String(pid)]);
          expect(dump.code, dump.stderr).toBe(0);
          filters.push(Buffer.from(dump.stdout.trim(), 'hex'));
        } finally {
          cli(['delete', '-f', `${id}-${rt}`]);
        }
      }
      const fromRunc = answers(filters[0]);
      expect(fromRunc.filter((a) => a.endsWith(' 50026')).length).toBeGreaterThan(0); // runc's stub answers ENOSYS for some
      expect(answers(filters[1])).toEqual(fromRunc);
      expect(sb.residue()).toEqual([]);
    });
  }
});
