import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MountKind } from '../../src/native/protocol';
import { buildPlan, type BuildInput, type CgroupMountInfo } from '../../src/plan/build';
import { execProcess, type ExecOptions } from '../../src/plan/exec';
import { MS } from '../../src/plan/mount-options';
import type { Spec } from '../../src/config/types';

// What Debian's `runc spec` (1.1.5) writes, with terminal off.
function runcSpec(): any {
  const s = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/runc-spec.json'), 'utf8'));
  s.process.terminal = false;
  return s;
}

const v1: CgroupMountInfo = {
  mode: 'hybrid',
  v1Binds: [
    { source: '/sys/fs/cgroup/cpu/c1', name: 'cpu' },
    { source: '/sys/fs/cgroup/systemd/c1', name: 'systemd' },
  ],
  v1Symlinks: [],
};

function input(spec: any, over: Partial<BuildInput> = {}): BuildInput {
  return {
    spec: spec as Spec,
    bundle: '/b',
    rootfs: '/b/rootfs',
    noPivot: false,
    cgroup: v1,
    hostHasKcore: false,
    ...over,
  };
}

describe('buildPlan on runc spec', () => {
  const plan = buildPlan(input(runcSpec()));

  it('creates the five namespaces of the default spec', () => {
    expect(plan.cloneFlags).toBe(0x20000000 | 0x40000000 | 0x08000000 | 0x04000000 | 0x00020000);
    expect(plan.joins).toEqual([]);
  });

  it('keeps the process as given', () => {
    expect(plan.args).toEqual(['sh']);
    expect(plan.cwd).toBe('/');
    expect(plan.user).toEqual({ uid: 0, gid: 0, umask: undefined, additionalGids: [] });
    expect(plan.noNewPrivileges).toBe(true);
    expect(plan.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', resource: 7, soft: 1024n, hard: 1024n }]);
    // CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10)
    expect(plan.caps?.bounding).toBe((1n << 29n) | (1n << 5n) | (1n << 10n));
    expect(plan.caps?.inheritable).toBe(0n);
  });

  it('parses mount options into flags and data', () => {
    const dev = plan.mounts.find((m) => m.destination === '/dev')!;
    expect(dev.kind).toBe(MountKind.Tmpfs);
    expect(dev.flags).toBe(MS.NOSUID | MS.STRICTATIME);
    expect(dev.data).toBe('mode=755,size=65536k');
    const sys = plan.mounts.find((m) => m.destination === '/sys')!;
    expect(sys.kind).toBe(MountKind.Sysfs);
    expect(sys.flags).toBe(MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RDONLY);
  });

  it('turns the cgroup mount into a tmpfs and one bind per v1 hierarchy', () => {
    const cg = plan.mounts.filter((m) => m.destination.startsWith('/sys/fs/cgroup'));
    expect(cg.map((m) => [m.kind, m.destination, m.source])).toEqual([
      [MountKind.Tmpfs, '/sys/fs/cgroup', 'tmpfs'],
      [MountKind.Bind, '/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu/c1'],
      [MountKind.Bind, '/sys/fs/cgroup/systemd', '/sys/fs/cgroup/systemd/c1'],
    ]);
    expect(cg[1].flags & MS.RDONLY).toBe(MS.RDONLY);
    expect(cg.every((m) => m.index === 6)).toBe(true);
  });

  it('sets up /dev with the default nodes and links', () => {
    expect(plan.setupDev).toBe(true);
    expect(plan.devices.map((d) => d.path)).toEqual([
      '/dev/null',
      '/dev/random',
      '/dev/full',
      '/dev/tty',
      '/dev/zero',
      '/dev/urandom',
    ]);
    expect(plan.symlinks).toContainEqual(['pts/ptmx', '/dev/ptmx']);
    expect(plan.symlinks.some(([, l]) => l === '/dev/core')).toBe(false);
  });
});

describe('buildPlan details', () => {
  it('adds /dev/core only where the host has /proc/kcore', () => {
    expect(buildPlan(input(runcSpec(), { hostHasKcore: true })).symlinks).toContainEqual(['/proc/kcore', '/dev/core']);
  });

  it('skips /dev setup when /dev is bind-mounted', () => {
    const s = runcSpec();
    s.mounts = s.mounts.filter((m: any) => m.destination !== '/dev');
    s.mounts.push({ destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] });
    const plan = buildPlan(input(s));
    expect(plan.setupDev).toBe(false);
    expect(plan.devices).toEqual([]);
  });

  it('resolves a relative bind source against the bundle', () => {
    const s = runcSpec();
    s.mounts.push({ destination: '/data', source: 'data', options: ['bind', 'ro'] });
    const m = buildPlan(input(s)).mounts.at(-1)!;
    expect(m.kind).toBe(MountKind.Bind);
    expect(m.source).toBe('/b/data');
    expect(m.flags).toBe(MS.BIND | MS.RDONLY);
  });

  it('marks a tmpfs with tmpcopyup for a copy, and ignores the word elsewhere, as runc', () => {
    const s = runcSpec();
    s.mounts.push({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'tmpcopyup'] });
    s.mounts.push({ destination: '/data', type: 'bind', source: '/srv', options: ['bind', 'tmpcopyup'] });
    const [tmp, bind] = buildPlan(input(s)).mounts.slice(-2);
    expect([tmp.kind, tmp.flags, tmp.data]).toEqual([MountKind.TmpfsCopyUp, MS.NOSUID, '']);
    expect([bind.kind, bind.data]).toEqual([MountKind.Bind, '']);
  });

  it('lets linux.devices override a default node of the same path', () => {
    const s = runcSpec();
    s.linux.devices = [{ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o600 }];
    const nulls = buildPlan(input(s)).devices.filter((d) => d.path === '/dev/null');
    expect(nulls).toEqual([{ type: 'c', path: '/dev/null', major: 1, minor: 3, mode: 0o600, uid: 0, gid: 0 }]);
  });

  it('joins namespaces given by path instead of creating them', () => {
    const s = runcSpec();
    s.linux.namespaces = [{ type: 'mount' }, { type: 'network', path: '/var/run/netns/x' }];
    const plan = buildPlan(input(s));
    expect(plan.cloneFlags).toBe(0x00020000);
    expect(plan.joins).toEqual([{ type: 0x40000000, path: '/var/run/netns/x' }]);
  });

  it('mounts cgroup2 directly on a cgroup v2 host', () => {
    const plan = buildPlan(input(runcSpec(), { cgroup: { mode: 'v2', v1Binds: [], v1Symlinks: [] } }));
    const cg = plan.mounts.filter((m) => m.destination.startsWith('/sys/fs/cgroup'));
    expect(cg.map((m) => [m.fstype, m.source])).toEqual([['cgroup2', 'cgroup']]);
  });

  it('drops every capability when the section is absent, as runc', () => {
    const s = runcSpec();
    delete s.process.capabilities;
    expect(buildPlan(input(s)).caps).toEqual({
      bounding: 0n,
      effective: 0n,
      permitted: 0n,
      inheritable: 0n,
      ambient: 0n,
    });
  });

  it('asks the init to wait for hooks only where there are some', () => {
    const s = runcSpec();
    expect(buildPlan(input(s)).hookPoints).toBe(0);
    s.hooks = { createContainer: [{ path: '/h' }], startContainer: [{ path: '/h' }] };
    expect(buildPlan(input(s)).hookPoints).toBe(1 | 2);
    // With an exec fifo (create), `start` runs startContainer itself.
    expect(buildPlan(input(s, { execFifo: '/run/x/exec.fifo' })).hookPoints).toBe(1);
    s.hooks = { poststart: [{ path: '/h' }], poststop: [{ path: '/h' }] };
    expect(buildPlan(input(s)).hookPoints).toBe(0);
  });

  it('gives a terminal process a pty bound at /dev/console, with its size', () => {
    const s = runcSpec();
    s.process.terminal = true;
    s.process.consoleSize = { height: 30, width: 100 };
    const plan = buildPlan(input(s));
    expect(plan.terminal).toBe(2);
    expect(plan.consoleSize).toEqual({ rows: 30, cols: 100 });
    expect(buildPlan(input(runcSpec())).terminal).toBe(0);
  });

  it('creates the cwd when it is not /', () => {
    const s = runcSpec();
    s.process.cwd = '/work/dir';
    expect(buildPlan(input(s)).mkdirs).toEqual([{ path: '/work/dir', mode: 0o755 }]);
  });

  describe('recursive attributes and id-mapped mounts', () => {
    const bind = (options: string[], extra: any = {}) => ({
      destination: '/d',
      source: '/host/d',
      options: ['rbind', ...options],
      ...extra,
    });
    const maps = {
      uidMappings: [{ containerID: 0, hostID: 1000, size: 10 }],
      gidMappings: [{ containerID: 0, hostID: 2000, size: 10 }],
    };
    const planOf = (s: any) => buildPlan(input(s)).mounts.find((m) => m.destination === '/d')!;

    it('plans rro/rnosuid as MOUNT_ATTR bits on the mount', () => {
      const s = runcSpec();
      s.mounts.push(bind(['rro', 'rnosuid', 'rnoexec']));
      expect(planOf(s).recAttr).toEqual({ set: 0x1n | 0x2n | 0x8n, clr: 0n });
    });

    it('plans no recursive attributes when none are asked for', () => {
      const s = runcSpec();
      s.mounts.push(bind(['ro', 'nosuid']));
      expect(planOf(s).recAttr).toBeUndefined();
      expect(planOf(s).idmap).toBeUndefined();
    });

    it('keeps recursive attributes of a cgroup mount on its top mount only', () => {
      const s = runcSpec();
      s.mounts.find((m: any) => m.type === 'cgroup').options.push('rnoexec');
      const cg = buildPlan(input(s)).mounts.filter((m) => m.destination.startsWith('/sys/fs/cgroup'));
      expect(cg.map((m) => m.recAttr)).toEqual([{ set: 0x8n, clr: 0n }, undefined, undefined]);
    });

    it("takes the mount's own mappings for idmap", () => {
      const s = runcSpec();
      s.mounts.push(bind(['idmap'], maps));
      expect(planOf(s).idmap).toEqual({ recursive: false, joinedUserns: false, ...maps });
    });

    it("takes the container's mappings for ridmap without mappings in a new user namespace", () => {
      const s = runcSpec();
      s.linux.namespaces.push({ type: 'user' });
      s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
      s.mounts.push(bind(['ridmap']));
      expect(planOf(s).idmap).toEqual({
        recursive: true,
        joinedUserns: false,
        uidMappings: s.linux.uidMappings,
        gidMappings: s.linux.gidMappings,
      });
    });

    it('uses a joined user namespace for idmap without mappings', () => {
      const s = runcSpec();
      s.linux.namespaces.push({ type: 'user', path: '/proc/1/ns/user' });
      s.mounts.push(bind(['idmap']));
      expect(planOf(s).idmap).toEqual({ recursive: false, joinedUserns: true, uidMappings: [], gidMappings: [] });
    });

    it('prefers the mount mappings to the container ones', () => {
      const s = runcSpec();
      s.linux.namespaces.push({ type: 'user' });
      s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.mounts.push(bind(['idmap'], maps));
      expect(planOf(s).idmap).toMatchObject(maps);
    });
  });

  describe("mounts on and inside /proc (runc's checkProcMount)", () => {
    const withProcMount = (m: any) => {
      const s = runcSpec();
      s.mounts.push(m);
      return s;
    };
    const planned = (s: any, destination: string, over: Partial<BuildInput> = {}) =>
      buildPlan(input(s, over)).mounts.filter((m) => m.destination === destination);
    for (const type of ['tmpfs', 'sysfs', 'mqueue', 'cgroup']) {
      it(`refuses a ${type} on /proc, which would hide /proc/self (runc's init fails on it)`, () => {
        expect(() => buildPlan(input(withProcMount({ destination: '/proc', type, source: type })))).toThrow(
          new RegExp(
            `^config\\.json: mounts\\[7\\]\\.destination: /proc: only a proc filesystem may be mounted there \\(a ${type} is not one\\)$`,
          ),
        );
      });
    }
    it('refuses a tmpfs on /proc however the destination is written', () => {
      expect(() =>
        buildPlan(input(withProcMount({ destination: '/proc/./', type: 'tmpfs', source: 'tmpfs' }))),
      ).toThrow(/^config\.json: mounts\[7\]\.destination: \/proc: only a proc filesystem/);
    });
    it('takes a proc on /proc, and a bind of a procfs', () => {
      expect(planned(runcSpec(), '/proc')).toMatchObject([{ fstype: 'proc' }]);
      const s = withProcMount({ destination: '/proc', type: 'bind', source: '/proc', options: ['rbind'] });
      expect(planned(s, '/proc', { isProcfs: (p) => p === '/proc' })).toMatchObject([
        { fstype: 'proc' },
        { kind: MountKind.Bind, source: '/proc' },
      ]);
    });
    it('refuses a bind of a directory that is not a procfs on /proc', () => {
      const s = withProcMount({ destination: '/proc', type: 'bind', source: '/srv', options: ['rbind'] });
      expect(() => buildPlan(input(s))).toThrow(
        /^config\.json: mounts\[7\]\.destination: \/proc: only a proc filesystem may be mounted there \(\/srv is not one\)$/,
      );
    });
    it('takes a tmpfs inside /proc, as runc 1.1.5 does (its checkProcMount is for binds and other filesystems)', () => {
      expect(
        planned(withProcMount({ destination: '/proc/acpi', type: 'tmpfs', source: 'tmpfs' }), '/proc/acpi'),
      ).toMatchObject([{ fstype: 'tmpfs' }]);
    });
    it("refuses a bind inside /proc but over lxcfs's files", () => {
      const bind = (destination: string) =>
        withProcMount({ destination, type: 'bind', source: '/etc/hostname', options: ['bind'] });
      expect(() => buildPlan(input(bind('/proc/self/attr/exec')))).toThrow(
        /^config\.json: mounts\[7\]\.destination: \/proc\/self\/attr\/exec is inside \/proc: only /,
      );
      expect(planned(bind('/proc/uptime'), '/proc/uptime')).toMatchObject([{ kind: MountKind.Bind }]);
    });
  });

  const rejected: [string, (s: any) => void, RegExp][] = [
    [
      'linux.intelRdt',
      (s) => (s.linux.intelRdt = { closID: 'x' }),
      /^config\.json: linux\.intelRdt: not supported yet$/,
    ],
    [
      'idmap on a tmpfs',
      (s) => s.mounts[4].options.push('idmap'),
      /^config\.json: mounts\[4\]\.options: "idmap": id-mapped mounts are only supported for bind mounts$/,
    ],
    [
      'idmap without mappings or a user namespace',
      (s) => s.mounts.push({ destination: '/d', source: '/d', options: ['rbind', 'ridmap'] }),
      /^config\.json: mounts\[7\]\.options: "ridmap" without uidMappings and gidMappings needs a user namespace in linux\.namespaces to take the mapping from$/,
    ],
    [
      'host sysctl',
      (s) => (s.linux.sysctl = { 'vm.swappiness': '10' }),
      /^config\.json: linux\.sysctl\.vm\.swappiness: is not a namespaced sysctl/,
    ],
    [
      'net sysctl without netns',
      (s) => {
        s.linux.namespaces = s.linux.namespaces.filter((n: any) => n.type !== 'network');
        s.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
      },
      /^config\.json: linux\.sysctl\.net\.ipv4\.ip_forward: requires a network namespace/,
    ],
    [
      'sysctl with ..',
      (s) => (s.linux.sysctl = { 'net..x': '1' }),
      /^config\.json: linux\.sysctl\.net\.\.x: is not a valid sysctl name$/,
    ],
    [
      'mount without type',
      (s) => s.mounts.push({ destination: '/x', source: 'none' }),
      /^config\.json: mounts\[7\]\.type: is required/,
    ],
    [
      'a mount on / (not supported yet; runc 1.1.5 takes it as a new root)',
      (s) => s.mounts.push({ destination: '/', type: 'bind', source: '/srv', options: ['rbind'] }),
      /^config\.json: mounts\[7\]\.destination: a mount on \/ \(runc takes it as the new root for the mounts after it\) is not supported yet$/,
    ],
    [
      'a mount on / written /tmp/..',
      (s) => s.mounts.unshift({ destination: '/tmp/..', type: 'tmpfs', source: 'tmpfs' }),
      /^config\.json: mounts\[0\]\.destination: a mount on \/ /,
    ],
    [
      'kernel.hostname with a uts namespace',
      (s) => (s.linux.sysctl = { 'kernel.hostname': 'x' }),
      /^config\.json: linux\.sysctl\.kernel\.hostname: conflicts with the hostname field/,
    ],
    [
      'a slash-form host sysctl',
      (s) => (s.linux.sysctl = { 'vm/swappiness': '10' }),
      /^config\.json: linux\.sysctl\.vm\/swappiness: is not a namespaced sysctl/,
    ],
  ];
  it("without a mount namespace: no mount clone flag (the runtime's is inherited); --no-pivot refused", () => {
    const s = runcSpec();
    s.linux.namespaces = [{ type: 'pid' }];
    s.linux.maskedPaths = [];
    s.linux.readonlyPaths = [];
    expect(buildPlan(input(s)).cloneFlags & 0x00020000).toBe(0);
    expect(() => buildPlan(input(s, { noPivot: true }))).toThrow(
      /^--no-pivot: needs a mount namespace, and linux\.namespaces has none$/,
    );
  });
  it('takes slash-form sysctl keys as runc does, and passes them on as written', () => {
    const s = runcSpec();
    s.linux.sysctl = { 'net/ipv4/ip_forward': '1', 'net/ipv4/conf/eth0.100/forwarding': '1' };
    expect(buildPlan(input(s)).sysctl).toEqual([
      ['net/ipv4/ip_forward', '1'],
      ['net/ipv4/conf/eth0.100/forwarding', '1'],
    ]);
  });

  it("refuses net.* sysctls when the network namespace joined is the host's", () => {
    const s = runcSpec();
    s.linux.namespaces = s.linux.namespaces.map((n: any) =>
      n.type === 'network' ? { type: 'network', path: '/proc/1/ns/net' } : n,
    );
    s.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
    expect(() => buildPlan(input(s, { isHostNetns: (p) => p === '/proc/1/ns/net' }))).toThrow(
      /^config\.json: linux\.sysctl\.net\.ipv4\.ip_forward: is not allowed in the host's network namespace/,
    );
    expect(buildPlan(input(s, { isHostNetns: () => false })).sysctl).toEqual([['net.ipv4.ip_forward', '1']]);
  });

  for (const [name, mutate, message] of rejected) {
    it(`rejects ${name}`, () => {
      const s = runcSpec();
      mutate(s);
      expect(() => buildPlan(input(s))).toThrow(message);
    });
  }
});

describe('execProcess with --process (runc exec -p)', () => {
  const opts = (process: any): ExecOptions => ({ process, args: [], env: [], additionalGids: [], caps: [] });

  it("a process.json without capabilities gets the container's, as runc's init falls back to them", () => {
    const spec = runcSpec();
    const p = execProcess(spec as Spec, opts({ args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 } }));
    expect(p.capabilities).toEqual(spec.process.capabilities);
    expect(p.capabilities).not.toBe(spec.process.capabilities);
  });

  it('leaves every other missing field unset (no rlimits, env, noNewPrivileges), and keeps given capabilities', () => {
    const spec = runcSpec();
    const given = { args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 }, capabilities: { bounding: ['CAP_KILL'] } };
    expect(execProcess(spec as Spec, opts(given))).toEqual(given);
    const p = execProcess(spec as Spec, opts({ args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 } }));
    expect([p.rlimits, p.env, p.noNewPrivileges, p.apparmorProfile]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
