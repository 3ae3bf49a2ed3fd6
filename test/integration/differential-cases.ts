// The differential table: each case is a config.json mutation, a process (the
// fixture's /bin/probe or busybox) and a lifecycle script, run through runc
// and minirun on the same bundle; differential.test.ts compares the
// normalised results step by step. DELIBERATE lists the cases where minirun
// differs from runc 1.1.5 on purpose, each with its reason and what each
// runtime does, and the test checks that they still differ that way.
// (This table took over the cases of config-vs-runc.test.ts and
// run-vs-runc.test.ts.)
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config, Sandbox } from './harness';

/** What a case may use while it builds its config: one per runtime. */
export interface Ctx {
  /** the container id for this runtime */
  id: string;
  runtime: 'runc' | 'minirun';
  sb: Sandbox;
  /** a path in the sandbox dir of this runtime's own ("hooks-runc") */
  own(name: string): string;
}

/**
 * A step: runtime arguments ("ID" stands for the container id), or a shell
 * command on the host (with $ID, $DIR and $OWN = ctx.own('out') set), or a
 * wait until `state` says stopped.
 */
export type Step = string[] | { host: string } | { wait: 'stopped' } | { input: string; args: string[] };

export interface Case {
  name: string;
  /** process.args; default: the case's script decides, else probe pause */
  args?: string[];
  mutate?: (c: Config, ctx: Ctx) => void;
  /** default: [['run', 'ID']] */
  script?: Step[];
}

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What one runtime does in a deliberate case (its last step). */
export interface Expected {
  code?: number;
  stdout?: string | RegExp;
  stderr?: RegExp;
}

export interface Deliberate extends Case {
  reason: string;
  runc: Expected;
  minirun: Expected;
}

const withoutNs = (c: Config, type: string) =>
  (c.linux.namespaces = c.linux.namespaces.filter((n: Config) => n.type !== type));
// The test process's own namespaces are the host's (pid 1's cannot be opened here).
const hostNs = (type: string) => `/proc/${process.pid}/ns/${type}`;

