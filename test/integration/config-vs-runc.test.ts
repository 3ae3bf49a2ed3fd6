// Config variations through minirun and runc on the same bundle: the same
// output and exit status for each, nothing left behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, Sandbox, uniqueId, type Config } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

interface Case {
  name: string;
  args: string[];
  mutate?: (c: Config, sb: Sandbox) => void;
}

const cases: Case[] = [
  { name: 'a non-root user with groups', args: ['/bin/probe', 'ids'], mutate: (c) => (c.process.user = { uid: 1000, gid: 1000, additionalGids: [5, 1234] }) },
  { name: 'HOME from /etc/passwd', args: ['sh', '-c', 'echo $HOME'], mutate: (c) => (c.process.user = { uid: 0, gid: 0 }) },
  { name: 'an explicit HOME wins', args: ['sh', '-c', 'echo $HOME'], mutate: (c) => c.process.env.push('HOME=/somewhere') },
  { name: 'duplicate env keys: the last wins', args: ['/bin/probe', 'env'], mutate: (c) => c.process.env.push('A=1', 'B=2', 'A=3') },
  { name: 'umask', args: ['/bin/probe', 'umask'], mutate: (c) => (c.process.user.umask = 0o077) },
  { name: 'rlimits', args: ['/bin/probe', 'rlimits'], mutate: (c) => c.process.rlimits.push({ type: 'RLIMIT_NPROC', soft: 100, hard: 200 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }) },
  { name: 'caps of a non-root user with ambient', args: ['/bin/probe', 'caps'], mutate: (c) => {
    c.process.user = { uid: 1000, gid: 1000 };
    c.process.capabilities.inheritable = ['CAP_KILL'];
  } },
  { name: 'no capabilities section (root keeps its caps)', args: ['/bin/probe', 'caps'], mutate: (c) => delete c.process.capabilities },
  { name: 'noNewPrivileges off', args: ['/bin/probe', 'caps'], mutate: (c) => (c.process.noNewPrivileges = false) },
  { name: 'a cwd that does not exist yet', args: ['/bin/probe', 'cwd'], mutate: (c) => (c.process.cwd = '/work/dir') },
  { name: 'hostname', args: ['/bin/probe', 'hostname'], mutate: (c) => (c.hostname = 'box') },
  { name: 'a namespaced sysctl', args: ['cat', '/proc/sys/net/ipv4/ip_forward', '/proc/sys/kernel/shmmni'], mutate: (c) => (c.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmni': '2048' }) },
  { name: 'a read-only bind mount', args: ['sh', '-c', 'cat /data/file; echo x > /data/new; echo status=$?'], mutate: (c, sb) => {
    const src = path.join(sb.dir, 'data');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'file'), 'from the host\n');
    c.mounts.push({ destination: '/data', type: 'bind', source: src, options: ['rbind', 'ro'] });
  } },
  { name: 'a file bind mount', args: ['cat', '/etc/motd'], mutate: (c, sb) => {
    fs.writeFileSync(path.join(sb.dir, 'motd'), 'welcome\n');
    c.mounts.push({ destination: '/etc/motd', type: 'bind', source: path.join(sb.dir, 'motd'), options: ['bind'] });
  } },
  { name: 'mount options and propagation', args: ['/bin/probe', 'mounts'], mutate: (c) => {
    c.mounts.push({ destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'size=1m', 'mode=700', 'rprivate'] });
    c.mounts.push({ destination: '/scratch-ro', type: 'tmpfs', source: 'tmpfs', options: ['ro', 'size=1m'] });
  } },
  { name: 'a writable root', args: ['sh', '-c', 'touch /newfile && echo ok && rm /newfile'], mutate: (c) => (c.root.readonly = false) },
  { name: 'extra devices', args: ['ls', '-l', '/dev/fuse', '/dev/loop-control'], mutate: (c) => (c.linux.devices = [
    { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 },
    { path: '/dev/loop-control', type: 'c', major: 10, minor: 237, fileMode: 0o660, uid: 0, gid: 6 },
  ]) },
  { name: 'a device not in the allow list', args: ['sh', '-c', 'mknod /tmp/sda b 8 0 && head -c 1 /tmp/sda >/dev/null; echo status=$?'], mutate: (c) => (c.root.readonly = false) },
  { name: 'no pid namespace', args: ['sh', '-c', 'test $$ -ne 1 && echo not-pid-1'], mutate: (c) => (c.linux.namespaces = c.linux.namespaces.filter((n: Config) => n.type !== 'pid')) },
  { name: 'a cgroup namespace', args: ['sh', '-c', 'cat /proc/self/cgroup; ls /sys/fs/cgroup'], mutate: (c) => c.linux.namespaces.push({ type: 'cgroup' }) },
  { name: 'joining the host uts namespace by path', args: ['sh', '-c', 'test "$(hostname)" = "$HOST_NAME" && echo same'], mutate: (c) => {
    delete c.hostname;
    c.linux.namespaces = c.linux.namespaces.map((n: Config) => (n.type === 'uts' ? { type: 'uts', path: '/proc/1/ns/uts' } : n));
    c.process.env.push(`HOST_NAME=${fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim()}`);
  } },
  { name: 'a user namespace', args: ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id'], mutate: (c) => {
    c.linux.namespaces.push({ type: 'user' });
    c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    c.mounts = c.mounts.filter((m: Config) => m.type !== 'cgroup');
    c.mounts.find((m: Config) => m.destination === '/sys').options = ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'];
    c.mounts.find((m: Config) => m.destination === '/sys').type = 'bind';
    c.mounts.find((m: Config) => m.destination === '/sys').source = '/sys';
  } },
  { name: 'no-pivot', args: ['sh', '-c', 'ls /; cat /proc/self/mountinfo | wc -l'] },
  { name: 'oomScoreAdj', args: ['cat', '/proc/self/oom_score_adj'], mutate: (c) => (c.process.oomScoreAdj = 500) },
  { name: 'rootfsPropagation', args: ['sh', '-c', 'grep " / / " /proc/self/mountinfo | cut -d" " -f7-'], mutate: (c) => (c.linux.rootfsPropagation = 'rslave') },
  { name: 'a relative args[0] found through PATH', args: ['probe', 'cwd'] },
  { name: 'an absolute args[0] that is a directory', args: ['/bin'] },
];

