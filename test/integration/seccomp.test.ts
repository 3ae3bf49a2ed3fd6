// seccomp filters, compiled with libseccomp in the parent: the same effect as
// runc's on the same config.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasRunc, isRoot, suiteSandbox, uniqueId, type Config } from './harness';
import { podmanUnconditionalAllows } from './seccomp-profiles';

const suite = isRoot && hasRunc ? describe : describe.skip;
const ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];

suite('seccomp matches runc', () => {
  const sb = suiteSandbox(['sh'], (c) => (c.root.readonly = false));

  const cases: [string, Config, string[], ((c: Config) => void)?][] = [
    [
      'ERRNO with errnoRet',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ARCHES,
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }],
      },
      ['sh', '-c', 'grep Seccomp /proc/self/status; mkdir /tmp/a 2>&1; echo status=$?'],
    ],
    [
      'ERRNO defaults to EPERM',
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdirat', 'mkdir'], action: 'SCMP_ACT_ERRNO' }] },
      ['sh', '-c', 'mkdir /tmp/b 2>&1; echo status=$?'],
    ],
    [
      'KILL_PROCESS',
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_KILL_PROCESS' }] },
      ['mkdir', '/tmp/c'],
    ],
    [
      'argument conditions',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 10, op: 'SCMP_CMP_EQ' }] }],
      },
      ['sh', '-c', 'trap "" USR1; kill -0 $$; echo zero=$?; kill -USR1 $$ 2>&1; echo usr1=$?'],
    ],
    [
      'two conditions on one argument',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [
          {
            names: ['kill'],
            action: 'SCMP_ACT_ERRNO',
            args: [
              { index: 1, value: 10, op: 'SCMP_CMP_GE' },
              { index: 1, value: 12, op: 'SCMP_CMP_LE' },
            ],
          },
        ],
      },
      ['sh', '-c', 'trap "" USR1 USR2 HUP; for s in HUP USR1 USR2; do kill -$s $$ 2>/dev/null; echo $s=$?; done'],
    ],
    [
      'an unknown syscall name is skipped',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['no_such_syscall', 'mkdirat', 'mkdir'], action: 'SCMP_ACT_ERRNO' }],
      },
      ['sh', '-c', 'mkdir /tmp/d 2>&1; echo status=$?'],
    ],
    [
      'a rule with the default action is ignored',
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ALLOW' }] },
      ['sh', '-c', 'mkdir /tmp/e && echo made; rmdir /tmp/e'],
    ],
    [
      'without no_new_privs',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
      },
      ['sh', '-c', 'grep -E "Seccomp|NoNewPrivs" /proc/self/status; mkdir /tmp/f 2>&1; echo status=$?'],
      (c) => (c.process.noNewPrivileges = false),
    ],
    [
      'the LOG action',
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_LOG' }] },
      ['sh', '-c', 'grep Seccomp /proc/self/status; echo $$'],
    ],
  ];

  for (const [name, seccomp, args, more] of cases) {
    it(name, () => {
      sb.edit((c) => {
        c.linux.seccomp = seccomp;
        c.process.args = args;
        more?.(c);
      });
      const { runc, minirun } = sb.runBoth();
      expect(minirun.stdout).toBe(runc.stdout);
      expect(minirun.code).toBe(runc.code);
      expect(sb.residue()).toEqual([]);
    });
  }

  it('flags are applied (a deliberate difference: runc 1.1.5 refuses every seccomp flag)', () => {
    sb.edit((c) => {
      c.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
      };
      c.process.args = ['sh', '-c', 'grep Seccomp: /proc/self/status; mkdir /tmp/h 2>/dev/null; echo status=$?'];
    });
    const { runc, minirun } = sb.runBoth();
    expect(runc.code).toBe(1);
    expect(minirun.stdout).toBe('Seccomp:\t2\nstatus=1\n');
  });

  const podmanProfile = '/usr/share/containers/seccomp.json';
  it.skipIf(!fs.existsSync(podmanProfile))(
    "podman's default profile: a shell runs, unshare and mount are blocked as with runc",
    () => {
      sb.edit((c) => {
        c.linux.seccomp = JSON.parse(fs.readFileSync(podmanProfile, 'utf8'));
        c.process.args = [
          'sh',
          '-c',
          'grep Seccomp /proc/self/status; unshare -m true 2>&1; echo unshare=$?; mount -t tmpfs x /tmp 2>&1; echo mount=$?; /bin/probe keyring 2>&1; echo keyctl=$?; id',
        ];
      });
      const { runc, minirun } = sb.runBoth();
      const norm = (t: string) => t.replace(/_ses\.\S+/, '_ses.ID'); // the container ids differ
      expect(norm(minirun.stdout)).toBe(norm(runc.stdout));
      expect(minirun.code).toBe(runc.code);
      expect(minirun.stdout).toMatch(/unshare=1\n/);
      expect(minirun.stdout).toMatch(/mount=1\n/);
    },
  );

  /**
   * A profile in Docker's style and format (moby's default.json): deny by
   * default with EPERM, an allow list, an arch map, argument rules for
   * personality, clone (no namespace flags, SCMP_CMP_MASKED_EQ) and socket,
   * clone3 answered with ENOSYS, and the includes/excludes that engines
   * resolve and OCI runtimes ignore. The allow list is podman's unconditional one.
   */
  function dockerStyleProfile(): Config {
    const special = ['clone', 'clone3', 'personality', 'socket'];
    const allowed = podmanUnconditionalAllows().filter((n) => !special.includes(n));
    const personality = [0, 8, 131072, 131080, 4294967295].map((value) => ({
      names: ['personality'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }],
    }));
    return {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
      syscalls: [
        { names: allowed, action: 'SCMP_ACT_ALLOW', args: [], comment: '', includes: {}, excludes: {} },
        ...personality,
        {
          names: ['clone'],
          action: 'SCMP_ACT_ALLOW',
          args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
          excludes: { caps: ['CAP_SYS_ADMIN'] },
        },
        { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] },
      ],
    };
  }
  it.skipIf(!fs.existsSync(podmanProfile))(
    'a Docker-style default profile: a shell runs and forks, namespaces and mounts are blocked as with runc',
    () => {
      sb.edit((c) => {
        c.linux.seccomp = dockerStyleProfile();
        c.process.args = [
          'sh',
          '-c',
          'grep Seccomp /proc/self/status; echo "$(echo forked)"; unshare -m true 2>&1; echo unshare=$?; mount -t tmpfs x /tmp 2>&1; echo mount=$?; /bin/probe personality; /bin/probe keyring 2>&1; echo keyctl=$?',
        ];
      });
      const { runc, minirun } = sb.runBoth();
      const norm = (t: string) => t.replace(/_ses\.\S+/, '_ses.ID');
      expect(norm(minirun.stdout)).toBe(norm(runc.stdout));
      expect(minirun.code, minirun.stderr + runc.stderr).toBe(runc.code);
      expect(minirun.stdout, minirun.stderr).toMatch(/^Seccomp:\t2\n/);
      expect(minirun.stdout).toMatch(/forked\n/);
      expect(minirun.stdout).toMatch(/unshare=1\n/);
      expect(minirun.stdout).toMatch(/mount=1\n/);
      expect(sb.residue()).toEqual([]);
    },
  );

  it('exec gets the container filter', () => {
    sb.edit((c) => {
      c.linux.seccomp = cases[0][1];
      c.process.args = ['sleep', '300'];
    });
    const id = uniqueId('sx');
    const outs: unknown[] = [];
    for (const [rt, cli] of [
      ['runc', (a: string[]) => sb.runc(a)],
      ['minirun', (a: string[]) => sb.minirun(a)],
    ] as const) {
      expect(cli(['run', '-d', `${id}-${rt}`]).code).toBe(0);
      try {
        const r = cli(['exec', `${id}-${rt}`, 'sh', '-c', 'mkdir /tmp/g 2>&1; echo status=$?']);
        outs.push([r.stdout, r.code]);
      } finally {
        cli(['delete', '-f', `${id}-${rt}`]);
      }
    }
    expect(outs[1]).toEqual(outs[0]);
  });

  const bad: [string, Config, RegExp][] = [
    [
      'unknown action',
      { defaultAction: 'SCMP_ACT_NOPE' },
      /linux\.seccomp\.defaultAction: unknown action "SCMP_ACT_NOPE"/,
    ],
    [
      'unknown arch',
      { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] },
      /linux\.seccomp\.architectures\[0\]: unknown architecture "SCMP_ARCH_Z80"/,
    ],
    [
      'bad operator',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_ABOUT' }] }],
      },
      /linux\.seccomp\.syscalls\[0\]\.args\[0\]\.op: unknown operator "SCMP_CMP_ABOUT"/,
    ],
    [
      'argument index 6',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }],
      },
      /linux\.seccomp\.syscalls\[0\]\.args\[0\]\.index: must be an argument index from 0 to 5/,
    ],
    [
      'notify without a listener',
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_NOTIFY' }] },
      /linux\.seccomp\.listenerPath: is required with SCMP_ACT_NOTIFY/,
    ],
  ];
  for (const [name, seccomp, message] of bad) {
    it(`rejects ${name} before anything starts`, () => {
      sb.edit((c) => (c.linux.seccomp = seccomp));
      const r = sb.minirun(['run', uniqueId('sb')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^minirun run failed: config\\.json: ${message.source}\n$`));
      expect(sb.residue()).toEqual([]);
    });
  }
});