/** Namespaces that are not the host's, each held by a sleeping process (for joining by path). */
const spares = new Map<string, ChildProcess>();
function spareNs(type: 'uts' | 'mnt', key: string): string {
  let p = spares.get(key);
  if (!p)
    spares.set(
      key,
      (p = spawn('unshare', [type === 'uts' ? '--uts' : '--mount', 'sleep', '600'], { stdio: 'ignore' })),
    );
  for (let i = 0; i < 200; i++) {
    try {
      if (fs.readlinkSync(`/proc/${p.pid}/ns/${type}`) !== fs.readlinkSync(`/proc/self/ns/${type}`))
        return `/proc/${p.pid}/ns/${type}`;
    } catch {
      // not started yet
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
  throw new Error(`unshare for a ${type} namespace did not start`);
}
/** One uts namespace for every case that joins one. */
export const spareUtsNs = (): string => spareNs('uts', 'uts');
/** A mount namespace per owner: a runtime pivots into the one it joins. */
export const spareMountNs = (owner: string): string => spareNs('mnt', `mnt-${owner}`);
export function stopSpares(): void {
  for (const p of spares.values()) p.kill('SIGKILL');
  spares.clear();
}
/** A hook that appends its name and the state it got on stdin to ctx.own('hooks'). */
const hook = (ctx: Ctx, name: string, extra = '') => ({
  path: '/bin/sh',
  args: ['sh', '-c', `{ echo ${name}; cat; echo; ${extra} } >> ${ctx.own('hooks')}`],
});
/** startContainer runs inside the container after pivot_root: it writes in there, and is not listed on the host. */
const hooks = (ctx: Ctx, names = ['prestart', 'createRuntime', 'createContainer', 'poststop']) => ({
  ...Object.fromEntries(names.map((h) => [h, [hook(ctx, h)]])),
  startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'cat > /dev/null'] }],
});
const userns = (c: Config) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.mounts = c.mounts.filter((m: Config) => m.type !== 'cgroup');
  const sys = c.mounts.find((m: Config) => m.destination === '/sys');
  Object.assign(sys, { type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
};
const seccomp =
  (rules: Config[], defaultAction = 'SCMP_ACT_ALLOW') =>
  (c: Config) =>
    (c.linux.seccomp = { defaultAction, architectures: ['SCMP_ARCH_X86_64'], syscalls: rules });
const resources = (r: Config) => (c: Config) => (c.linux.resources = { ...c.linux.resources, ...r });
const cg = (file: string) => `cat /sys/fs/cgroup/${file}`;

export const CASES: Case[] = [
  // --- the process ---
  { name: 'process: id', args: ['id'] },
  { name: 'process: probe ids', args: ['/bin/probe', 'ids'] },
  { name: 'process: pid 1', args: ['sh', '-c', 'echo $$'] },
  { name: 'process: env', args: ['/bin/probe', 'env'] },
  {
    name: 'process: duplicate env keys, the last wins',
    args: ['/bin/probe', 'env'],
    mutate: (c) => c.process.env.push('A=1', 'B=2', 'A=3'),
  },
  { name: 'process: HOME from /etc/passwd', args: ['sh', '-c', 'echo $HOME'] },
  {
    name: 'process: an explicit HOME wins',
    args: ['sh', '-c', 'echo $HOME'],
    mutate: (c) => c.process.env.push('HOME=/somewhere'),
  },
  { name: 'process: cwd /', args: ['/bin/probe', 'cwd'] },
  {
    name: 'process: a cwd that does not exist yet',
    args: ['/bin/probe', 'cwd'],
    mutate: (c) => (c.process.cwd = '/work/dir'),
  },
  { name: 'process: default umask', args: ['/bin/probe', 'umask'] },
  { name: 'process: umask 077', args: ['/bin/probe', 'umask'], mutate: (c) => (c.process.user.umask = 0o077) },
  { name: 'process: fds', args: ['/bin/probe', 'fds'] },
  {
    name: 'process: stdin is copied in',
    args: ['sh', '-c', 'read line; echo "got $line"'],
    script: [{ input: 'hello\n', args: ['run', 'ID'] }],
  },
  { name: 'process: stderr stays separate', args: ['sh', '-c', 'echo out; echo err >&2'] },
  { name: 'process: exit 7', args: ['/bin/probe', 'exit', '7'] },
  {
    name: 'process: a uid of 2^32-1 (setresuid would leave root) is refused',
    args: ['id'],
    mutate: (c) => (c.process.user = { uid: 4294967295, gid: 4294967295 }),
  },
  { name: 'process: no gid is gid 0', args: ['id'], mutate: (c) => (c.process.user = { uid: 1000 }) },
  {
    name: 'process: repeated additionalGids count once',
    args: ['id'],
    mutate: (c) => (c.process.user = { uid: 0, gid: 0, additionalGids: [7, 5, 7] }),
  },
  {
    name: 'process: a cwd only root may enter, as uid 1000',
    args: ['sh', '-c', 'pwd; id -u'],
    mutate: (c) => {
      c.process.user = { uid: 1000, gid: 1000 };
      c.process.cwd = '/root';
    },
  },
  {
    name: 'process: args[0] found through a relative PATH entry is refused',
    args: ['sh', '-c', 'echo ran'],
    mutate: (c) => {
      c.process.env = ['PATH=bin'];
      c.process.cwd = '/';
    },
  },
  {
    name: 'process: no PATH, args[0] is not searched for',
    args: ['sh', '-c', 'echo ran'],
    mutate: (c) => {
      c.process.env = [];
      c.process.cwd = '/bin';
    },
  },
  { name: 'process: pid 1 ignores TERM it sends itself', args: ['sh', '-c', 'kill -TERM $$; echo survived'] },
  { name: 'process: killed by a signal', args: ['sh', '-c', 'trap - TERM; sleep 5 & kill -KILL $$'] },
  { name: 'process: a child killed by a signal', args: ['sh', '-c', '/bin/probe kill 15; echo "status $?"'] },
  { name: 'process: a relative args[0] found through PATH', args: ['probe', 'cwd'] },
  { name: 'process: a missing program', args: ['no-such-program'] },
  { name: 'process: an absolute args[0] that is a directory', args: ['/bin'] },
  { name: 'process: a program without exec permission', args: ['/etc/passwd'] },
  {
    name: 'process: oomScoreAdj',
    args: ['cat', '/proc/self/oom_score_adj'],
    mutate: (c) => (c.process.oomScoreAdj = 500),
  },
  { name: 'process: /proc/self/exe is not writable', args: ['/bin/probe', 'exe'] },
  { name: 'process: session keyring', args: ['/bin/probe', 'keyring'] },
  { name: 'process: no new keyring', args: ['/bin/probe', 'keyring'], script: [['run', '--no-new-keyring', 'ID']] },

  // --- users ---
  {
    name: 'users: a non-root user with groups',
    args: ['/bin/probe', 'ids'],
    mutate: (c) => (c.process.user = { uid: 1000, gid: 1000, additionalGids: [5, 1234] }),
  },
  {
    name: 'users: /etc/passwd masked with /dev/null reads as empty',
    args: ['sh', '-c', 'echo HOME=$HOME'],
    mutate: (c) => c.mounts.push({ destination: '/etc/passwd', type: 'bind', source: '/dev/null', options: ['bind'] }),
  },
  {
    name: 'users: a uid not in /etc/passwd',
    args: ['sh', '-c', '/bin/probe ids; echo "HOME=$HOME"'],
    mutate: (c) => (c.process.user = { uid: 4242, gid: 4242 }),
  },
  {
    name: 'users: a non-root user cannot write /etc',
    args: ['/bin/probe', 'write', '/etc/x', 'y'],
    mutate: (c) => {
      c.root.readonly = false;
      c.process.user = { uid: 1000, gid: 1000 };
    },
  },
  {
    name: 'users: a user namespace with mappings',
    args: ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; /bin/probe ids; /bin/probe caps'],
    mutate: userns,
  },

  // --- capabilities ---
  { name: 'caps: the default set', args: ['/bin/probe', 'caps'] },
  {
    name: 'caps: a non-root user with ambient',
    args: ['/bin/probe', 'caps'],
    mutate: (c) => {
      c.process.user = { uid: 1000, gid: 1000 };
      c.process.capabilities.inheritable = ['CAP_KILL'];
      c.process.capabilities.ambient = ['CAP_KILL'];
    },
  },
  { name: 'caps: no capabilities section', args: ['/bin/probe', 'caps'], mutate: (c) => delete c.process.capabilities },
  {
    name: 'caps: bounding only',
    args: ['/bin/probe', 'caps'],
    mutate: (c) => (c.process.capabilities = { bounding: ['CAP_CHOWN', 'CAP_NET_RAW'] }),
  },
  {
    name: 'caps: noNewPrivileges off',
    args: ['/bin/probe', 'caps'],
    mutate: (c) => (c.process.noNewPrivileges = false),
  },
  {
    name: 'caps: without CAP_CHOWN chown fails',
    args: ['sh', '-c', 'touch /tmp/f; chown 5 /tmp/f; echo "status $?"'],
    mutate: (c) => {
      c.root.readonly = false;
      for (const k of ['bounding', 'effective', 'permitted'])
        c.process.capabilities[k] = c.process.capabilities[k].filter((x: string) => x !== 'CAP_CHOWN');
    },
  },
  {
    name: "caps: CAP_SYS_RESOURCE (missing from this host's bounding set)",
    args: ['/bin/probe', 'caps'],
    mutate: (c) => c.process.capabilities.bounding.push('CAP_SYS_RESOURCE'),
  },

  // --- rlimits ---
  { name: 'rlimits: the default', args: ['/bin/probe', 'rlimits'] },
  {
    name: 'rlimits: NPROC and CORE',
    args: ['/bin/probe', 'rlimits'],
    mutate: (c) =>
      c.process.rlimits.push({ type: 'RLIMIT_NPROC', soft: 100, hard: 200 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }),
  },
  {
    name: 'rlimits: NOFILE lowered',
    args: ['sh', '-c', 'ulimit -n; ulimit -Hn'],
    mutate: (c) => (c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 64, hard: 128 }]),
  },
  {
    name: "rlimits: a hard limit above the host's",
    args: ['/bin/probe', 'rlimits'],
    mutate: (c) => (c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1 << 30 }]),
  },

  // --- namespaces ---
  { name: 'ns: the default set', args: ['/bin/probe', 'ns'] },
  {
    name: 'ns: no pid namespace',
    args: ['sh', '-c', 'test $$ -ne 1 && echo not-pid-1; /bin/probe ns'],
    mutate: (c) => withoutNs(c, 'pid'),
  },
  { name: 'ns: no network namespace', args: ['/bin/probe', 'ns'], mutate: (c) => withoutNs(c, 'network') },
  { name: 'ns: no ipc namespace', args: ['/bin/probe', 'ns'], mutate: (c) => withoutNs(c, 'ipc') },
  {
    name: 'ns: a cgroup namespace',
    args: ['sh', '-c', 'cat /proc/self/cgroup; ls /sys/fs/cgroup; /bin/probe ns'],
    mutate: (c) => c.linux.namespaces.push({ type: 'cgroup' }),
  },
  {
    name: 'ns: joining the host uts namespace by path',
    args: ['sh', '-c', 'test "$(hostname)" = "$HOST_NAME" && echo same'],
    mutate: (c) => {
      delete c.hostname;
      c.linux.namespaces = c.linux.namespaces.map((n: Config) =>
        n.type === 'uts' ? { type: 'uts', path: hostNs('uts') } : n,
      );
      c.process.env.push(`HOST_NAME=${fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim()}`);
    },
  },
  // runtime-spec: a namespace joined by path is the container's; runc sets the hostname there
  {
    name: 'ns: a hostname in a uts namespace joined by path',
    args: ['/bin/probe', 'hostname'],
    mutate: (c) =>
      (c.linux.namespaces = c.linux.namespaces.map((n: Config) =>
        n.type === 'uts' ? { type: 'uts', path: spareUtsNs() } : n,
      )),
  },
  // runc's behaviour: the rootfs is set up and pivoted into inside the joined mount namespace
  {
    name: 'ns: joining a mount namespace by path',
    args: ['sh', '-c', 'ls /; grep -c . /proc/self/mountinfo'],
    mutate: (c, ctx) =>
      (c.linux.namespaces = c.linux.namespaces.map((n: Config) =>
        n.type === 'mount' ? { type: 'mount', path: spareMountNs(`${ctx.runtime}-${ctx.id}`) } : n,
      )),
  },
  {
    name: 'ns: joining the host network namespace by path',
    args: ['/bin/probe', 'ns'],
    mutate: (c) =>
      (c.linux.namespaces = c.linux.namespaces.map((n: Config) =>
        n.type === 'network' ? { type: 'network', path: hostNs('net') } : n,
      )),
  },
  { name: 'ns: hostname', args: ['/bin/probe', 'hostname'], mutate: (c) => (c.hostname = 'box') },
  {
    name: 'ns: a namespaced sysctl',
    args: ['cat', '/proc/sys/net/ipv4/ip_forward', '/proc/sys/kernel/shmmni'],
    mutate: (c) => (c.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmni': '2048' }),
  },
  {
    name: "ns: a sysctl of the host's namespace (refused)",
    args: ['true'],
    mutate: (c) => (c.linux.sysctl = { 'kernel.pid_max': '100000' }),
  },
  {
    name: 'ns: a slash-form sysctl key',
    args: ['cat', '/proc/sys/net/ipv4/ip_forward'],
    mutate: (c) => (c.linux.sysctl = { 'net/ipv4/ip_forward': '1' }),
  },
  {
    name: 'ns: kernel.hostname conflicts with hostname (refused)',
    args: ['hostname'],
    mutate: (c) => (c.linux.sysctl = { 'kernel.hostname': 'other' }),
  },
  {
    name: "ns: a net sysctl in the host's network namespace, joined by path (refused)",
    args: ['true'],
    mutate: (c) => {
      c.linux.namespaces = c.linux.namespaces.map((n: Config) =>
        n.type === 'network' ? { type: 'network', path: hostNs('net') } : n,
      );
      // the host's own value: nothing changes should a runtime write it
      c.linux.sysctl = {
        'net.ipv4.tcp_keepalive_time': fs.readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8').trim(),
      };
    },
  },

  // --- mounts ---
  { name: 'mounts: the default set', args: ['/bin/probe', 'mounts'] },
  {
    name: 'mounts: what is in /dev',
    args: ['sh', '-c', 'stat -c "%N %A %U %G %t:%T" /dev/* /dev/pts/* /dev/shm /dev/mqueue'],
  },
  { name: 'mounts: a read-only root', args: ['/bin/probe', 'write', '/newfile', 'x'] },
  {
    name: 'mounts: a bind over /proc/self/attr/exec (refused, CVE-2019-16884)',
    args: ['true'],
    mutate: (c) =>
      c.mounts.push({ destination: '/proc/self/attr/exec', type: 'bind', source: '/dev/null', options: ['bind'] }),
  },
  {
    name: 'mounts: a bind over /proc/sys (refused)',
    args: ['true'],
    mutate: (c, ctx) =>
      c.mounts.push({ destination: '/proc/sys', type: 'bind', source: ctx.sb.dir, options: ['rbind'] }),
  },
  {
    name: "mounts: a bind over /proc/uptime (lxcfs's, allowed)",
    args: ['cat', '/proc/uptime'],
    mutate: (c) =>
      c.mounts.push({ destination: '/proc/uptime', type: 'bind', source: '/etc/hostname', options: ['bind', 'ro'] }),
  },
  {
    name: 'mounts: a bind of a non-proc directory at /proc (refused)',
    args: ['true'],
    mutate: (c, ctx) => {
      c.mounts = c.mounts.filter((m: Config) => m.destination !== '/proc');
      c.mounts.push({ destination: '/proc', type: 'bind', source: ctx.sb.dir, options: ['rbind'] });
    },
  },
  {
    name: "mounts: the host's /proc bound at /proc (allowed)",
    args: ['sh', '-c', 'test -e /proc/self/status && echo proc'],
    mutate: (c) => {
      c.mounts = c.mounts.filter((m: Config) => m.destination !== '/proc');
      c.linux.namespaces = c.linux.namespaces.filter((n: Config) => n.type !== 'pid');
      c.mounts.push({ destination: '/proc', type: 'bind', source: '/proc', options: ['rbind'] });
    },
  },
  {
    name: 'mounts: a bind reaching /proc through a symlink in the rootfs (refused)',
    args: ['true'],
    mutate: (c) =>
      c.mounts.push({ destination: '/lnk-attr/exec', type: 'bind', source: '/dev/null', options: ['bind'] }),
    script: [
      { host: 'ln -sfn /proc/self/attr "$DIR/bundle/rootfs/lnk-attr"' },
      ['run', 'ID'],
      { host: 'rm -f "$DIR/bundle/rootfs/lnk-attr"' },
    ],
  },
  {
    name: 'mounts: destinations through dangling symlinks are created where they point, inside the rootfs',
    args: ['sh', '-c', 'grep -E " /(nothere|nothere-file|escaped)" /proc/self/mountinfo | cut -d" " -f5'],
    mutate: (c) =>
      c.mounts.push(
        { destination: '/lnk', type: 'tmpfs', source: 'tmpfs' },
        { destination: '/lnkf', type: 'bind', source: '/etc/hostname', options: ['bind'] },
        { destination: '/esc/sub', type: 'tmpfs', source: 'tmpfs' },
      ),
    script: [
      {
        host: 'cd "$DIR/bundle/rootfs" && rm -rf nothere nothere-file escaped && ln -sfn /nothere lnk && ln -sfn /nothere-file lnkf && ln -sfn /../../../../escaped esc',
      },
      ['run', 'ID'],
      {
        host: 'cd "$DIR/bundle/rootfs" && ls -d nothere nothere-file escaped; test ! -e /escaped && echo "host untouched"; rm -rf lnk lnkf esc nothere nothere-file escaped',
      },
    ],
  },
  // runc 1.1.5 mounts a tmpfs, sysfs or mqueue on /proc without its checkProcMount; its init then fails without /proc/self
  {
    name: 'mounts: a tmpfs on /proc (refused)',
    args: ['true'],
    mutate: (c) => c.mounts.push({ destination: '/proc', type: 'tmpfs', source: 'tmpfs' }),
  },
  {
    name: 'mounts: a sysfs on /proc/ (refused)',
    args: ['true'],
    mutate: (c) => c.mounts.push({ destination: '/proc/', type: 'sysfs', source: 'sysfs' }),
  },
  {
    name: 'mounts: a tmpfs reaching /proc through a symlink in the rootfs (refused)',
    args: ['true'],
    mutate: (c) => c.mounts.push({ destination: '/lnk-proc', type: 'tmpfs', source: 'tmpfs' }),
    script: [
      { host: 'ln -sfn /proc "$DIR/bundle/rootfs/lnk-proc"' },
      ['run', 'ID'],
      { host: 'rm -f "$DIR/bundle/rootfs/lnk-proc"' },
    ],
  },
  {
    name: 'mounts: a tmpfs inside /proc (allowed, as runc 1.1.5)',
    args: ['sh', '-c', 'grep " /proc/driver " /proc/self/mountinfo | cut -d" " -f5,9'],
    mutate: (c) => c.mounts.push({ destination: '/proc/driver', type: 'tmpfs', source: 'tmpfs' }),
  },
  // runc 1.1.5 takes a mount on / as the new root (see DELIBERATE); after /proc it hides /proc and runc's init fails
  {
    name: 'mounts: a tmpfs on / after /proc (refused)',
    args: ['true'],
    mutate: (c) => c.mounts.push({ destination: '/', type: 'tmpfs', source: 'tmpfs' }),
  },
  {
    name: 'mounts: a tmpfs on / reached through a symlink in the rootfs (refused)',
    args: ['true'],
    mutate: (c) => c.mounts.push({ destination: '/lnk-root', type: 'tmpfs', source: 'tmpfs' }),
    script: [
      { host: 'ln -sfn .. "$DIR/bundle/rootfs/lnk-root"' },
      ['run', 'ID'],
      { host: 'rm -f "$DIR/bundle/rootfs/lnk-root"' },
    ],
  },
  // runc's validator: root.path, joined onto the bundle as runc's os.Getwd names it, must have no symlink on the way
  {
    name: 'root: root.path a symlink (refused)',
    args: ['true'],
    mutate: (c, ctx) => {
      fs.symlinkSync(path.join(ctx.sb.bundle, 'rootfs'), ctx.own('rootfs'));
      c.root.path = ctx.own('rootfs');
    },
  },
  {
    name: 'root: root.path through a symlinked directory (refused)',
    args: ['true'],
    mutate: (c, ctx) => {
      fs.symlinkSync(ctx.sb.bundle, ctx.own('bundle'));
      c.root.path = path.join(ctx.own('bundle'), 'rootfs');
    },
  },
  {
    name: 'root: a relative root.path in a bundle named through a symlink (allowed)',
    args: ['sh', '-c', 'echo ran'],
    mutate: (c, ctx) => fs.symlinkSync(ctx.sb.bundle, ctx.own('bundle')),
    script: [['run', '--bundle', '${OWN}bundle', 'ID']],
  },
  {
    name: 'mounts: rprivate root propagation with --no-pivot (refused)',
    args: ['true'],
    mutate: (c) => (c.linux.rootfsPropagation = 'rprivate'),
    script: [['run', '--no-pivot', 'ID']],
  },
  {
    name: 'devices: setuid and setgid bits of fileMode are dropped, sticky kept',
    args: ['sh', '-c', 'ls -l /dev/xfifo | cut -c1-10'],
    mutate: (c) => (c.linux.devices = [{ path: '/dev/xfifo', type: 'p', fileMode: 0o7777 }]),
  },
  {
    name: 'mounts: a writable root',
    args: ['sh', '-c', 'touch /newfile && echo ok && rm /newfile'],
    mutate: (c) => (c.root.readonly = false),
  },
  {
    name: 'mounts: a read-only bind mount',
    args: ['sh', '-c', 'cat /data/file; /bin/probe write /data/new x'],
    mutate: (c, ctx) => {
      const src = path.join(ctx.sb.dir, 'data');
      fs.mkdirSync(src, { recursive: true });
      fs.writeFileSync(path.join(src, 'file'), 'from the host\n');
      c.mounts.push({ destination: '/data', type: 'bind', source: src, options: ['rbind', 'ro'] });
    },
  },
  {
    name: 'mounts: a file bind mount',
    args: ['cat', '/etc/motd'],
    mutate: (c, ctx) => {
      fs.writeFileSync(path.join(ctx.sb.dir, 'motd'), 'welcome\n');
      c.mounts.push({
        destination: '/etc/motd',
        type: 'bind',
        source: path.join(ctx.sb.dir, 'motd'),
        options: ['bind'],
      });
    },
  },
  {
    name: 'mounts: tmpfs options and propagation',
    args: ['/bin/probe', 'mounts'],
    mutate: (c) => {
      c.mounts.push({
        destination: '/scratch',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'noexec', 'size=1m', 'mode=700', 'rprivate'],
      });
      c.mounts.push({ destination: '/scratch-ro', type: 'tmpfs', source: 'tmpfs', options: ['ro', 'size=1m'] });
    },
  },
  {
    name: 'mounts: tmpcopyup keeps what was under the tmpfs',
    args: [
      'sh',
      '-c',
      'stat -c "%n %A %u %g %s" /etc/* /etc; head -1 /etc/passwd; [ $(stat -c %Y /etc/group) -gt 946684800 ] && echo "mtime: copy time" || echo "mtime: kept"; echo x > /etc/new && echo writable',
    ],
    mutate: (c, ctx) => {
      fs.utimesSync(path.join(ctx.sb.bundle, 'rootfs/etc/group'), 946684800, 946684800);
      c.mounts.push({ destination: '/etc', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'tmpcopyup'] });
    },
  },
  {
    name: 'mounts: tmpcopyup copies a nested tree, a read-only directory and links too',
    args: [
      'sh',
      '-c',
      'cd /deep-copy && find . | sort && stat -c "%n %a %u" a a/b a/b/c/d/f && cat a/b/c/d/f && readlink a/l',
    ],
    mutate: (c, ctx) => {
      const top = path.join(ctx.sb.bundle, 'rootfs/deep-copy');
      fs.mkdirSync(path.join(top, 'a/b/c/d'), { recursive: true });
      fs.writeFileSync(path.join(top, 'a/b/c/d/f'), 'deep\n');
      fs.rmSync(path.join(top, 'a/l'), { force: true });
      fs.symlinkSync('/nowhere', path.join(top, 'a/l'));
      fs.chownSync(path.join(top, 'a'), 1000, 1000);
      fs.chmodSync(path.join(top, 'a/b'), 0o555);
      c.mounts.push({ destination: '/deep-copy', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup'] });
    },
  },
  {
    name: 'mounts: a nested destination is created',
    args: ['sh', '-c', 'grep " /a/b/c " /proc/self/mountinfo | cut -d" " -f5,6'],
    mutate: (c) => c.mounts.push({ destination: '/a/b/c', type: 'tmpfs', source: 'tmpfs', options: [] }),
  },
  {
    name: 'mounts: a missing bind source',
    args: ['true'],
    mutate: (c, ctx) =>
      c.mounts.push({ destination: '/data', type: 'bind', source: path.join(ctx.sb.dir, 'nope'), options: ['bind'] }),
  },
  {
    name: 'mounts: rootfsPropagation rslave',
    args: ['sh', '-c', 'grep " / / " /proc/self/mountinfo | cut -d" " -f7-'],
    mutate: (c) => (c.linux.rootfsPropagation = 'rslave'),
  },
  {
    name: "mounts: rootfsPropagation rshared (the container's mounts stay private)",
    args: ['sh', '-c', 'grep -E " /(proc|dev|sys)? " /proc/self/mountinfo | cut -d" " -f5,7-8'],
    mutate: (c) => (c.linux.rootfsPropagation = 'rshared'),
  },
  {
    name: 'mounts: rootfsPropagation shared',
    args: ['sh', '-c', 'grep -E " /(proc|dev|sys)? " /proc/self/mountinfo | cut -d" " -f5,7-8'],
    mutate: (c) => (c.linux.rootfsPropagation = 'shared'),
  },
  {
    name: 'mounts: rootfsPropagation unbindable (the rootfs bind fails)',
    args: ['true'],
    mutate: (c) => (c.linux.rootfsPropagation = 'unbindable'),
  },
  {
    name: 'mounts: --no-pivot',
    args: ['sh', '-c', 'ls /; /bin/probe mounts | wc -l'],
    script: [['run', '--no-pivot', 'ID']],
  },
  {
    // runc's no_pivot.bats: the host's full /proc is hidden, so no new procfs may be mounted
    name: 'mounts: --no-pivot, a fresh /proc in a nested user namespace is refused',
    args: ['unshare', '-mrpf', 'sh', '-c', 'mount -t proc none /proc && echo mounted'],
    mutate: (c) => {
      c.process.capabilities.bounding.push('CAP_SETFCAP');
      c.process.capabilities.permitted.push('CAP_SETFCAP');
    },
    script: [['run', '--no-pivot', 'ID']],
  },

  // --- devices ---
  {
    name: 'devices: extra devices',
    args: ['stat', '-c', '%N %A %U %G %t:%T', '/dev/fuse', '/dev/loop-control'],
    mutate: (c) =>
      (c.linux.devices = [
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 },
        { path: '/dev/loop-control', type: 'c', major: 10, minor: 237, fileMode: 0o660, uid: 0, gid: 6 },
      ]),
  },
  {
    name: 'devices: a device not in the allow list',
    args: ['sh', '-c', 'mknod /tmp/sda b 8 0 && head -c 1 /tmp/sda >/dev/null; echo status=$?'],
    mutate: (c) => (c.root.readonly = false),
  },
  {
    name: 'devices: an allow rule opens a node up',
    args: ['sh', '-c', 'head -c 1 /dev/fuse >/dev/null 2>&1; echo status=$?'],
    mutate: (c) => {
      c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666 }];
      c.linux.resources.devices.push({ allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' });
    },
  },
  // runc's update.bats uses "rwa": only r, w and m count
  {
    name: 'devices: access "rwa" counts as "rw"',
    args: ['probe', 'open', '/dev/fuse'],
    mutate: (c) => {
      c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666 }];
      c.linux.resources.devices.push({ allow: true, type: 'c', major: 10, minor: 229, access: 'rwa' });
    },
  },
  {
    name: 'devices: an access naming none of r, w and m (refused)',
    args: ['true'],
    mutate: (c) => c.linux.resources.devices.push({ allow: true, type: 'c', major: 10, minor: 229, access: 'a' }),
  },
  {
    name: 'devices: a deny rule for /dev/null',
    args: ['sh', '-c', 'echo x > /dev/null; echo status=$?'],
    mutate: (c) => c.linux.resources.devices.push({ allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }),
  },

  // --- masked and read-only paths ---
  { name: 'paths: a masked file', args: ['cat', '/proc/keys'] },
  { name: 'paths: a masked dir', args: ['ls', '/proc/acpi'] },
  { name: 'paths: a read-only path', args: ['sh', '-c', 'echo 1 > /proc/sys/kernel/domainname; echo status=$?'] },
  {
    name: 'paths: custom masked file and dir, a missing one',
    args: ['sh', '-c', 'cat /etc/passwd; ls -a /bin | wc -l; /bin/probe mounts | grep -c tmpfs'],
    mutate: (c) => {
      c.linux.maskedPaths = ['/etc/passwd', '/usr', '/not/there'];
    },
  },
  {
    name: 'paths: a custom read-only path',
    args: ['/bin/probe', 'write', '/tmp/x', 'y'],
    mutate: (c) => {
      c.root.readonly = false;
      c.linux.readonlyPaths = ['/tmp', '/not/there'];
    },
  },

  // --- seccomp ---
  {
    name: 'seccomp: an errno rule',
    args: ['sh', '-c', '/bin/probe seccomp; /bin/probe mkdir /tmp/d'],
    mutate: (c) => {
      c.root.readonly = false;
      seccomp([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }])(c);
    },
  },
  {
    name: 'seccomp: a kill rule',
    args: ['sh', '-c', '/bin/probe mkdir /tmp/d; echo "status $?"'],
    mutate: (c) => {
      c.root.readonly = false;
      seccomp([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_KILL' }])(c);
    },
  },
  {
    name: 'seccomp: an argument condition',
    args: ['sh', '-c', 'uname -m; /bin/probe personality'],
    mutate: seccomp([
      {
        names: ['personality'],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: 22,
        args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }],
      },
    ]),
  },
  {
    name: 'seccomp: an unknown syscall name is skipped',
    args: ['/bin/probe', 'seccomp'],
    mutate: seccomp([{ names: ['no_such_syscall', 'mkdir'], action: 'SCMP_ACT_ERRNO' }]),
  },
  {
    name: 'seccomp: an empty object is no filter',
    args: ['/bin/probe', 'seccomp'],
    mutate: (c) => (c.linux.seccomp = {}),
  },
  {
    name: 'seccomp: a rule naming nothing, an argument without index',
    args: ['sh', '-c', '/bin/probe seccomp; uname -m'],
    mutate: seccomp([
      { names: [], action: 'SCMP_ACT_KILL' },
      { names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ value: 8, op: 'SCMP_CMP_EQ' }] },
    ]),
  },
  // the runtime's last steps before execve (stdio, its reports) run under the filter: they must not need sendmsg, dup2 or fcntl
  {
    name: 'seccomp: a profile denying sendmsg, dup2 and fcntl, no_new_privs',
    args: ['sh', '-c', 'echo ran'],
    mutate: (c) => {
      c.process.noNewPrivileges = true;
      seccomp([{ names: ['sendmsg', 'dup2', 'dup3', 'fcntl'], action: 'SCMP_ACT_ERRNO' }])(c);
    },
  },
  {
    name: 'seccomp: a profile denying sendmsg, dup2 and fcntl, with privileges',
    args: ['sh', '-c', 'echo ran'],
    mutate: (c) => {
      c.process.noNewPrivileges = false;
      seccomp([{ names: ['sendmsg', 'dup2', 'dup3', 'fcntl'], action: 'SCMP_ACT_ERRNO' }])(c);
    },
  },
  {
    name: 'seccomp: sendmsg denied, create then start',
    args: ['sh', '-c', 'echo ran'],
    mutate: (c) => {
      c.process.noNewPrivileges = true;
      seccomp([{ names: ['sendmsg'], action: 'SCMP_ACT_ERRNO' }])(c);
    },
    script: [['create', 'ID'], ['start', 'ID'], { wait: 'stopped' }, ['delete', 'ID']],
  },

  // --- hooks ---
  {
    name: 'hooks: all but poststart on run, in order, with the state',
    args: ['true'],
    mutate: (c, ctx) => (c.hooks = hooks(ctx)),
    script: [['run', 'ID'], { host: 'cat ${OWN}hooks' }],
  },
  {
    name: 'hooks: create, start, delete: each at its step',
    mutate: (c, ctx) => (c.hooks = hooks(ctx)),
    script: [
      ['create', 'ID'],
      { host: 'cat ${OWN}hooks' },
      ['start', 'ID'],
      ['kill', 'ID', 'KILL'],
      { wait: 'stopped' },
      ['delete', 'ID'],
      { host: 'cat ${OWN}hooks' },
    ],
  },
  {
    name: 'hooks: a failing createRuntime hook',
    args: ['true'],
    mutate: (c, ctx) =>
      (c.hooks = {
        createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 3'] }],
        poststop: [hook(ctx, 'poststop')],
      }),
    script: [['run', 'ID'], { host: 'cat ${OWN}hooks 2>&1' }, ['state', 'ID']],
  },
  {
    name: 'hooks: a failing startContainer hook on run: poststop still runs',
    args: ['true'],
    mutate: (c, ctx) => (c.hooks = { ...hooks(ctx, ['poststop']), startContainer: [{ path: '/bin/false' }] }),
    script: [['run', 'ID'], { host: 'cat ${OWN}hooks 2>&1' }, ['state', 'ID']],
  },
  {
    name: 'hooks: a failing poststop hook only warns',
    args: ['true'],
    mutate: (c) => (c.hooks = { poststop: [{ path: '/bin/false' }] }),
  },
  {
    name: 'hooks: env and args reach the hook',
    args: ['true'],
    mutate: (c, ctx) =>
      (c.hooks = {
        prestart: [
          {
            path: '/bin/sh',
            args: ['sh', '-c', `echo "$0 $1 $FOO" > ${ctx.own('hooks')}`, 'zero', 'one'],
            env: ['FOO=bar'],
          },
        ],
      }),
    script: [['run', 'ID'], { host: 'cat ${OWN}hooks' }],
  },

  // --- cgroups (v1 here) ---
  { name: 'cgroups: /proc/self/cgroup', args: ['cat', '/proc/self/cgroup'] },
  {
    name: 'cgroups: memory limit and swap',
    args: [
      'sh',
      '-c',
      `${cg('memory/memory.limit_in_bytes')}; ${cg('memory/memory.memsw.limit_in_bytes')} 2>/dev/null; ${cg('memory/memory.soft_limit_in_bytes')}`,
    ],
    mutate: resources({ memory: { limit: 64 << 20, reservation: 32 << 20 } }),
  },
  {
    name: 'cgroups: cpu shares, quota, period',
    args: ['sh', '-c', `${cg('cpu/cpu.shares')}; ${cg('cpu/cpu.cfs_quota_us')}; ${cg('cpu/cpu.cfs_period_us')}`],
    mutate: resources({ cpu: { shares: 512, quota: 50000, period: 100000 } }),
  },
  {
    name: 'cgroups: cpuset',
    args: ['sh', '-c', `${cg('cpuset/cpuset.cpus')}; ${cg('cpuset/cpuset.mems')}; /bin/probe sched | tail -1`],
    mutate: resources({ cpu: { cpus: '1', mems: '0' } }),
  },
  { name: 'cgroups: pids limit', args: ['sh', '-c', cg('pids/pids.max')], mutate: resources({ pids: { limit: 42 } }) },
  {
    name: 'cgroups: a nested cgroupsPath',
    args: ['cat', '/proc/self/cgroup'],
    mutate: (c, ctx) => (c.linux.cgroupsPath = `/minirun-diff/${ctx.id}`),
    script: [['run', 'ID'], { host: 'rmdir /sys/fs/cgroup/*/minirun-diff 2>/dev/null; true' }],
  },
  {
    name: 'cgroups: the devices list',
    script: [
      ['run', '-d', 'ID'],
      { host: 'sort /sys/fs/cgroup/devices/$ID/devices.list' },
      ['kill', 'ID', 'KILL'],
      { wait: 'stopped' },
      ['delete', 'ID'],
    ],
  },

  // --- lifecycle: create, start, state, kill, delete in every state ---
  {
    name: 'lifecycle: create, state, start, state, kill, state, delete',
    script: [
      ['create', 'ID'],
      ['state', 'ID'],
      ['start', 'ID'],
      ['state', 'ID'],
      ['kill', 'ID', 'TERM'],
      { wait: 'stopped' },
      ['state', 'ID'],
      ['delete', 'ID'],
      ['state', 'ID'],
    ],
  },
  {
    name: 'lifecycle: start twice',
    script: [
      ['create', 'ID'],
      ['start', 'ID'],
      ['start', 'ID'],
      ['delete', '-f', 'ID'],
    ],
  },
  {
    name: 'lifecycle: create an id in use',
    script: [
      ['create', 'ID'],
      ['create', 'ID'],
      ['delete', 'ID'],
    ],
  },
  {
    name: 'lifecycle: a program that exits: start, then stopped',
    args: ['true'],
    script: [
      ['create', 'ID'],
      ['start', 'ID'],
      { wait: 'stopped' },
      ['start', 'ID'],
      ['kill', 'ID', 'KILL'],
      ['delete', 'ID'],
    ],
  },
  {
    name: 'kill: a created container dies on TERM',
    script: [['create', 'ID'], ['kill', 'ID', 'TERM'], { wait: 'stopped' }, ['state', 'ID'], ['delete', 'ID']],
  },
  {
    name: 'kill: a created container, KILL',
    script: [['create', 'ID'], ['kill', 'ID', 'KILL'], { wait: 'stopped' }, ['delete', 'ID']],
  },
  {
    name: 'kill: a created container ignores USR1',
    script: [
      ['create', 'ID'],
      ['kill', 'ID', 'USR1'],
      ['state', 'ID'],
      ['delete', '-f', 'ID'],
    ],
  },
  {
    name: 'kill: a running container, by number and name',
    script: [
      ['run', '-d', 'ID'],
      ['kill', 'ID', '0'],
      ['kill', 'ID', 'SIGUSR2'],
      ['kill', 'ID', '9'],
      { wait: 'stopped' },
      ['delete', 'ID'],
    ],
  },
  {
    name: 'kill: a stopped container',
    args: ['true'],
    script: [['create', 'ID'], ['start', 'ID'], { wait: 'stopped' }, ['kill', 'ID', 'KILL'], ['delete', 'ID']],
  },
  {
    name: 'kill: a paused container',
    script: [
      ['run', '-d', 'ID'],
      ['pause', 'ID'],
      ['kill', 'ID', 'TERM'],
      ['state', 'ID'],
      ['delete', '-f', 'ID'],
    ],
  },
  {
    name: 'kill: --all',
    args: ['sh', '-c', 'sleep 100 & exec /bin/probe pause'],
    script: [
      ['run', '-d', 'ID'],
      ['kill', '--all', 'ID', 'KILL'],
      { wait: 'stopped' },
      ['ps', '--format', 'json', 'ID'],
      ['delete', 'ID'],
    ],
  },
  {
    name: 'kill: a bad signal',
    script: [
      ['create', 'ID'],
      ['kill', 'ID', 'NOPE'],
      ['kill', 'ID', '99'],
      ['delete', '-f', 'ID'],
    ],
  },
  { name: 'kill: a missing container', script: [['kill', 'ID', 'KILL']] },
  {
    name: 'delete: a created container',
    script: [
      ['create', 'ID'],
      ['delete', 'ID'],
      ['state', 'ID'],
    ],
  },
  {
    name: 'delete: a running container, then --force',
    script: [
      ['run', '-d', 'ID'],
      ['delete', 'ID'],
      ['state', 'ID'],
      ['delete', '--force', 'ID'],
      ['state', 'ID'],
    ],
  },
  {
    name: 'delete: a paused container, then --force',
    script: [
      ['run', '-d', 'ID'],
      ['pause', 'ID'],
      ['delete', 'ID'],
      ['delete', '--force', 'ID'],
      ['state', 'ID'],
    ],
  },
  {
    name: 'delete: a missing container, with and without --force',
    script: [
      ['delete', 'ID'],
      ['delete', '--force', 'ID'],
    ],
  },
  {
    name: 'pause: in every state',
    script: [
      ['create', 'ID'],
      ['pause', 'ID'],
      ['resume', 'ID'],
      ['start', 'ID'],
      ['resume', 'ID'],
      ['pause', 'ID'],
      ['pause', 'ID'],
      ['state', 'ID'],
      ['resume', 'ID'],
      ['state', 'ID'],
      ['kill', 'ID', 'KILL'],
      { wait: 'stopped' },
      ['pause', 'ID'],
      ['delete', 'ID'],
    ],
  },
  { name: 'state: a missing container', script: [['state', 'ID']] },
  {
    name: 'list -q and ps',
    script: [
      ['run', '-d', 'ID'],
      ['list', '-q'],
      ['ps', '--format', 'json', 'ID'],
      ['delete', '-f', 'ID'],
      ['list', '-q'],
    ],
  },

  // --- exec ---
  {
    name: 'exec: output and exit status',
    script: [
      ['run', '-d', 'ID'],
      ['exec', 'ID', 'sh', '-c', 'echo in; echo err >&2; exit 4'],
      ['delete', '-f', 'ID'],
    ],
  },
  {
    name: 'exec: user, env, cwd',
    script: [
      ['run', '-d', 'ID'],
      [
        'exec',
        '--user',
        '1000:1000',
        '--additional-gids',
        '7',
        '--env',
        'X=1',
        '--cwd',
        '/tmp',
        'ID',
        'sh',
        '-c',
        '/bin/probe ids; echo X=$X; pwd',
      ],
      ['delete', '-f', 'ID'],
    ],
  },
  {
    name: 'exec: caps and no-new-privs',
    mutate: (c) => (c.process.noNewPrivileges = false),
    script: [
      ['run', '-d', 'ID'],
      ['exec', '--cap', 'CAP_SYS_ADMIN', 'ID', '/bin/probe', 'caps'],
      ['exec', '--no-new-privs', 'ID', '/bin/probe', 'caps'],
      ['delete', '-f', 'ID'],
    ],
  },
  {
    name: 'exec: --process',
    script: [
      ['run', '-d', 'ID'],
      {
        host: `printf '%s' '{"args":["/bin/probe","ids"],"cwd":"/","user":{"uid":5,"gid":6},"env":["PATH=/bin"]}' > \${OWN}proc.json`,
      },
      ['exec', '--process', '${OWN}proc.json', 'ID'],
      ['delete', '-f', 'ID'],
    ],
  },
  {
    name: 'exec: --detach and ps',
    script: [
      ['run', '-d', 'ID'],
      ['exec', '-d', 'ID', 'sleep', '100'],
      ['ps', '--format', 'json', 'ID'],
      ['delete', '-f', 'ID'],
    ],
  },
  {
    name: 'exec: a missing program',
    script: [
      ['run', '-d', 'ID'],
      ['exec', 'ID', 'no-such-program'],
      ['delete', '-f', 'ID'],
    ],
  },
  {
    name: 'exec: in a created, a paused and a stopped container',
    script: [
      ['create', 'ID'],
      ['exec', 'ID', 'true'],
      ['start', 'ID'],
      ['pause', 'ID'],
      ['exec', 'ID', 'true'],
      ['resume', 'ID'],
      ['kill', 'ID', 'KILL'],
      { wait: 'stopped' },
      ['exec', 'ID', 'true'],
      ['delete', 'ID'],
    ],
  },
  {
    name: 'exec: the container seccomp filter applies',
    mutate: seccomp([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }]),
    script: [
      ['run', '-d', 'ID'],
      ['exec', 'ID', '/bin/probe', 'mkdir', '/tmp/d'],
      ['delete', '-f', 'ID'],
    ],
  },
];

