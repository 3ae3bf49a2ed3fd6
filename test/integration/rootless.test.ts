// minirun run by an ordinary user, as `runc --rootless`: a user of the test's
// own (useradd, with /etc/subuid and /etc/subgid ranges; both files put back
// byte for byte afterwards), bundles it owns, and every command run as it
// (runuser) through runc and through minirun on the same bundle, with the
// default state roots in a private $XDG_RUNTIME_DIR: exit codes, output, the
// ids and mounts seen inside, compared. Nothing may be left behind.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle } from '../../src/fixtures/make-bundle';
import { ERROR_LINE, exec, hasRunc, isRoot, MINIRUN, normaliseMountinfo, type Config, type Result } from './harness';

const hasTools = ['useradd', 'userdel', 'runuser', 'newuidmap', 'newgidmap'].every(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
);
const suite = isRoot && hasRunc && hasTools ? describe : describe.skip;
type Runtime = 'runc' | 'minirun';
const RUNTIMES: Runtime[] = ['runc', 'minirun'];
const SUB_FILES = ['/etc/subuid', '/etc/subgid'];

interface TestUser {
  name: string;
  uid: number;
  gid: number;
  /** the user's first /etc/subuid and /etc/subgid range */
  subuid: { start: number; count: number };
  subgid: { start: number; count: number };
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** The first range of `name` in a subordinate id file, or undefined. */
function subRange(file: string, name: string): { start: number; count: number } | undefined {
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [n, start, count] = line.split(':');
    if (n === name) return { start: Number(start), count: Number(count) };
  }
  return undefined;
}

/** A range after every range in the file (useradd may have given the user one already). */
function freeStart(file: string): number {
  let end = 100000;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [, start, count] = line.split(':');
    if (count) end = Math.max(end, Number(start) + Number(count));
  }
  return end;
}

