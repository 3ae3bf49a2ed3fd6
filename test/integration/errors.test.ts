// Bad configs and bad CLI uses: each gets one line naming the field or
// argument, exit status 1, and leaves nothing behind (mounts, state, processes).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dockerRunStatus,
  ERROR_LINE,
  ERROR_START,
  exec,
  isRoot,
  MINIRUN,
  runcMessage,
  suiteSandbox,
  uniqueId,
  type Config,
} from './harness';

const suite = isRoot ? describe : describe.skip;

suite('one-line errors, exit 1, no residue', () => {
  const sb = suiteSandbox(['true']);

  function expectCleanFailure(args: string[], message: RegExp): void {
    const r = sb.minirun(args);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(ERROR_START);
    expect(r.code).toBe(1);
    expect(sb.residue()).toEqual([]);
  }

  const configs: [string, (c: Config) => void, RegExp][] = [
    [
      'relative mount destination',
      (c) => (c.mounts[2].destination = 'data'),
      /mounts\[2\]\.destination: must be an absolute path/,
    ],
    ['empty args', (c) => (c.process.args = []), /process\.args/],
    ['env entry without =', (c) => c.process.env.push('NOEQUALS'), /process\.env\[2\]/],
    ['NUL byte in an arg', (c) => (c.process.args = ['sh\u0000x']), /process\.args\[0\].*NUL/],
    ['duplicate namespace', (c) => c.linux.namespaces.push({ type: 'pid' }), /linux\.namespaces\[5\]/],
    ['unknown namespace type', (c) => c.linux.namespaces.push({ type: 'bogus' }), /linux\.namespaces\[5\]\.type/],
    [
      'unknown capability',
      (c) => c.process.capabilities.bounding.push('CAP_NOPE'),
      /process\.capabilities\.bounding\[3\].*CAP_NOPE/,
    ],
    [
      'rlimit soft above hard',
      (c) => (c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2048, hard: 1024 }]),
      /process\.rlimits\[0\]/,
    ],
    [
      'unknown rlimit',
      (c) => (c.process.rlimits = [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }]),
      /process\.rlimits\[0\]\.type/,
    ],
    ['relative cwd', (c) => (c.process.cwd = 'tmp'), /process\.cwd/],
    ['missing ociVersion', (c) => delete c.ociVersion, /ociVersion/],
    ['oomScoreAdj out of range', (c) => (c.process.oomScoreAdj = 5000), /process\.oomScoreAdj/],
    [
      'hostname without a uts namespace',
      (c) => (c.linux.namespaces = c.linux.namespaces.filter((n: Config) => n.type !== 'uts')),
      /hostname/,
    ],
    ['user namespace without mappings', (c) => c.linux.namespaces.push({ type: 'user' }), /uidMappings|gidMappings/],
    ['root.path that does not exist', (c) => (c.root.path = 'nope'), /root\.path/],
    ['non-namespaced sysctl', (c) => (c.linux.sysctl = { 'vm.swappiness': '1' }), /linux\.sysctl\.vm\.swappiness/],
    [
      'bind source that does not exist',
      (c) => c.mounts.push({ destination: '/data', source: '/nonexistent-minirun', options: ['bind'] }),
      /mounts\[7\] \/data: bind source \/nonexistent-minirun: ENOENT/,
    ],
    [
      'namespace path that does not exist',
      (c) => (c.linux.namespaces[1] = { type: 'network', path: '/nonexistent-ns' }),
      /network namespace at \/nonexistent-ns: ENOENT/,
    ],
    [
      'namespace path of the wrong type',
      (c) => (c.linux.namespaces[1] = { type: 'network', path: '/proc/self/ns/uts' }),
      /network path \/proc\/self\/ns\/uts is a uts namespace/,
    ],
    [
      'a capability the host bounding set lacks',
      (c) => {
        for (const set of ['bounding', 'effective', 'permitted']) c.process.capabilities[set].push('CAP_SYS_RESOURCE');
      },
      /capabilities: .*EPERM/,
    ],
    [
      'a launch plan larger than one message to the init helper',
      (c) => {
        for (let i = 0; i < 40; i++) c.process.env.push(`BIG${i}=${'x'.repeat(32 * 1024)}`);
      },
      /the launch plan is \d+ bytes: one message to the init helper carries at most \d+ \(/,
    ],
    [
      'proc mounted over a symlink',
      (c) => {
        c.mounts[0].destination = '/proclink';
      },
      /mounts\[0\] \/proclink: proc must be mounted on ordinary directory/,
    ],
  ];

  for (const [name, mutate, message] of configs) {
    it(`config: ${name}`, () => {
      sb.edit(mutate);
      if (name === 'proc mounted over a symlink') {
        fs.rmSync(path.join(sb.bundle, 'rootfs/proclink'), { force: true });
        fs.symlinkSync('/etc', path.join(sb.bundle, 'rootfs/proclink'));
      }
      try {
        expectCleanFailure(['run', uniqueId('err')], message);
      } finally {
        fs.rmSync(path.join(sb.bundle, 'rootfs/proclink'), { force: true });
      }
    });
  }

  it('config: invalid JSON', () => {
    fs.writeFileSync(sb.configPath, '{"ociVersion": "1.0.2",');
    expectCleanFailure(['run', uniqueId('err')], /config\.json: invalid JSON/);
  });

  it('config: a 100 MB config.json', () => {
    const fd = fs.openSync(sb.configPath, 'w');
    fs.ftruncateSync(fd, 100 * 1024 * 1024);
    fs.closeSync(fd);
    expectCleanFailure(['run', uniqueId('err')], /config\.json: .*too large/);
  });

  it('config: no config.json', () => {
    fs.rmSync(sb.configPath);
    expectCleanFailure(['run', uniqueId('err')], /config\.json: .*ENOENT/);
  });

  const cli: [string, string[], RegExp][] = [
    ['missing container id', ['run'], /missing required argument/],
    ['container id with a slash', ['run', 'a/b'], /container id: invalid "a\/b"/],
    ['container id ..', ['run', '..'], /container id: invalid "\.\."/],
    ['unknown flag', ['run', '--bogus', 'x'], /unknown option '--bogus'/],
    [
      'bundle that does not exist',
      ['run', '--bundle', '/nonexistent-bundle', 'x'],
      /--bundle \/nonexistent-bundle: ENOENT/,
    ],
    ['bad --log-format', ['--log-format', 'xml', 'run', 'x'], /--log-format: must be text or json/],
    ['bad --rootless', ['--rootless', 'maybe', 'run', 'x'], /--rootless: must be true, false or auto, got "maybe"/],
    [
      'checkpoint',
      ['--criu', '/usr/sbin/criu', 'checkpoint', '--image-path', '/tmp/x', 'x'],
      /^minirun: checkpoint: not supported yet \(minirun has no CRIU support\)\n$/,
    ],
    ['restore', ['restore', '--bundle', '.', 'x'], /^minirun: restore: not supported yet/],
  ];
  for (const [name, args, message] of cli) {
    it(`cli: ${name}`, () => expectCleanFailure(args, message));
  }

  // runc: "runc run failed: unable to start container process: exec: ...",
  // in Go's words, which Docker and podman map to exit 127 or 126.
  const unrunnable: [string, string, number][] = [
    ['a path that does not exist', '/nonexistent', 127],
    ['a name not in $PATH', 'no-such-program', 127],
    ['a file without execute bits', '/etc/passwd', 126],
    ['a directory', '/tmp', 126],
  ];
  for (const [name, program, status] of unrunnable) {
    it(`run: a program that cannot run, in runc's words (Docker: ${status}): ${name}`, () => {
      sb.setArgs([program]);
      const id = uniqueId('nx');
      const runc = sb.runc(['run', `${id}-r`]);
      const words = runcMessage(runc.stderr).replace(/^runc run failed: unable to start container process: /, '');
      expectCleanFailure(
        ['run', `${id}-m`],
        new RegExp(`^minirun run failed: ${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: E[A-Z]+\n$`),
      );
      expect(runc.code).toBe(1);
      expect([dockerRunStatus(runc.stderr), dockerRunStatus(sb.minirun(['run', `${id}-m2`]).stderr)]).toEqual([
        status,
        status,
      ]);
    });
  }

  it('create: a program the user cannot execute (a noexec mount) fails create, as runc', () => {
    const dir = path.join(sb.dir, 'noexec');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(sb.bundle, 'rootfs/bin/busybox'), path.join(dir, 'bb'));
    fs.chmodSync(path.join(dir, 'bb'), 0o755);
    sb.edit((c) => {
      c.mounts.push({ destination: '/mnt', type: 'bind', source: dir, options: ['bind', 'noexec'] });
      c.process.args = ['/mnt/bb', 'true'];
    });
    const id = uniqueId('nx');
    try {
      const runc = sb.runc(['create', `${id}-r`]);
      expect(runc.code).toBe(1);
      expect(runcMessage(runc.stderr)).toBe(
        'runc create failed: unable to start container process: exec /mnt/bb: permission denied',
      );
      expectCleanFailure(
        ['create', `${id}-m`],
        /^minirun create failed: exec: \/mnt\/bb: permission denied: EACCES\n$/,
      );
    } finally {
      sb.runc(['delete', '-f', `${id}-r`]);
      sb.minirun(['delete', '-f', `${id}-m`]);
    }
  });

  it('cli: --rootless true|false|auto and --criu are accepted, as runc (go-runc passes them)', () => {
    sb.setArgs(['sh', '-c', 'echo ran']);
    for (const flags of [
      ['--rootless', 'true'],
      ['--rootless=false'],
      ['--rootless', 'auto', '--criu', '/usr/sbin/criu'],
    ]) {
      const r = sb.minirun([...flags, 'run', uniqueId('rl')]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('ran\n');
      expect(r.code).toBe(0);
    }
    expect(sb.residue()).toEqual([]);
  });

  it('cli: --systemd-cgroup where systemd is not pid 1 fails as runc fails it, before anything is made', () => {
    // (the driver itself is tested in the qemu guest, where systemd is pid 1: test/vm/systemd-v2.test.ts)
    const id = uniqueId('sd');
    const runc = sb.runc(['--systemd-cgroup', 'run', id]);
    const words = 'systemd not running on this host, cannot use systemd cgroups manager';
    expect(runcMessage(runc.stderr)).toBe(`runc run failed: ${words}`);
    const r = sb.minirun(['--systemd-cgroup', 'run', id]);
    expect(r.stderr).toBe(`minirun run failed: ${words}\n`);
    expect(r.code).toBe(1);
    expect(sb.residue()).toEqual([]);
  });

  it('cli: an id already in use', () => {
    const id = uniqueId('dup');
    sb.setArgs(['sh', '-c', 'exec sleep 30 </dev/null >/dev/null 2>&1']);
    const first = sb.minirun(['run', '--detach', id]);
    expect(first.code).toBe(0);
    try {
      const r = sb.minirun(['run', id]);
      expect(r.stderr).toBe(`minirun run failed: container with id exists: ${id}\n`);
      expect(r.code).toBe(1);
    } finally {
      const state = JSON.parse(fs.readFileSync(path.join(sb.minirunRoot, id, 'state.json'), 'utf8'));
      process.kill(state.pid, 'SIGKILL');
      for (const d of state.cgroupDirs ?? []) {
        for (let i = 0; i < 50 && fs.existsSync(d.path); i++) {
          try {
            fs.rmdirSync(d.path);
          } catch {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
          }
        }
      }
      fs.rmSync(path.join(sb.minirunRoot, id), { recursive: true, force: true });
    }
  });
});

