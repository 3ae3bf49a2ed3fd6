// Without the new mount API (issue 12): open_tree, move_mount, fsopen,
// fsconfig, fsmount, fspick, mount_setattr and openat2 answer ENOSYS, as on an
// older kernel or under an older seccomp profile (minirun run inside a
// container). test/tools/no-new-mount-api, built with the project, installs
// that seccomp filter and execs the runtime: the runtime, its helper and the
// container all run under it (crun's no-openat2 CI job does the same).
// runc 1.1.5, which uses only mount(2), runs under the same wrapper as the
// reference. Configs that need the new API fail with one line naming it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exec,
  hasRunc,
  isRoot,
  MINIRUN,
  suiteSandbox,
  uniqueId,
  type Config,
  type Result,
  type Sandbox,
} from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

const WRAPPER = path.resolve(__dirname, '../../build/Release/no-new-mount-api');
type Runtime = 'runc' | 'minirun';

/** A runtime command under the wrapper, in the bundle, with that runtime's --root. */
function wrapped(sb: Sandbox, rt: Runtime, args: string[], input = ''): Result {
  const [bin, root] = rt === 'runc' ? ['runc', sb.runcRoot] : [MINIRUN, sb.minirunRoot];
  return exec(WRAPPER, [bin, '--root', root, ...args], { cwd: sb.bundle, input });
}

/** `run` through both runtimes under the wrapper, with fresh ids. */
function runBoth(sb: Sandbox): Record<Runtime, Result> {
  const id = uniqueId('nomapi');
  return { runc: wrapped(sb, 'runc', ['run', `${id}-r`]), minirun: wrapped(sb, 'minirun', ['run', `${id}-m`]) };
}

/** The syscalls the wrapper answers ENOSYS (x86_64 numbers, as on every architecture but alpha). */
const BLOCKED = {
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  openat2: 437,
  mount_setattr: 442,
};

const USERNS = (c: Config) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
};

/**
 * Each masked path (an empty read-only tmpfs, or a file that reads nothing)
 * and a write under the read-only /proc/sys, one line each.
 */
function masksScript(c: Config): string {
  const masked = (c.linux.maskedPaths as string[]).join(' ');
  return (
    `for p in ${masked}; do if [ -d $p ]; then echo "$p dir $(ls -A $p | wc -l) $(probe mkdir $p/x)"; ` +
    'elif [ -e $p ]; then echo "$p file $(wc -c < $p)"; else echo "$p none"; fi; done\n' +
    'echo "/proc/sys $(probe write /proc/sys/kernel/domainname x)"'
  );
}

