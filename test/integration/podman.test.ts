// podman (4.3) driving minirun (--runtime) as it drives runc, through conmon.
// podman gets a containers.conf of the test's own (no default ulimits: this
// host's bounding set lacks CAP_SYS_RESOURCE, see shared/HOST.md), private
// storage, run and tmp dirs, and a cgroup parent of its own that is removed
// afterwards.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { have, importRootfs, podmanIn, type Podman } from './engines';
import { isRoot, MINIRUN, Sandbox, uniqueId } from './harness';

const suite = isRoot && ['podman', 'conmon', 'runc'].every(have) ? describe : describe.skip;
const RUNC = spawnSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).stdout.trim();
const TOOLS = path.resolve(__dirname, '../tools');
const IMAGE = 'localhost/minirun-fixture:latest';

suite('podman --runtime minirun works as podman --runtime runc', () => {
  let sb: Sandbox;
  let pm: Podman | undefined;
  const cgroupParent = `/minirun-podman-${process.pid}`;
  // minirun by the name containers.conf gives it ([engine.runtimes], as the README shows), runc by path.
  const runtimes = () =>
    [
      ['minirun', 'minirun'],
      ['runc', RUNC],
    ] as const;

  const podman = (runtime: string, args: string[]) => pm!.run(runtime, args);
  // A container of this test: no network (nothing to leave behind), our cgroup parent.
  const runArgs = (...more: string[]) => ['run', '--network', 'none', '--cgroup-parent', cgroupParent, ...more];

  beforeAll(async () => {
    sb = await Sandbox.create();
    pm = podmanIn(sb, { cgroupManager: 'cgroupfs', timeout: 60_000, conf: { runtimes: { minirun: MINIRUN } } });
    const imp = importRootfs(pm, sb, RUNC, IMAGE);
    expect(imp.stderr).not.toMatch(/Error/);
    expect(imp.code).toBe(0);
  }, 120_000);

  afterAll(() => {
    if (pm) {
      podman(RUNC, ['rm', '--all', '--force', '--time', '0']);
      podman(RUNC, ['rmi', '--all', '--force']);
    }
    // Only the cgroups under this test's own parent, deepest first.
    for (const h of fs.readdirSync('/sys/fs/cgroup')) {
      const top = path.join('/sys/fs/cgroup', h, cgroupParent);
      if (!fs.existsSync(top)) continue;
      // conmon also makes plain directories (with a `tasks` file) under names that no hierarchy is
      // mounted on here (hugetlb, net_cls ...): those are removed as files, cgroups with rmdir
      if (fs.statfsSync(top).type !== 0x27e0eb /* CGROUP_SUPER_MAGIC */ && fs.statfsSync(top).type !== 0x63677270)
        fs.rmSync(top, { recursive: true, force: true });
      else spawnSync('find', [top, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
    }
    sb?.cleanup();
  });

  it('run --rm: output and exit status', () => {
    const outs = runtimes().map(([, rt]) =>
      podman(rt, runArgs('--rm', IMAGE, 'sh', '-c', 'echo hello; /bin/probe ids; /bin/probe caps; exit 3')),
    );
    expect(outs[1].code).toBe(3);
    expect(outs[1].stdout).toMatch(/^hello\nuid 0\n/);
    expect(outs[0]).toEqual(outs[1]);
  });

  it('pid 1 ignores a signal it sends itself; its child killed by one: 128+n, as with runc', () => {
    const outs = runtimes().map(([, rt]) =>
      podman(rt, runArgs('--rm', IMAGE, 'sh', '-c', '/bin/probe kill 15; echo "child $?"; /bin/probe kill 9')),
    );
    expect(outs.map((o) => [o.stdout, o.code])).toEqual([
      ['child 143\n', 3],
      ['child 143\n', 3],
    ]);
  });

  it('a missing program: podman reports the runtime error, exit 127 with both', () => {
    const outs = runtimes().map(([, rt]) => podman(rt, runArgs('--rm', IMAGE, '/no/such/program')));
    expect(outs[1].code).toBe(127);
    expect(outs[0].code).toBe(127);
    expect(outs[0].stderr).toMatch(/no\/such\/program/);
  });

  // podman puts the runtime's name before the error line it reads from the
  // runtime's stderr: runc's is "runc create failed: ...", minirun's must not
  // start with "minirun: " again. The words are runc's, so podman's exit status too.
  it("a program that cannot run: one line in runc's words, the runtime named once, 127/126 as with runc", () => {
    for (const [program, status, words] of [
      ['/no/such/program', 127, 'no such file or directory'],
      ['/etc/passwd', 126, 'permission denied'],
    ] as const) {
      const outs = runtimes().map(([, rt]) => podman(rt, runArgs('--rm', IMAGE, program)));
      expect([program, outs[0].code, outs[1].code]).toEqual([program, status, status]);
      expect(outs[1].stderr).toContain(words);
      expect(outs[0].stderr).toMatch(
        new RegExp(`^Error: minirun: minirun create failed: exec: "${program}": [^\n]*${words}[^\n]*\n$`),
      );
    }
  });

  it('--read-only (tmpcopyup tmpfs), --user, caps, limits, hostname: the same container inside', () => {
    const probe =
      'hostname; /bin/probe ids; /bin/probe caps; /bin/probe seccomp; /bin/probe rlimits; ' +
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; ls -la /run /tmp /var/tmp; ' +
      'echo x > /tmp/w && echo tmp-writable; echo x > /w 2>/dev/null || echo root-read-only; /bin/probe mounts | sort';
    const outs = runtimes().map(([, rt]) =>
      podman(
        rt,
        runArgs(
          '--rm',
          '--read-only',
          '--user',
          '1000:1000',
          '--cap-drop',
          'ALL',
          '--cap-add',
          'NET_RAW',
          '--memory',
          '64m',
          '--pids-limit',
          '50',
          '--hostname',
          'box',
          IMAGE,
          'sh',
          '-c',
          probe,
        ),
      ),
    );
    expect(outs[1].code).toBe(0);
    expect(outs[1].stdout).toContain('tmp-writable\nroot-read-only\n');
    expect(outs[1].stdout).toContain('67108864\n50\n');
    expect(outs[0].stdout).toBe(outs[1].stdout);
    expect(outs[0].code).toBe(0);
  });

  it('run -t: a terminal, typed input, exit status', () => {
    const outs = runtimes().map(([, rt]) => {
      const r = spawnSync(
        'python3',
        [
          path.join(TOOLS, 'in-pty.py'),
          '/bin/probe isatty 0; echo typed-$((6*7))\nexit 5\n',
          'podman',
          ...pm!.flags,
          '--runtime',
          rt,
          ...runArgs('--rm', '-it', IMAGE, 'sh'),
        ],
        { encoding: 'utf8', env: pm!.env, timeout: 60_000 },
      );
      return { code: r.status, tty: r.stdout.includes('\ntty\n'), answer: r.stdout.includes('typed-42') };
    });
    expect(outs[1]).toEqual({ code: 5, tty: true, answer: true });
    expect(outs[0]).toEqual(outs[1]);
  });

  it('run -d, exec (with and without -t), top, pause/unpause, kill, wait, stop, rm', () => {
    const seen = runtimes().map(([name, rt]) => {
      const name1 = uniqueId(`pm-${name}`);
      const steps: Record<string, unknown> = {};
      expect(podman(rt, runArgs('-d', '--name', name1, IMAGE, '/bin/probe', 'pause')).code).toBe(0);
      try {
        const ex = podman(rt, ['exec', name1, 'sh', '-c', 'echo exec-ok; /bin/probe isatty 0; exit 4']);
        steps.exec = [ex.stdout, ex.code];
        const ext = podman(rt, ['exec', '-t', name1, '/bin/probe', 'isatty', '1']);
        steps.execTty = [ext.stdout.replace(/\r/g, ''), ext.code];
        steps.top = podman(rt, ['top', name1, 'pid', 'args'])
          .stdout.trim()
          .split('\n')
          .slice(1)
          .map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '));
        steps.pause = podman(rt, ['pause', name1]).code;
        steps.paused = podman(rt, ['inspect', '--format', '{{.State.Status}}', name1]).stdout.trim();
        steps.unpause = podman(rt, ['unpause', name1]).code;
        steps.running = podman(rt, ['inspect', '--format', '{{.State.Status}}', name1]).stdout.trim();
        // probe pause ends on SIGTERM with status 0: stop needs no SIGKILL.
        steps.stop = podman(rt, ['stop', '--time', '10', name1]).code;
        steps.exited = podman(rt, [
          'inspect',
          '--format',
          '{{.State.Status}} {{.State.ExitCode}}',
          name1,
        ]).stdout.trim();
        // Start again, then kill it: wait reports 137.
        steps.start = podman(rt, ['start', name1]).code;
        steps.kill = podman(rt, ['kill', '--signal', 'KILL', name1]).code;
        steps.wait = podman(rt, ['wait', name1]).stdout.trim();
        steps.rm = podman(rt, ['rm', name1]).code;
        steps.gone = podman(rt, ['ps', '--all', '--quiet', '--filter', `name=${name1}`]).stdout.trim();
      } finally {
        podman(rt, ['rm', '--force', '--time', '0', name1]);
      }
      return steps;
    });
    expect(seen[1]).toEqual({
      exec: ['exec-ok\nnot a tty\n', 4],
      execTty: ['tty\n', 0],
      top: ['1 /bin/probe pause'],
      pause: 0,
      paused: 'paused',
      unpause: 0,
      running: 'running',
      stop: 0,
      exited: 'exited 0',
      start: 0,
      kill: 0,
      wait: '137',
      rm: 0,
      gone: '',
    });
    expect(seen[0]).toEqual(seen[1]);
  });
});