export const DELIBERATE: Deliberate[] = [
  {
    name: 'domainname is set',
    reason: 'runtime-spec 1.0.2+ has domainname; runc 1.1.5 ignores the field',
    args: ['/bin/probe', 'hostname'],
    mutate: (c) => (c.domainname = 'example.org'),
    runc: { code: 0, stdout: 'hostname runc\ndomainname (none)\n' },
    minirun: { code: 0, stdout: 'hostname runc\ndomainname example.org\n' },
  },
  {
    name: 'personality, scheduler, ioPriority and execCPUAffinity are applied',
    reason: 'runtime-spec fields that runc 1.1.5 ignores (runc 1.2+ applies them)',
    args: ['sh', '-c', 'uname -m; /bin/probe sched'],
    mutate: (c) => {
      c.linux.personality = { domain: 'LINUX32' };
      c.process.scheduler = { policy: 'SCHED_BATCH', nice: 5 };
      c.process.ioPriority = { class: 'IOPRIO_CLASS_IDLE', priority: 0 };
      c.process.execCPUAffinity = { final: '0' };
    },
    runc: { code: 0, stdout: /^x86_64\npolicy 0\n/ },
    minirun: { code: 0, stdout: 'i686\npolicy 3\nioprio class 3 level 0\ncpus 0\n' },
  },
  {
    name: 'a time namespace is created, with linux.timeOffsets',
    reason: 'runtime-spec 1.2 time namespaces; runc 1.1.5 does not know the type',
    args: ['sh', '-c', 'cat /proc/self/timens_offsets | tr -s " "; /bin/probe ns | grep time'],
    mutate: (c) => {
      c.linux.namespaces.push({ type: 'time' });
      c.linux.timeOffsets = { monotonic: { secs: 86400, nanosecs: 5 }, boottime: { secs: -60, nanosecs: 0 } };
    },
    runc: { code: 1, stderr: /time/ },
    minirun: { code: 0, stdout: 'monotonic 86400 5\nboottime -60 0\ntime time:[new]\n' },
  },
  {
    name: 'seccomp flags are honoured',
    reason:
      'runc 1.1.5 refuses every seccomp flag it does not know; the runtime-spec lists them and newer runc applies them',
    args: ['/bin/probe', 'seccomp'],
    mutate: (c) => {
      seccomp([{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }])(c);
      c.linux.seccomp.flags = ['SECCOMP_FILTER_FLAG_SPEC_ALLOW'];
    },
    runc: { code: 1 },
    minirun: { code: 0, stdout: 'Seccomp:\t2\nSeccomp_filters:\t1\n' },
  },
  {
    name: 'seccomp: a filter that allows execve but not what the program then needs',
    reason:
      'with no_new_privs minirun loads the filter right before execve, so the user program starts under it and fails (the dynamic loader exits 127); runc 1.1.5 loads it earlier in its Go init, which then fails itself',
    args: ['/bin/probe', 'exit', '0'],
    mutate: seccomp(
      [
        {
          names: ['execve', 'exit_group', 'brk', 'arch_prctl', 'set_tid_address', 'rt_sigreturn', 'exit'],
          action: 'SCMP_ACT_ALLOW',
        },
      ],
      'SCMP_ACT_ERRNO',
    ),
    runc: { code: 1 },
    minirun: { code: 127, stdout: '' },
  },
  {
    name: 'poststart hooks run after the process started, with status running',
    reason:
      'the runtime-spec says poststart runs after the user process started; runc 1.1.5 runs it before startContainer, with status created',
    mutate: (c, ctx) => (c.hooks = { poststart: [hook(ctx, 'poststart')] }),
    script: [
      ['run', '-d', 'ID'],
      { host: 'sed -n 2p ${OWN}hooks | grep -o "\\"status\\":\\"[a-z]*\\""' },
      ['delete', '-f', 'ID'],
    ],
    runc: { code: 0, stdout: '"status":"created"\n' },
    minirun: { code: 0, stdout: '"status":"running"\n' },
  },
  {
    name: 'a relative mount destination is an error',
    reason: 'the runtime-spec requires an absolute destination; runc 1.1.5 only warns and joins it onto /',
    args: ['true'],
    mutate: (c) => c.mounts.push({ destination: 'relative', type: 'tmpfs', source: 'tmpfs' }),
    runc: { code: 0 },
    minirun: { code: 1, stderr: /^minirun run failed: config\.json: mounts\[\d+\]\.destination: .*\n$/ },
  },
  {
    name: 'an unknown capability is an error',
    reason: 'runc 1.1.5 only warns and drops it; a typo should not silently remove a capability',
    args: ['true'],
    mutate: (c) => c.process.capabilities.bounding.push('CAP_NO_SUCH'),
    runc: { code: 0 },
    minirun: {
      code: 1,
      stderr: /^minirun run failed: config\.json: process\.capabilities\.bounding.*CAP_NO_SUCH.*\n$/,
    },
  },
  {
    name: 'uid/gid mappings without a user namespace are an error',
    reason: 'runtime-spec: mappings only make sense with a new user namespace; runc 1.1.5 ignores them',
    args: ['true'],
    mutate: (c) => (c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 1 }]),
    runc: { code: 0 },
    minirun: { code: 1, stderr: /^minirun run failed: config\.json: linux\.uidMappings.*\n$/ },
  },
  {
    name: 'a duplicate rlimit is an error',
    reason: 'runtime-spec: each type at most once; runc 1.1.5 applies the last',
    args: ['true'],
    mutate: (c) => c.process.rlimits.push({ type: 'RLIMIT_NOFILE', soft: 10, hard: 10 }),
    runc: { code: 0 },
    minirun: { code: 1, stderr: /^minirun run failed: config\.json: process\.rlimits.*\n$/ },
  },
  {
    name: 'tmpcopyup of a tree more than 128 directories deep is refused',
    reason:
      "the tree is the container's own: minirun walks it without recursion and with a depth limit (runc recurses without one), so a hostile image cannot make the init run out of stack or file descriptors",
    args: ['sh', '-c', 'echo ran'],
    mutate: (c, ctx) => {
      fs.mkdirSync(path.join(ctx.sb.bundle, 'rootfs/too-deep', ...Array(130).fill('d')), { recursive: true });
      c.mounts.push({ destination: '/too-deep', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup'] });
    },
    runc: { code: 0, stdout: 'ran\n' },
    minirun: {
      code: 1,
      stderr:
        /^minirun run failed: mount: mounts\[\d+\] \/too-deep: tmpcopyup (d\/){127}d \(more than 128 directories deep\): ELOOP\n$/,
    },
  },
  {
    name: 'a mount on / is refused (not supported yet)',
    reason:
      'runc 1.1.5 takes a mount on / as the root for the mounts after it and for pivot_root; minirun mounts under the rootfs it opened first and would leave the mount out, so it refuses it',
    args: ['sh', '-c', 'echo ran'],
    mutate: (c, ctx) =>
      c.mounts.unshift({ destination: '/', type: 'bind', source: `${ctx.sb.bundle}/rootfs`, options: ['rbind'] }),
    runc: { code: 0, stdout: 'ran\n' },
    minirun: {
      code: 1,
      stderr: /^minirun run failed: config\.json: mounts\[0\]\.destination: a mount on \/ .*is not supported yet\n$/,
    },
  },
  {
    name: 'a seccomp syscall name with a NUL byte is an error',
    reason:
      'libseccomp reads the name as a C string, so runc 1.1.5 takes "mkdir\\u0000x" as mkdir and blocks it; a name that is not a syscall must not block another one',
    args: ['sh', '-c', '/bin/probe mkdir /tmp/d; echo "status $?"'],
    mutate: (c) => {
      c.root.readonly = false;
      seccomp([{ names: ['mkdir\u0000x', 'mkdirat\u0000x'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }])(c);
    },
    runc: { code: 0, stdout: 'EPERM\nstatus 1\n' },
    minirun: {
      code: 1,
      stderr:
        /^minirun run failed: config\.json: linux\.seccomp\.syscalls\[0\]\.names\[0\]: must not contain a NUL byte, got "mkdir\\u0000x"\n$/,
    },
  },
  {
    name: 'linux.memoryPolicy is applied',
    reason: 'runtime-spec 1.3 memoryPolicy (set_mempolicy); runc 1.1.5 does not know the field',
    args: ['sh', '-c', 'head -n1 /proc/self/numa_maps | cut -d" " -f2'],
    mutate: (c) => (c.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' }),
    runc: { code: 0, stdout: 'default\n' },
    minirun: { code: 0, stdout: 'bind:0\n' },
  },
  {
    name: 'a later recursive mount word undoes an earlier one (rro,rrw is read-write)',
    reason: 'the words are flags in order, as mount(8) reads ro,rw; runc 1.1.5 keeps rro once set (runc 1.2 fixed it)',
    args: ['sh', '-c', 'touch /mnt/x && echo writable'],
    mutate: (c, ctx) =>
      c.mounts.push({
        destination: '/mnt',
        type: 'bind',
        source: `${ctx.sb.bundle}/rootfs/tmp`,
        options: ['rbind', 'rro', 'rrw'],
      }),
    runc: { code: 1 },
    minirun: { code: 0, stdout: 'writable\n' },
  },
  {
    name: 'ratime means relatime',
    reason:
      'the kernel takes one access-time value; runc 1.1.5 passes a partial clear of it, which mount_setattr refuses (EINVAL)',
    args: ['sh', '-c', 'grep " /mnt " /proc/self/mountinfo | grep -o relatime'],
    mutate: (c, ctx) =>
      c.mounts.push({
        destination: '/mnt',
        type: 'bind',
        source: `${ctx.sb.bundle}/rootfs/tmp`,
        options: ['rbind', 'ratime'],
      }),
    runc: { code: 1, stderr: /invalid argument/ },
    minirun: { code: 0, stdout: 'relatime\n' },
  },
  {
    name: 'an /etc/passwd over 4 MiB is refused',
    reason:
      'the init reads at most 4 MiB of it and refuses more rather than miss an entry past the cut; runc 1.1.5 reads any size',
    args: ['sh', '-c', 'echo HOME=$HOME'],
    mutate: (c, ctx) => {
      const line = 'user:x:1000:1000::/home/user:/bin/sh\n';
      fs.writeFileSync(
        ctx.own('passwd'),
        `${line.repeat(Math.ceil((4 << 20) / line.length))}root:x:0:0:root:/past-4-mib:/bin/sh\n`,
      );
      c.mounts.push({ destination: '/etc/passwd', type: 'bind', source: ctx.own('passwd'), options: ['bind', 'ro'] });
    },
    runc: { code: 0, stdout: 'HOME=/past-4-mib\n' },
    minirun: {
      code: 1,
      stderr: /^minirun run failed: user: \/etc\/passwd: \d+ bytes, over the limit of 4194304: EFBIG\n$/,
    },
  },
  {
    name: 'a launch plan over 1 MiB is refused',
    reason:
      "the plan goes to the init helper in one SOCK_SEQPACKET message, of at most the helper's 1 MiB buffer (less where twice net.core.wmem_max is smaller); runc 1.1.5 streams its config to its init",
    args: ['sh', '-c', 'echo ${#BIG39}'],
    mutate: (c) => c.process.env.push(...Array.from({ length: 40 }, (_, i) => `BIG${i}=${'x'.repeat(32 * 1024)}`)),
    runc: { code: 0, stdout: '32768\n' },
    minirun: {
      code: 1,
      stderr:
        /^minirun run failed: the launch plan is \d+ bytes: one message to the init helper carries at most \d+ \(.*\n$/,
    },
  },
];