suite('without the new mount API (ENOSYS), as under an older seccomp profile', () => {
  const sb = suiteSandbox(['true']);

  it('the wrapper answers ENOSYS to those syscalls, in the container too', () => {
    expect(fs.existsSync(WRAPPER), `${WRAPPER}: build it with npm run build`).toBe(true);
    sb.setArgs(['/bin/probe', 'syscall', ...Object.values(BLOCKED).map(String)]);
    const { runc, minirun } = runBoth(sb);
    expect(runc.stdout).toBe(
      Object.values(BLOCKED)
        .map((n) => `${n} ENOSYS\n`)
        .join(''),
    );
    expect(minirun.stderr).toBe('');
    expect(minirun.code).toBe(0);
    expect(minirun.stdout).toBe(runc.stdout);
  });

  it('a default container: the same mounts, masked and read-only paths as runc, and as with the new API', () => {
    // the mounts (probe mounts: mount point, options, fstype, super options), then the masks
    sb.edit((c) => (c.process.args = ['sh', '-c', `probe mounts\n${masksScript(c)}`]));
    const { runc, minirun } = runBoth(sb);
    expect(runc.code).toBe(0);
    expect(minirun.stderr).toBe('');
    expect(minirun.code).toBe(0);
    expect(minirun.stdout).toBe(runc.stdout);
    // the masks are there: /proc/keys reads nothing, /proc/acpi is an empty read-only dir, /proc/sys is read-only
    expect(minirun.stdout).toMatch(/^\/proc\/keys file 0$/m);
    expect(minirun.stdout).toMatch(/^\/proc\/acpi dir 0 EROFS$/m);
    expect(minirun.stdout).toMatch(/^\/proc\/sys EROFS$/m);
    // with the new mount API, minirun makes the same mounts
    expect(sb.minirun(['run', uniqueId('nomapi-new')]).stdout).toBe(minirun.stdout);
    expect(sb.residue()).toEqual([]);
  });

  it('create, start, exec, kill and delete', () => {
    sb.setArgs(['/bin/probe', 'pause']);
    const play = (rt: Runtime, id: string): string[] => {
      const steps: string[][] = [
        ['create', id],
        ['state', id],
        ['start', id],
        ['exec', id, 'sh', '-c', 'wc -c < /proc/keys; probe mounts | grep -c " ro,"'],
        ['kill', id, 'KILL'],
      ];
      const out = steps.map((s) => {
        const r = wrapped(sb, rt, s);
        const text = s[0] === 'state' ? JSON.parse(r.stdout).status : r.stdout;
        return `${s[0]}: ${r.code} ${text}`;
      });
      for (let i = 0; i < 200 && JSON.parse(wrapped(sb, rt, ['state', id]).stdout).status !== 'stopped'; i++) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
      const deleted = wrapped(sb, rt, ['delete', id]);
      out.push(`delete: ${deleted.code} ${deleted.stderr}`);
      return out;
    };
    const id = uniqueId('nomapi-life');
    const runc = play('runc', `${id}-r`);
    const minirun = play('minirun', `${id}-m`);
    expect(minirun).toEqual(runc);
    expect(minirun[0]).toBe('create: 0 ');
    expect(minirun[3]).toMatch(/^exec: 0 0\n[1-9]\d*\n$/);
    expect(minirun[5]).toBe('delete: 0 ');
    expect(sb.residue()).toEqual([]);
  });

  it('a user-namespaced container with bind mounts: bound inside the user namespace', () => {
    // the container's root (host uid 100000) has to reach the rootfs and the sources
    fs.chmodSync(sb.dir, 0o755);
    const shared = path.join(sb.dir, 'shared');
    fs.mkdirSync(shared, { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(shared, 'f'), 'shared file\n');
    sb.edit((c) => {
      USERNS(c);
      c.mounts.push(
        { source: shared, destination: '/tmp/m1', options: ['bind'] },
        { source: shared, destination: '/tmp/m2', options: ['rbind', 'ro'] },
      );
      c.process.args = [
        'sh',
        '-c',
        `cat /tmp/m1/f; probe mounts | grep /tmp/m; probe write /tmp/m2/x y\n${masksScript(c)}`,
      ];
    });
    const { runc, minirun } = runBoth(sb);
    expect(runc.code).toBe(0);
    expect(minirun.stderr).toBe('');
    expect(minirun.code).toBe(0);
    expect(minirun.stdout).toBe(runc.stdout);
    expect(minirun.stdout).toMatch(/^shared file\n\/tmp\/m1 rw,[^\n]*\n\/tmp\/m2 ro,[^\n]*\nEROFS\n/);
    expect(sb.residue()).toEqual([]);
  });

  it('a user-namespaced container: a bind source only the host root can reach fails, as before open_tree clones (runc 1.1.5 opens it from outside the user namespace)', () => {
    fs.chmodSync(sb.dir, 0o755);
    const hidden = path.join(sb.dir, 'hidden');
    fs.mkdirSync(path.join(hidden, 'dir'), { recursive: true });
    fs.chmodSync(hidden, 0o700);
    sb.edit((c) => {
      USERNS(c);
      c.mounts.push({ source: path.join(hidden, 'dir'), destination: '/tmp/m1', options: ['bind'] });
    });
    const { runc, minirun } = runBoth(sb);
    expect(runc.code).toBe(0);
    expect(minirun.code).toBe(1);
    expect(minirun.stderr).toMatch(
      /^minirun run failed: mount: mounts\[7\] \/tmp\/m1: bind source \S+\/hidden\/dir: EACCES\n$/,
    );
    expect(sb.residue()).toEqual([]);
  });

  const bind = (extra: Config) => ({ destination: '/mnt', type: 'bind', source: '/tmp', options: ['rbind'], ...extra });
  const needsNewApi: [string, (c: Config) => void, RegExp][] = [
    [
      'rro on a bind',
      (c) => c.mounts.push(bind({ options: ['rbind', 'rro'] })),
      /^minirun run failed: mount: mounts\[7\] \/mnt: recursive mount options need mount_setattr: ENOSYS\n$/,
    ],
    [
      'rnosuid on a tmpfs (applied at the end)',
      (c) => c.mounts.push({ destination: '/mnt', type: 'tmpfs', source: 'tmpfs', options: ['rnosuid'] }),
      /^minirun run failed: mount: mounts\[7\] \/mnt: recursive mount options need mount_setattr: ENOSYS\n$/,
    ],
    [
      "idmap with the mount's own mappings",
      (c) =>
        c.mounts.push(
          bind({
            options: ['rbind', 'idmap'],
            uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
            gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
          }),
        ),
      /^minirun run failed: idmap: mounts\[7\] \/mnt: id-mapped mounts need open_tree: ENOSYS\n$/,
    ],
    [
      "ridmap with the container's user namespace",
      (c) => {
        USERNS(c);
        c.mounts.push(bind({ options: ['rbind', 'ridmap'] }));
      },
      /^minirun run failed: idmap: mounts\[7\] \/mnt: id-mapped mounts need open_tree: ENOSYS\n$/,
    ],
  ];
  for (const [name, mutate, message] of needsNewApi) {
    it(`needs the new mount API, fails in one line with nothing left: ${name}`, () => {
      sb.edit(mutate);
      const id = uniqueId('nomapi-err');
      const r = wrapped(sb, 'minirun', ['run', id]);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(1);
      expect(sb.residue()).toEqual([]);
      for (const h of ['memory', 'pids', 'cpu', 'devices'])
        expect(fs.existsSync(`/sys/fs/cgroup/${h}/${id}`), `cgroup ${h}/${id} left`).toBe(false);
    });
  }
});
