import { describe, expect, it } from 'vitest';
import { readSeccomp } from '../../src/config/seccomp';

describe('readSeccomp', () => {
  it('maps names to libseccomp numbers, errnoRet defaulting to EPERM', () => {
    const p = readSeccomp({
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

  it('NOTIFY: the listener, and NEW_LISTENER among the flags (with TSYNC_ESRCH when TSYNC)', () => {
    const p = readSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/run/agent.sock',
      listenerMetadata: 'm',
      flags: ['SECCOMP_FILTER_FLAG_TSYNC'],
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
    })!;
    expect(p.filter.rules).toEqual([{ syscall: 'mkdir', action: 0x7fc00000, args: [] }]);
    expect(p.flags).toBe(1 | 8 | 16);
    expect(p.listener).toEqual({ path: '/run/agent.sock', metadata: 'm' });
  });

  it('WAIT_KILLABLE_RECV goes with a listener only (the kernel refuses it without one)', () => {
    const rules = [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }];
    expect(
      readSeccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: '/l',
        flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
        syscalls: rules,
      })!.flags,
    ).toBe(8 | 32);
    expect(
      readSeccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
        syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }],
      })!.flags,
    ).toBe(0);
  });

  it('a listenerPath without a NOTIFY rule is ignored, as by runc', () => {
    const p = readSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/run/agent.sock',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }],
    })!;
    expect(p.listener).toBeUndefined();
    expect(p.flags).toBe(0);
  });

  it('is absent without linux.seccomp, or with neither a default action nor rules (runc: seccomp off)', () => {
    expect(readSeccomp(undefined)).toBeUndefined();
    expect(readSeccomp({})).toBeUndefined();
    expect(readSeccomp({ defaultAction: '', syscalls: [] })).toBeUndefined();
  });

  it('reads what runc reads with Go zero values: a rule naming nothing adds nothing, a missing arg index is 0', () => {
    const p = readSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: [], action: 'SCMP_ACT_ERRNO' },
        { names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ value: 1, op: 'SCMP_CMP_EQ' }] },
      ],
    })!;
    expect(p.filter.rules).toHaveLength(1);
    expect(p.filter.rules[0]).toMatchObject({ syscall: 'kill', args: [{ index: 0, value: 1n }] });
  });

  const bad: [string, unknown, string][] = [
    [
      'no default action with rules',
      { syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] },
      'config.json: linux.seccomp.defaultAction: unknown action undefined',
    ],
    [
      'an errno out of range',
      { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 70000 },
      'config.json: linux.seccomp.defaultErrnoRet: must be an errno from 0 to 65535, got 70000',
    ],
    [
      'an errno that is an object',
      { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: { n: 1 } },
      'config.json: linux.seccomp.defaultErrnoRet: must be an errno from 0 to 65535, got an object',
    ],
    [
      'an errno that is a string',
      { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: '1' },
      'config.json: linux.seccomp.defaultErrnoRet: must be an errno from 0 to 65535, got a string',
    ],
    [
      'an unknown flag',
      { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_MAGIC'] },
      'config.json: linux.seccomp.flags[0]: unsupported flag "SECCOMP_FILTER_FLAG_MAGIC"',
    ],
    [
      'NOTIFY without a listener',
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] },
      'config.json: linux.seccomp.listenerPath: is required with SCMP_ACT_NOTIFY',
    ],
    [
      'NOTIFY with an empty listenerPath',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: '',
        syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
      },
      'config.json: linux.seccomp.listenerPath: is required with SCMP_ACT_NOTIFY',
    ],
    [
      'NOTIFY as the default action',
      { defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/l' },
      'config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action',
    ],
    [
      'NOTIFY on write',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: '/l',
        syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_NOTIFY' }],
      },
      'config.json: linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall',
    ],
    [
      'a listenerPath that is not a string',
      { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: 7 },
      'config.json: linux.seccomp.listenerPath: must be a string',
    ],
    [
      'a negative value',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }],
      },
      'config.json: linux.seccomp.syscalls[0].args[0].value: must be an integer from 0 to 2^64-1',
    ],
    [
      'a syscall name with a NUL byte (libseccomp would read "mkdir")',
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read', 'mkdir\u0000x'], action: 'SCMP_ACT_ERRNO' }] },
      'config.json: linux.seccomp.syscalls[0].names[1]: must not contain a NUL byte, got "mkdir\\u0000x"',
    ],
  ];
  for (const [name, raw, message] of bad) {
    it(`rejects ${name}`, () => expect(() => readSeccomp(raw)).toThrow(message));
  }
});
