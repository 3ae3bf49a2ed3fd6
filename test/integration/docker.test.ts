// Docker (Debian's docker.io, 20.10) driving minirun (--runtime) as it drives
// runc, through containerd's runc shim: a private dockerd of the test's own
// (its own data and exec roots and socket, no iptables, no bridge: containers
// run with --network none; vfs storage, so nothing is mounted for images; a
// cgroup parent of its own), stopped and removed afterwards. Docker turns a
// runtime's create error into an exit status by runc's words ("no such file
// or directory", "executable file not found", "permission denied"): 127 or
// 126, as with runc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, MINIRUN, Sandbox } from './harness';

const DOCKERD = '/usr/sbin/dockerd';
const DOCKER = '/usr/bin/docker'; // Debian's client, of the daemon's version
const suite = isRoot && fs.existsSync(DOCKERD) && fs.existsSync(DOCKER) ? describe : describe.skip;
const IMAGE = 'minirun-fixture:latest';
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

suite('docker --runtime minirun works as docker --runtime runc', () => {
  let sb: Sandbox;
  let d: string;
  let daemon: ChildProcess | undefined;
  const cgroupParent = `/minirun-docker-${process.pid}`;
  const docker = (args: string[]) => {
    const r = spawnSync(DOCKER, ['-H', `unix://${d}/docker.sock`, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const run = (runtime: string, ...args: string[]) =>
    docker(['run', '--rm', '--runtime', runtime, '--network', 'none', IMAGE, ...args]);

  beforeAll(async () => {
    sb = await Sandbox.create();
    d = path.join(sb.dir, 'docker');
    fs.mkdirSync(d);
    const log = fs.openSync(`${d}/dockerd.log`, 'w'); // dockerd logs on stderr: kept out of the test's output
    daemon = spawn(
      DOCKERD,
      [
        '--data-root',
        `${d}/data`,
        '--exec-root',
        `${d}/exec`,
        '-H',
        `unix://${d}/docker.sock`,
        '--pidfile',
        `${d}/docker.pid`,
        '--iptables=false',
        '--ip6tables=false',
        '--bridge=none',
        '--storage-driver',
        'vfs',
        '--exec-opt',
        'native.cgroupdriver=cgroupfs',
        '--cgroup-parent',
        cgroupParent,
        '--add-runtime',
        `minirun=${MINIRUN}`,
      ],
      { stdio: ['ignore', log, log] },
    );
    for (let i = 0; i < 300 && docker(['version']).code !== 0; i++) pause(100);
    expect(docker(['version']).code, fs.readFileSync(`${d}/dockerd.log`, 'utf8')).toBe(0);
    const tar = path.join(d, 'rootfs.tar');
    expect(spawnSync('tar', ['-C', path.join(sb.bundle, 'rootfs'), '-cf', tar, '.']).status).toBe(0);
    expect(docker(['import', tar, IMAGE]).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      docker(['rm', '--force', ...docker(['ps', '-aq']).stdout.split('\n').filter(Boolean)]);
      const gone = new Promise((resolve) => daemon!.once('exit', resolve));
      daemon.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
    }
    // Only the cgroups under this test's own parent, deepest first.
    for (const h of fs.readdirSync('/sys/fs/cgroup')) {
      const top = path.join('/sys/fs/cgroup', h, cgroupParent);
      if (fs.existsSync(top)) spawnSync('find', [top, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
    }
    sb?.cleanup();
  }, 60_000);

  it('run --rm: output and exit status', () => {
    const outs = ['runc', 'minirun'].map((rt) => run(rt, 'sh', '-c', 'echo hello; /bin/probe ids; exit 3'));
    expect(outs[0].code).toBe(3);
    expect(outs[0].stdout).toMatch(/^hello\nuid 0\n/);
    expect(outs[1]).toEqual(outs[0]);
  });

  it("a program that cannot run: exit 127 or 126 from the runtime's words, as with runc", () => {
    const cases: [string, number][] = [
      ['/nonexistent', 127],
      ['nosuchcmd', 127],
      ['/etc/passwd', 126],
      ['/etc', 126],
    ];
    for (const [program, status] of cases) {
      const [runc, minirun] = ['runc', 'minirun'].map((rt) => run(rt, program));
      expect([program, runc.code]).toEqual([program, status]);
      expect([program, minirun.code, minirun.stderr]).toEqual([
        program,
        status,
        expect.stringMatching(/OCI runtime create failed: minirun create failed: exec: /),
      ]);
    }
  });
});