// Deliberate differences from runc 1.1.5, each with its reason.
suite('deliberate differences from runc 1.1.5', () => {
  let sb: Sandbox;
  let pristine: Config;
  beforeAll(async () => {
    sb = await Sandbox.create(['/bin/probe', 'hostname']);
    pristine = sb.config();
  });
  afterEach(() => sb.setConfig(structuredClone(pristine)));
  afterAll(() => sb?.cleanup());

  it('domainname is set (runtime-spec 1.0.2+; runc 1.1.5 ignores the field)', () => {
    sb.edit((c) => (c.domainname = 'example.org'));
    const { runc, minirun } = sb.runBoth();
    expect(runc.stdout).toBe('hostname runc\ndomainname (none)\n');
    expect(minirun.stdout).toBe('hostname runc\ndomainname example.org\n');
  });

  it('personality, scheduler, ioPriority and execCPUAffinity are applied (runc 1.1.5 ignores them)', () => {
    sb.edit((c) => {
      c.linux.personality = { domain: 'LINUX32' };
      c.process.scheduler = { policy: 'SCHED_BATCH', nice: 5 };
      c.process.ioPriority = { class: 'IOPRIO_CLASS_IDLE', priority: 0 };
      c.process.execCPUAffinity = { final: '0' };
      c.process.args = ['sh', '-c', 'uname -m; /bin/probe sched'];
    });
    const { runc, minirun } = sb.runBoth();
    expect(runc.stdout).toMatch(/^x86_64\npolicy 0\n/);
    expect(minirun.stdout).toBe('i686\npolicy 3\nioprio class 3 level 0\ncpus 0\n');
  });

  it('linux.timeOffsets are written into the new time namespace (runc 1.1.5 has no time namespaces)', () => {
    sb.edit((c) => {
      c.linux.namespaces.push({ type: 'time' });
      c.linux.timeOffsets = { monotonic: { secs: 86400, nanosecs: 5 }, boottime: { secs: -60, nanosecs: 0 } };
      c.process.args = ['cat', '/proc/self/timens_offsets'];
    });
    const r = sb.minirun(['run', uniqueId('tns')]);
    expect(r.stdout.replace(/ +/g, ' ')).toBe('monotonic 86400 5\nboottime -60 0\n');
  });

  it('a time namespace is created (runtime-spec 1.2; runc 1.1.5 does not know the type)', () => {
    sb.edit((c) => {
      c.linux.namespaces.push({ type: 'time' });
      c.process.args = ['sh', '-c', 'readlink /proc/self/ns/time; readlink /proc/1/ns/time_for_children'];
    });
    const { runc, minirun } = sb.runBoth();
    expect(runc.code).toBe(1);
    expect(minirun.code).toBe(0);
    const [mine, forChildren] = minirun.stdout.trim().split('\n');
    expect(mine).toBe(forChildren);
    expect(mine).not.toBe(fs.readlinkSync('/proc/self/ns/time'));
  });
});

suite('config variations match runc', () => {
  let sb: Sandbox;
  let pristine: Config;
  beforeAll(async () => {
    sb = await Sandbox.create();
    pristine = sb.config();
  });
  afterEach(() => sb.setConfig(structuredClone(pristine)));
  afterAll(() => sb?.cleanup());

  for (const c of cases) {
    it(c.name, () => {
      sb.edit((cfg) => {
        cfg.process.args = c.args;
        c.mutate?.(cfg, sb);
      });
      const noPivot = c.name === 'no-pivot' ? ['--no-pivot'] : [];
      const id = `cfg-${process.pid}-${cases.indexOf(c)}`;
      const runc = sb.runc(['run', ...noPivot, `${id}-r`]);
      const minirun = sb.minirun(['run', ...noPivot, `${id}-m`]);
      expect(minirun.stdout).toBe(runc.stdout);
      expect(minirun.code).toBe(runc.code);
      if (runc.code === 0) expect(minirun.stderr).toBe(runc.stderr);
      else expect(minirun.stderr).toMatch(/^minirun: /);
      expect(sb.residue()).toEqual([]);
    });
  }
});