suite('rootless: minirun and runc run by an ordinary user', () => {
  const backups = new Map<string, { data: Buffer; mode: number; uid: number; gid: number }>();
  let user: TestUser | undefined;
  let dir = '';
  let xdg = '';
  let bundle = '';
  let pristine: Config;
  let serial = 0;

  beforeAll(async () => {
    for (const f of SUB_FILES) {
      const st = fs.statSync(f);
      backups.set(f, { data: fs.readFileSync(f), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
    }
    const name = `mrl${process.pid}${Math.random().toString(36).slice(2, 6)}`;
    run('useradd', ['-m', '-s', '/bin/sh', name]);
    // Debian's useradd gives a new user subordinate ranges (login.defs SUB_UID_*); add them when it did not.
    for (const f of SUB_FILES) if (!subRange(f, name)) fs.appendFileSync(f, `${name}:${freeStart(f)}:65536\n`);
    const ids = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
    user = {
      name,
      uid: ids('-u'),
      gid: ids('-g'),
      subuid: subRange(SUB_FILES[0], name)!,
      subgid: subRange(SUB_FILES[1], name)!,
    };

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-rootless-'));
    fs.chmodSync(dir, 0o755);
    xdg = path.join(dir, 'xdg');
    fs.mkdirSync(xdg, { mode: 0o700 });
    fs.chownSync(xdg, user.uid, user.gid);
    bundle = path.join(dir, 'bundle');
    await makeBundle(bundle);
    fs.rmSync(path.join(bundle, 'config.json'));
    run('chown', ['-R', `${user.uid}:${user.gid}`, bundle]);
    // runc's own rootless spec, written by the user: the reference for the bundle
    const spec = asUser('runc', ['spec', '--rootless']);
    if (spec.code !== 0) throw new Error(`runc spec --rootless: ${spec.stderr}`);
    pristine = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
    pristine.process.terminal = false;
  });

  afterAll(() => {
    try {
      if (user) {
        // anything of the user's still running (a failed test's container, podman's pause process) goes
        // first, by pid, and is waited for: userdel refuses a user with processes
        const theirs = () =>
          fs.readdirSync('/proc').filter((p) => {
            try {
              return /^\d+$/.test(p) && fs.statSync(`/proc/${p}`).uid === user!.uid;
            } catch {
              return false; // gone
            }
          });
        for (let i = 0; i < 200 && theirs().length > 0; i++) {
          for (const pid of theirs()) {
            try {
              process.kill(Number(pid), 'SIGKILL');
            } catch {
              // gone
            }
          }
          spawnSync('sleep', ['0.02']);
        }
        const del = spawnSync('userdel', ['-r', user.name], { encoding: 'utf8' });
        if (del.status !== 0 && !/mail spool/.test(del.stderr))
          throw new Error(`userdel -r ${user.name}: ${del.stderr}`);
      }
    } finally {
      for (const [f, b] of backups) {
        fs.writeFileSync(f, b.data);
        fs.chmodSync(f, b.mode);
        fs.chownSync(f, b.uid, b.gid);
      }
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  afterEach(() => {
    // containers a failed test left: deleted as the user, by each runtime
    for (const rt of RUNTIMES) {
      const root = path.join(xdg, rt);
      for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) asUser(rt, ['delete', '--force', id]);
    }
    setConfig(pristine);
    expect(residue()).toEqual([]);
  });

  /** A command as the test user, with the private $XDG_RUNTIME_DIR; in the bundle unless told. */
  function asUser(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): Result {
    const file = cmd === 'minirun' ? MINIRUN : cmd;
    return exec('runuser', ['-u', user!.name, '--', 'env', `XDG_RUNTIME_DIR=${xdg}`, file, ...args], {
      cwd: opts.cwd ?? bundle,
      input: opts.input,
    });
  }

  function setConfig(c: Config): void {
    const file = path.join(bundle, 'config.json');
    fs.writeFileSync(file, JSON.stringify(c, null, 2));
    fs.chownSync(file, user!.uid, user!.gid);
  }

  function withConfig(f: (c: Config) => void): void {
    const c = structuredClone(pristine);
    f(c);
    setConfig(c);
  }

  /** Left on the host: state entries in the roots, processes rooted in the bundle, mounts of the dir. */
  function residue(): string[] {
    const left: string[] = [];
    for (const rt of RUNTIMES) {
      const root = path.join(xdg, rt);
      for (const e of fs.existsSync(root) ? fs.readdirSync(root) : []) left.push(`${rt} state: ${e}`);
    }
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/root`).startsWith(bundle)) left.push(`process ${pid} rooted in the bundle`);
      } catch {
        // gone
      }
    }
    for (const m of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n'))
      if (m.includes(dir)) left.push(`mount: ${m}`);
    return left;
  }

  /** Each runtime's id for one test. */
  function ids(): Record<Runtime, string> {
    serial += 1;
    const base = `rl-${process.pid}-${serial}`;
    return { runc: `${base}-r`, minirun: `${base}-m` };
  }

  /** The same command through both runtimes, ID replaced by each one's id; results with the ids put back. */
  function both(args: string[], id: Record<Runtime, string>, input?: string): Record<Runtime, Result> {
    const out = {} as Record<Runtime, Result>;
    for (const rt of RUNTIMES) {
      const r = asUser(
        rt,
        args.map((a) => (a === 'ID' ? id[rt] : a)),
        { input },
      );
      const norm = (t: string) => t.split(id[rt]).join('ID');
      out[rt] = { ...r, stdout: norm(r.stdout), stderr: norm(r.stderr) };
    }
    return out;
  }

  /** Runs the bundle once through each runtime: exit status and stdout must match. */
  function runBoth(): Record<Runtime, Result> {
    const r = both(['run', 'ID'], ids());
    expect({ code: r.minirun.code, stdout: r.minirun.stdout }).toEqual({ code: r.runc.code, stdout: r.runc.stdout });
    return r;
  }

  /** The failure of both runtimes: each exits 1; minirun's one line must match `words`. */
  function bothFail(words: RegExp): Record<Runtime, Result> {
    const r = both(['run', 'ID'], ids());
    expect(r.runc.code).toBe(1);
    expect(r.minirun.code).toBe(1);
    expect(r.minirun.stderr).toMatch(ERROR_LINE);
    expect(r.minirun.stderr).toMatch(words);
    return r;
  }

  it('spec --rootless writes what runc spec --rootless writes, as root and as the user (its ids in the maps)', () => {
    const specDir = path.join(dir, 'spec');
    fs.mkdirSync(specDir, { mode: 0o777 });
    fs.chmodSync(specDir, 0o777);
    const written = (as: 'root' | 'user', cmd: string): Buffer => {
      const file = path.join(specDir, 'config.json');
      fs.rmSync(file, { force: true });
      const r =
        as === 'root'
          ? exec(cmd === 'minirun' ? MINIRUN : cmd, ['spec', '--rootless'], { cwd: specDir })
          : asUser(cmd, ['spec', '--rootless'], { cwd: specDir });
      expect(r.code, r.stderr).toBe(0);
      const st = fs.statSync(file);
      expect(st.uid).toBe(as === 'root' ? 0 : user!.uid);
      return fs.readFileSync(file);
    };
    for (const as of ['root', 'user'] as const) {
      const runc = written(as, 'runc');
      expect(written(as, 'minirun').equals(runc)).toBe(true);
      const maps = JSON.parse(runc.toString()).linux;
      const id = as === 'root' ? 0 : user!.uid;
      expect(maps.uidMappings).toEqual([{ containerID: 0, hostID: id, size: 1 }]);
    }
  });

  it('the default rootless spec: ids, maps, setgroups, owners and mounts seen inside are the same', () => {
    withConfig((c) => {
      c.process.args = [
        'sh',
        '-c',
        // mode, owner, group, name (link counts and times vary)
        "id; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; ls -ln / /dev | awk '{print $1, $3, $4, $NF}'; cat /proc/self/mountinfo",
      ];
    });
    const r = both(['run', 'ID'], ids());
    const view = (x: Result) => {
      const [head, mounts] = x.stdout
        .split(/(?=^\d+ \d+ \d+:\d+ )/m)
        .reduce<[string, string]>(
          ([h, m], part) => (/^\d+ \d+ \d+:\d+ /.test(part) ? [h, m + part] : [h + part, m]),
          ['', ''],
        );
      return {
        code: x.code,
        head,
        mounts: normaliseMountinfo(mounts),
      };
    };
    expect(view(r.minirun)).toEqual(view(r.runc));
    expect(r.minirun.stdout).toMatch(/^uid=0\(root\) gid=0\(root\) groups=0\(root\)\n/);
    expect(r.minirun.stdout).toMatch(new RegExp(`^ +0 +${user!.uid} +1$`, 'm'));
    expect(r.minirun.stdout).toMatch(/^deny$/m);
  });

  it('the default root is $XDG_RUNTIME_DIR/minirun, made 0700 with the sticky bit as runc makes its own', () => {
    const id = ids();
    const r = both(['list'], id);
    expect(r.minirun.code).toBe(0);
    const mode = (rt: Runtime) => fs.statSync(path.join(xdg, rt)).mode & 0o7777;
    expect(mode('minirun')).toBe(0o1700);
    expect(mode('minirun')).toBe(mode('runc'));
    expect(fs.statSync(path.join(xdg, 'minirun')).uid).toBe(user!.uid);
    // without XDG_RUNTIME_DIR, /run/minirun, which the user may not use: one line, as runc fails
    const noXdg = exec(
      'runuser',
      ['-u', user!.name, '--', 'env', '-u', 'XDG_RUNTIME_DIR', MINIRUN, 'run', id.minirun],
      {
        cwd: bundle,
      },
    );
    expect(noXdg.code).toBe(1);
    expect(noXdg.stderr).toMatch(ERROR_LINE);
    expect(noXdg.stderr).toMatch(/\/run\/minirun/);
  });

  it('more ranges through newuidmap/newgidmap: the caller and a subordinate range, owners seen inside', () => {
    const { subuid, subgid } = user!;
    withConfig((c) => {
      c.linux.uidMappings = [
        { containerID: 0, hostID: user!.uid, size: 1 },
        { containerID: 1, hostID: subuid.start, size: subuid.count },
      ];
      c.linux.gidMappings = [
        { containerID: 0, hostID: user!.gid, size: 1 },
        { containerID: 1, hostID: subgid.start, size: subgid.count },
      ];
      // a container user from the subordinate range (the default capabilities have no CAP_CHOWN)
      c.process.user = { uid: 5, gid: 7 };
      c.process.args = [
        'sh',
        '-c',
        'id; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; touch /dev/shm/f && ls -ln /dev/shm/f',
      ];
    });
    const r = runBoth();
    expect(r.minirun.code).toBe(0);
    expect(r.minirun.stdout).toMatch(new RegExp(`^ +1 +${subuid.start} +${subuid.count}$`, 'm'));
    expect(r.minirun.stdout).toMatch(/^uid=5 gid=7/);
    expect(r.minirun.stdout).toMatch(/^allow$/m);
    expect(r.minirun.stdout).toMatch(/ 5 +7 .*\/dev\/shm\/f/);
  });

  it('a mapping of ids the user does not own: newuidmap refuses, in one line', () => {
    withConfig((c) => {
      c.process.args = ['true'];
      c.linux.uidMappings = [
        { containerID: 0, hostID: user!.uid, size: 1 },
        { containerID: 1, hostID: 7, size: 1 },
      ];
    });
    bothFail(
      /^minirun run failed: linux\.uidMappings: newuidmap \d+ 0 \d+ 1 1 7 1: newuidmap: uid range \[1-2\) -> \[7-8\) not allowed\n$/,
    );
  });

  it('a bind mount of a directory the user owns: read and written inside, owned by the user outside', () => {
    const data = path.join(dir, 'data');
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(path.join(data, 'in'), 'hello\n');
    run('chown', ['-R', `${user!.uid}:${user!.gid}`, data]);
    for (const rt of RUNTIMES) {
      const c = structuredClone(pristine);
      c.mounts.push({ destination: '/data', type: 'bind', source: data, options: ['rbind', 'rw'] });
      c.process.args = [
        'sh',
        '-c',
        "cat /data/in; ls -ln /data/in | awk '{print $3, $4}'; echo out > /data/out; ls -ln /data/out | awk '{print $3, $4}'",
      ];
      c.process.env = [...c.process.env, `RT=${rt}`];
      setConfig(c);
      const r = asUser(rt, ['run', ids()[rt]]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('hello\n0 0\n0 0\n');
      expect(fs.statSync(path.join(data, 'out')).uid).toBe(user!.uid);
      fs.rmSync(path.join(data, 'out'));
    }
  });

  it('create, state, list, start, exec, kill and delete as the user, as with runc', () => {
    withConfig((c) => {
      c.process.args = ['sleep', '1000'];
    });
    const id = ids();
    const step = (args: string[]) => {
      const r = both(args, id);
      expect({ args, code: r.minirun.code }).toEqual({ args, code: r.runc.code });
      return r;
    };
    step(['create', 'ID']);
    const st = step(['state', 'ID']);
    const norm = (t: string) => {
      const s = JSON.parse(t);
      return { ...s, pid: typeof s.pid, created: typeof s.created };
    };
    expect(norm(st.minirun.stdout)).toEqual(norm(st.runc.stdout));
    expect(JSON.parse(st.minirun.stdout).status).toBe('created');
    const list = step(['list', '--format', 'json']);
    const mine = (t: string) =>
      (JSON.parse(t) as { id: string; status: string; owner: string; bundle: string }[])
        .filter((c) => c.id === 'ID')
        .map((c) => ({ status: c.status, owner: c.owner, bundle: c.bundle }));
    expect(mine(list.minirun.stdout)).toEqual(mine(list.runc.stdout));
    expect(mine(list.minirun.stdout)).toEqual([{ status: 'created', owner: user!.name, bundle }]);
    // exec into the created container: its init waits on the exec fifo, reachable by the user as runc's
    const early = step(['exec', 'ID', 'sh', '-c', 'echo created; id -u']);
    expect(early.minirun.stdout).toBe(early.runc.stdout);
    expect(early.minirun.stdout).toBe('created\n0\n');
    step(['start', 'ID']);
    const e = step(['exec', 'ID', 'sh', '-c', 'id; cat /proc/self/uid_map']);
    expect(e.minirun.stdout).toBe(e.runc.stdout);
    expect(e.minirun.stdout).toMatch(/^uid=0\(root\)/);
    // no cgroup of its own: ps, kill --all and pause fail as runc's do
    for (const args of [
      ['ps', 'ID'],
      ['kill', '--all', 'ID', 'KILL'],
      ['pause', 'ID'],
    ]) {
      const r = step(args);
      expect(r.minirun.code).toBe(1);
    }
    const upd = step(['update', '--memory', '100000000', 'ID']);
    expect(upd.minirun.code).toBe(1);
    expect(upd.minirun.stderr).toBe('minirun: cannot set memory limit: container could not join or create cgroup\n');
    expect(both(['pause', 'ID'], id).minirun.stderr).toMatch(
      /cannot toggle freezer: cgroups not configured for container\n$/,
    );
    step(['kill', 'ID', 'KILL']);
    for (const rt of RUNTIMES) {
      let status = '';
      for (let i = 0; i < 100 && status !== 'stopped'; i++) {
        status = JSON.parse(asUser(rt, ['state', id[rt]]).stdout).status;
        if (status !== 'stopped') spawnSync('sleep', ['0.05']);
      }
      expect(status).toBe('stopped');
    }
    step(['delete', 'ID']);
    expect(residue()).toEqual([]);
  });

  it('delete --force of a running container leaves nothing', () => {
    withConfig((c) => {
      c.process.args = ['sh', '-c', 'sleep 1000 & sleep 1000'];
    });
    const id = ids();
    for (const rt of RUNTIMES) {
      expect(asUser(rt, ['run', '--detach', id[rt]]).code).toBe(0);
      expect(asUser(rt, ['delete', '--force', id[rt]]).code).toBe(0);
    }
    expect(residue()).toEqual([]);
  });

  it('a device in linux.devices is a bind of the host node (no mknod in a user namespace), as with runc', () => {
    withConfig((c) => {
      c.process.args = ['sh', '-c', 'ls -ln /dev/fuse | cut -c1-10; grep " /dev/fuse " /proc/self/mountinfo | wc -l'];
      c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666 }];
    });
    const r = runBoth();
    expect(r.minirun.stdout).toBe('crw-rw-rw-\n1\n');
  });

  it('refused in one line: a device missing on the host, a net.* sysctl of the host network namespace, a memory limit, additional groups', () => {
    const cases: [(c: Config) => void, RegExp][] = [
      [
        (c) => (c.linux.devices = [{ path: '/dev/no-such-dev', type: 'c', major: 10, minor: 229 }]),
        /\/dev\/no-such-dev: ENOENT/,
      ],
      [
        (c) => (c.linux.sysctl = { 'net.ipv4.ip_forward': '1' }),
        /linux\.sysctl\.net\.ipv4\.ip_forward: requires a network namespace/,
      ],
      [
        (c) => (c.linux.resources = { memory: { limit: 100 * 1024 * 1024 } }),
        /cannot set memory limit: container could not join or create cgroup\n$/,
      ],
      [
        (c) => (c.process.user.additionalGids = [0]),
        /process\.user\.additionalGids: cannot set any additional groups in a rootless container/,
      ],
      [
        (c) => c.mounts.push({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['uid=5'] }),
        /mounts\[\d+\]\.options: uid=5: cannot specify uid= mount options for unmapped uid in rootless containers/,
      ],
      [
        (c) => (c.mounts[5] = { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'ro'] }),
        /mounts\[5\] \/sys: mount sysfs \(\): EPERM/,
      ],
    ];
    for (const [edit, words] of cases) {
      withConfig((c) => {
        c.process.args = ['true'];
        edit(c);
      });
      bothFail(words);
      expect(residue()).toEqual([]);
    }
  });

  // podman run by the user (it makes its user namespace with newuidmap and runs the runtime as root in it, with
  // no user namespace in the config): the runtime runs in a user namespace, as root there.
  const havePodman = ['podman', 'conmon'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
  (havePodman ? describe : describe.skip)('rootless podman --runtime minirun works as --runtime runc', () => {
    const IMAGE = 'localhost/minirun-rootless:latest';
    let pd = '';
    const podman = (runtime: Runtime, args: string[]): Result =>
      exec(
        'runuser',
        [
          '-u',
          user!.name,
          '--',
          'env',
          `XDG_RUNTIME_DIR=${xdg}`,
          `HOME=${pd}/home`,
          `CONTAINERS_CONF=${pd}/containers.conf`,
          'podman',
          '--root',
          `${pd}/storage`,
          '--runroot',
          `${pd}/run`,
          '--tmpdir',
          `${pd}/tmp`,
          '--storage-driver',
          'vfs',
          '--runtime',
          runtime === 'minirun' ? MINIRUN : 'runc',
          ...args,
        ],
        { cwd: pd, timeoutMs: 60_000 },
      );
    // podman's own warnings (a host / that is not shared) are not the runtimes'
    const view = (r: Result) => ({
      code: r.code,
      stdout: r.stdout,
      stderr: r.stderr
        .split('\n')
        .filter((l) => l !== '' && !/level=warning/.test(l))
        .join('\n'),
    });

    beforeAll(() => {
      pd = path.join(dir, 'podman');
      for (const d of ['home', 'net']) fs.mkdirSync(path.join(pd, d), { recursive: true });
      fs.writeFileSync(
        path.join(pd, 'containers.conf'),
        [
          '[containers]',
          'default_ulimits = []',
          '[engine]',
          'events_logger = "file"',
          'cgroup_manager = "cgroupfs"',
          '[network]',
          `network_config_dir = "${pd}/net"`,
          '',
        ].join('\n'),
      );
      run('tar', ['-C', path.join(bundle, 'rootfs'), '-cf', path.join(pd, 'rootfs.tar'), '.']);
      run('chown', ['-R', `${user!.uid}:${user!.gid}`, pd]);
      const imp = podman('runc', ['import', path.join(pd, 'rootfs.tar'), IMAGE]);
      if (imp.code !== 0) throw new Error(`podman import: ${imp.stderr}`);
    }, 120_000);

    afterAll(() => {
      if (!pd) return;
      podman('runc', ['rm', '--all', '--force', '--time', '0']);
      podman('runc', ['rmi', '--all', '--force']);
    });

    it('run --rm: output, exit status, ids and maps inside', () => {
      const script = 'echo hello; id; cat /proc/self/uid_map; ls -ln /dev/null | cut -c1-10; exit 3';
      const outs = RUNTIMES.map((rt) => podman(rt, ['run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', script]));
      expect(view(outs[1])).toEqual(view(outs[0]));
      expect(outs[1].code).toBe(3);
      expect(outs[1].stdout).toMatch(/^hello\nuid=0\(root\)/);
      expect(outs[1].stdout).toMatch(new RegExp(`^ +0 +${user!.uid} +1$`, 'm'));
      expect(outs[1].stdout).toMatch(/crw-rw-rw-\n$/);
    });

    it('run -d, exec, stop, inspect, rm', () => {
      for (const rt of RUNTIMES) {
        const name = `${ids()[rt]}`;
        const steps: Result[] = [
          podman(rt, ['run', '-d', '--name', name, '--network', 'none', IMAGE, 'sleep', '1000']),
          podman(rt, ['exec', name, 'sh', '-c', 'id; echo in']),
          podman(rt, ['stop', '-t', '0', name]),
          podman(rt, ['inspect', '-f', '{{.State.ExitCode}} {{.State.Status}}', name]),
          podman(rt, ['rm', name]),
        ];
        expect(steps.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
        expect(steps[1].stdout).toBe('uid=0(root) gid=0(root)\nin\n');
        expect(steps[3].stdout).toBe('137 exited\n');
      }
    });
  });
});
