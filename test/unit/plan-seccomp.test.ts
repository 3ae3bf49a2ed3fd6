import { describe, expect, it } from 'vitest';
import { planSeccomp } from '../../src/plan/seccomp';

describe('planSeccomp', () => {
  it('maps names to libseccomp numbers, errnoRet defaulting to EPERM', () => {
    const p = planSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'],
      flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }] },
        { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' },
      ],
    })!;
    expect(p.flags).toBe(2 | 4);
    expect(p.filter.defaultAction).toBe(0x00050000 + 38);
    expect(p.filter.architectures).toEqual(['x86_64', 'x32']);
    expect(p.filter.rules).toEqual([
      { syscall: 'read', action: 0x7fff0000, args: [] },
      { syscall: 'write', action: 0x7fff0000, args: [] },
      { syscall: 'kill', action: 0x00050001, args: [{ index: 1, op: 4, value: 9n, valueTwo: 0n }] },
      { syscall: 'ptrace', action: 0x80000000, args: [] },
    ]);
  });

  it('is absent without linux.seccomp', () => {
    expect(planSeccomp(undefined)).toBeUndefined();
  });

  const bad: [string, unknown, string][] = [
    ['no default action', {}, 'config.json: linux.seccomp.defaultAction: unknown action undefined'],
    ['an errno out of range', { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 70000 }, 'config.json: linux.seccomp.defaultErrnoRet: must be an errno from 0 to 65535, got 70000'],
    ['an empty names list', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }, 'config.json: linux.seccomp.syscalls[0].names: must name at least one syscall'],
    ['an unknown flag', { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_MAGIC'] }, 'config.json: linux.seccomp.flags[0]: unsupported flag "SECCOMP_FILTER_FLAG_MAGIC"'],
    ['a listener', { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/l.sock' }, 'config.json: linux.seccomp.listenerPath: not supported yet'],
    ['a negative value', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }] }, 'config.json: linux.seccomp.syscalls[0].args[0].value: must be an integer from 0 to 2^64-1'],
  ];
  for (const [name, raw, message] of bad) {
    it(`rejects ${name}`, () => expect(() => planSeccomp(raw)).toThrow(message));
  }
});