suite('command line edges, as runc', () => {
  const cases: string[][] = [
    [],
    ['--help'],
    ['state'],
    ['kill'],
    ['delete'],
    ['start'],
    ['ps'],
    ['exec'],
    ['list', 'extra'],
    ['features', 'extra'],
    ['run', '--bundle', '/nonexistent', 'x'],
    ['spec', '--bundle', '/nonexistent'],
    ['kill', 'no-such-container', '9'],
  ];
  const rootDir = `/tmp/minirun-edges-${process.pid}`;
  afterAll(() => fs.rmSync(rootDir, { recursive: true, force: true })); // the runtimes may make it
  for (const args of cases) {
    it(`minirun ${args.join(' ') || '(no arguments)'} exits as runc does`, () => {
      const root = ['--root', rootDir];
      const runc = exec('runc', [...root, ...args]);
      const minirun = exec(MINIRUN, [...root, ...args]);
      expect(minirun.code).toBe(runc.code);
      if (minirun.code !== 0) expect(minirun.stderr).toMatch(ERROR_LINE);
    });
  }

  // urfave/cli: a first word that is no command runs its help action on that
  // word, "No help topic for 'foo'", exit status 3, also with -h after it;
  // `help foo` (and `h foo`) the same.
  for (const args of [
    ['foo'],
    ['foo', '-h'],
    ['foo', '--help'],
    ['help', 'foo'],
    ['h', 'foo'],
    ['help', 'foo', 'bar'],
  ]) {
    it(`minirun ${args.join(' ')}: runc's exit status 3 and its words, on stderr and in --log`, () => {
      fs.mkdirSync(rootDir, { recursive: true });
      const logs = {
        runc: path.join(rootDir, `runc-${args.join('-')}.json`),
        minirun: path.join(rootDir, `minirun-${args.join('-')}.json`),
      };
      const runc = exec('runc', ['--root', rootDir, '--log', logs.runc, '--log-format', 'json', ...args]);
      const minirun = exec(MINIRUN, ['--root', rootDir, '--log', logs.minirun, '--log-format', 'json', ...args]);
      expect(runc.code).toBe(3);
      expect(runc.stderr).toContain("No help topic for 'foo'");
      expect(minirun.code).toBe(3);
      expect(minirun.stdout).toBe('');
      expect(minirun.stderr).toBe("minirun: foo: unknown command (No help topic for 'foo')\n");
      const logged = fs
        .readFileSync(logs.minirun, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(logged.map((l) => [l.level, l.msg])).toEqual([
        ['error', "foo: unknown command (No help topic for 'foo')"],
      ]);
    });
  }

  it('help [command] and its alias h print the help, exit 0, as runc; so does -h before a word', () => {
    for (const args of [['help'], ['h'], ['help', 'exec'], ['h', 'state'], ['exec', '-h'], ['-h', 'foo']]) {
      const runc = exec('runc', ['--root', rootDir, ...args]);
      const minirun = exec(MINIRUN, ['--root', rootDir, ...args]);
      const topic = args.find((a) => a === 'exec' || a === 'state');
      expect([args, runc.code, minirun.code, minirun.stderr]).toEqual([args, 0, 0, '']);
      expect(minirun.stdout).toMatch(
        topic ? new RegExp(`^Usage: minirun ${topic} `) : /^Usage: minirun \[options\] \[command\]/,
      );
    }
  });
});
