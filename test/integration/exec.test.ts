// exec into a running container, through minirun and runc: the same output
// and exit status for each invocation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerRunStatus, exec, hasRunc, isRoot, MINIRUN, runcMessage, Sandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

suite('exec matches runc', () => {
  let sb: Sandbox;
  // One id per runtime (the same id would share one cgroup); ID in a case stands for it.
  const base = uniqueId('ex');
  const id = 'ID';
  const withId = (args: string[], rt: string) => args.map((a) => (a === id ? `${base}-${rt}` : a));
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1']);
    expect(sb.runc(['run', '-d', `${base}-runc`]).code).toBe(0);
    expect(sb.minirun(['run', '-d', `${base}-minirun`]).code).toBe(0);
  });
  afterAll(() => {
    sb?.runc(['delete', '-f', `${base}-runc`]);
    sb?.minirun(['delete', '-f', `${base}-minirun`]);
    sb?.cleanup();
  });

  const cases: [string, string[]][] = [
    ['not pid 1; ids; hostname', [id, 'sh', '-c', '[ $$ -gt 1 ] && echo not-init; id; hostname']],
    [
      'the same namespaces as the init',
      [
        id,
        'sh',
        '-c',
        'for n in ipc mnt net pid uts; do [ "$(readlink /proc/1/ns/$n)" = "$(readlink /proc/self/ns/$n)" ] && echo $n same; done',
      ],
    ],
    ['the container cgroups', [id, 'sh', '-c', 'grep -v "^0::" /proc/self/cgroup | sed "s/:.*:/:/"']],
    ['the container caps and no_new_privs', [id, '/bin/probe', 'caps']],
    ['env: the config env plus --env', ['--env', 'FOO=bar', '--env', 'PATH=/bin', id, '/bin/probe', 'env']],
    ['--user and --cwd', ['--user', '1000:1000', '--cwd', '/tmp', id, 'sh', '-c', 'id; pwd']],
    ['--additional-gids', ['--user', '1000:1000', '--additional-gids', '1234', id, '/bin/probe', 'ids']],
    ['--cap', ['--cap', 'CAP_SYS_ADMIN', id, '/bin/probe', 'caps']],
    ['exit status', [id, 'sh', '-c', 'exit 9']],
    ['killed by a signal', [id, 'sh', '-c', 'kill -KILL $$']],
    ['stdin is copied in', [id, 'sh', '-c', 'read a; echo "<$a>"']],
    ['options after the command belong to it', [id, 'ls', '-d', '/proc']],
    ['a command that does not exist', [id, 'no-such-command']],
    ['a container that does not exist', ['no-such-container-x', 'true']],
  ];
  for (const [name, args] of cases) {
    it(name, () => {
      const runc = sb.runc(['exec', ...withId(args, 'runc')], 'line\n');
      const minirun = sb.minirun(['exec', ...withId(args, 'minirun')], 'line\n');
      expect(minirun.stdout.replaceAll(`${base}-minirun`, 'ID')).toBe(runc.stdout.replaceAll(`${base}-runc`, 'ID'));
      expect(minirun.code).toBe(runc.code);
      if (runc.code === 255) expect(minirun.stderr).toMatch(/^minirun exec failed: [^\n]+\n$/);
    });
  }

  it('--process runs a whole process section', () => {
    const file = path.join(sb.dir, 'process.json');
    const proc = {
      ...sb.config().process,
      args: ['sh', '-c', 'echo from-process-json; id -u'],
      user: { uid: 7, gid: 7 },
    };
    fs.writeFileSync(file, JSON.stringify(proc));
    const runc = sb.runc(['exec', '--process', file, `${base}-runc`]);
    const minirun = sb.minirun(['exec', '--process', file, `${base}-minirun`]);
    expect(minirun.stdout).toBe(runc.stdout);
    expect(minirun.stdout).toBe('from-process-json\n7\n');
  });

  it('--process with a bad field names the file and the field', () => {
    const file = path.join(sb.dir, 'bad-process.json');
    fs.writeFileSync(file, JSON.stringify({ ...sb.config().process, cwd: 'relative' }));
    const r = sb.minirun(['exec', '--process', file, `${base}-minirun`]);
    expect(r.stderr).toBe(
      `minirun exec failed: --process ${file}: process.cwd: must be an absolute path, got "relative"\n`,
    );
    expect(r.code).toBe(255); // runc exec's status when it cannot start the process
  });

  // runc reads -p with os.Open and a JSON decoder, so any readable file, a pipe
  // too (its tty.bats: `runc exec -p <(echo ...)`). What the file leaves out
  // is what a zero specs.Process has: uid 0, gid 0, no env but HOME, no
  // rlimits, noNewPrivileges false; only capabilities fall back to the
  // container's. (The container here has rlimits and noNewPrivileges.)
  it('--process from a pipe (<(...), /dev/stdin), with the fields runc defaults left out', () => {
    const script = 'id; env | sort; grep -E "^(Cap|NoNewPrivs)" /proc/self/status; ulimit -Hn; pwd';
    const bare = JSON.stringify({ args: ['/bin/sh', '-c', script], cwd: '/' });
    const outs = (['runc', 'minirun'] as const).map((rt) => {
      const [bin, root] = rt === 'runc' ? ['runc', sb.runcRoot] : [MINIRUN, sb.minirunRoot];
      const viaFd = exec('bash', [
        '-c',
        '"$0" --root "$1" exec -p <(printf %s "$2") "$3"',
        bin,
        root,
        bare,
        `${base}-${rt}`,
      ]);
      const viaStdin = exec('bash', [
        '-c',
        'printf %s "$2" | "$0" --root "$1" exec -p /dev/stdin "$3"',
        bin,
        root,
        bare,
        `${base}-${rt}`,
      ]);
      return [viaFd, viaStdin].map((r) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr }));
    });
    expect(outs[0][0].code).toBe(0);
    expect(outs[0][0].stdout).toMatch(/^uid=0\(root\) gid=0\(root\)\nHOME=\/root\n/);
    expect(outs[0][0].stdout).toMatch(/^NoNewPrivs:\t0$/m);
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[0][1]).toEqual(outs[0][0]);
  });

  // runc's init words a program it cannot run as Go's exec.LookPath does,
  // and Docker and podman map those words to exit 127 or 126.
  const unrunnable: [string, string, number][] = [
    ['a path that does not exist', '/nonexistent', 127],
    ['a name not in $PATH', 'no-such-command', 127],
    ['a file without execute bits', '/etc/passwd', 126],
    ['a directory', '/tmp', 126],
    ['a path through a file', '/etc/passwd/x', 125],
  ];
  for (const [name, program, status] of unrunnable) {
    it(`a program that cannot run, in runc's words (Docker: ${status}): ${name}`, () => {
      const runc = sb.runc(['exec', `${base}-runc`, program]);
      const minirun = sb.minirun(['exec', `${base}-minirun`, program]);
      expect([runc.code, minirun.code]).toEqual([255, 255]);
      // runc: "exec failed: unable to start container process: exec: ..."
      const words = runcMessage(runc.stderr).replace(/^exec failed: unable to start container process: /, '');
      expect(minirun.stderr).toMatch(/^minirun exec failed: [^\n]+\n$/);
      expect(minirun.stderr).toContain(`minirun exec failed: ${words}`);
      expect([dockerRunStatus(runc.stderr), dockerRunStatus(minirun.stderr)]).toEqual([status, status]);
    });
  }

  it('with --log, the error line on stderr is the json msg, as runc\'s ("exec failed: ...")', () => {
    const msgs = (['runc', 'minirun'] as const).map((rt) => {
      const log = path.join(sb.dir, `exec-log-${rt}.json`);
      const r = sb.cli(rt, ['--log', log, '--log-format', 'json', 'exec', `${base}-${rt}`, '/nonexistent']);
      const logged = fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      fs.rmSync(log);
      expect(r.code).toBe(255);
      expect(logged.map((l) => [l.level, `${l.msg}\n`])).toEqual([['error', r.stderr]]);
      return r.stderr;
    });
    expect(msgs[0]).toMatch(/^exec failed: /);
    expect(msgs[1]).toMatch(
      /^minirun exec failed: exec: "\/nonexistent": stat \/nonexistent: no such file or directory: ENOENT\n$/,
    );
  });

  it('--detach with --pid-file', () => {
    const pidFile = path.join(sb.dir, 'exec.pid');
    const r = sb.minirun([
      'exec',
      '--detach',
      '--pid-file',
      pidFile,
      `${base}-minirun`,
      'sh',
      '-c',
      'exec sleep 1 </dev/null >/dev/null 2>&1',
    ]);
    expect(r.code).toBe(0);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\u00001\u0000');
  });

  describe('--cgroup: an existing sub-cgroup of the container', () => {
    /** The container's cgroup directory in one v1 hierarchy, from its init's /proc/<pid>/cgroup. */
    const dirOf = (rt: 'runc' | 'minirun', controller: string): string => {
      const state = JSON.parse(sb.cli(rt, ['state', `${base}-${rt}`]).stdout);
      const line = fs
        .readFileSync(`/proc/${state.pid}/cgroup`, 'utf8')
        .split('\n')
        .find((l) => l.split(':')[1] === controller)!;
      return `/sys/fs/cgroup/${controller.replace('name=', '')}${line.split(':')[2]}`;
    };
    beforeAll(() => {
      for (const rt of ['runc', 'minirun'] as const)
        for (const c of ['memory', 'pids']) fs.mkdirSync(`${dirOf(rt, c)}/sub`);
    });
    const both = (args: string[]) => {
      const runc = sb.runc(['exec', ...withId(args, 'runc')]);
      const minirun = sb.minirun(['exec', ...withId(args, 'minirun')]);
      return {
        runc,
        minirun,
        norm: (s: string) => s.replaceAll(`${base}-minirun`, 'ID').replaceAll(`${base}-runc`, 'ID'),
      };
    };
    const cgroupLines = [id, 'sh', '-c', 'grep -E ":(memory|pids|cpu):" /proc/self/cgroup | cut -d: -f2-'];

    it('controller:path moves the process in those hierarchies only, as runc', () => {
      const { runc, minirun, norm } = both(['--cgroup', 'memory,pids:sub', ...cgroupLines]);
      expect(runc.code).toBe(0);
      expect(norm(minirun.stdout)).toBe(norm(runc.stdout));
      expect(minirun.stdout).toMatch(/^pids:\/.*\/sub\n/m);
      expect(minirun.stdout).toMatch(/^cpu:\/[^/]*-minirun\n/m);
      expect(minirun.code).toBe(0);
    });

    it('repeated --cgroup, and a path given as absolute or with a trailing slash', () => {
      const { runc, minirun, norm } = both(['--cgroup', 'memory:/sub/', '--cgroup', 'pids:sub', ...cgroupLines]);
      expect(runc.code).toBe(0);
      expect(norm(minirun.stdout)).toBe(norm(runc.stdout));
    });

    const bad: [string, string[], RegExp][] = [
      [
        'a sub-cgroup that does not exist',
        ['--cgroup', 'memory:nope'],
        /^minirun exec failed: --cgroup: no such cgroup: error adding pid to \/sys\/fs\/cgroup\/memory\/.*\/nope\/cgroup\.procs: no such file or directory\n$/,
      ],
      [
        'a path alone goes to every hierarchy: missing in cpu',
        ['--cgroup', 'sub'],
        /^minirun exec failed: --cgroup: no such cgroup: error adding pid to \/sys\/fs\/cgroup\/cpu\/.*\/sub\/cgroup\.procs: no such file or directory\n$/,
      ],
      [
        'an unknown controller',
        ['--cgroup', 'bogus:sub'],
        /^minirun exec failed: --cgroup: unknown controller "bogus" \(the container's are cpu, .*name=systemd\)\n$/,
      ],
      [
        'two colons',
        ['--cgroup', 'memory:a:b'],
        /^minirun exec failed: --cgroup: "memory:a:b": must be \[<controller>:\]<path>\n$/,
      ],
      // runc: "exec failed: unable to create new parent process: .. is not a sub cgroup path" (bats greps for " .. is not a sub cgroup path")
      [
        "a path out of the container's cgroup",
        ['--cgroup', 'memory:..'],
        /^minirun exec failed: --cgroup: \.\. is not a sub cgroup path \(it leads out of the container's cgroup \/sys\/fs\/cgroup\/memory\/\S+\)\n$/,
      ],
      [
        "a path alone out of the container's cgroup",
        ['--cgroup', '..'],
        /^minirun exec failed: --cgroup: \.\. is not a sub cgroup path \(it leads out of the container's cgroup \/sys\/fs\/cgroup\/\S+\)\n$/,
      ],
      [
        'a path alone among several',
        ['--cgroup', 'sub', '--cgroup', 'pids:sub'],
        /^minirun exec failed: --cgroup: "sub": needs a <controller>: prefix when --cgroup is given more than once\n$/,
      ],
    ];
    for (const [name, flags, message] of bad) {
      it(`fails as runc does: ${name}`, () => {
        const { runc, minirun } = both([...flags, id, 'true']);
        expect(runc.code).toBe(255);
        if (/sub cgroup path/.test(message.source)) expect(runc.stderr).toContain(' .. is not a sub cgroup path');
        expect(minirun.stderr).toMatch(message);
        expect(minirun.code).toBe(255);
      });
    }

    it('ps and kill --all see a process in a sub-cgroup; delete -f removes the sub-cgroups, as runc', () => {
      const ids: Record<string, string> = {};
      for (const rt of ['runc', 'minirun'] as const) {
        const cli = (args: string[]) => (rt === 'runc' ? sb.runc(args) : sb.minirun(args));
        const cid = uniqueId(`exsub-${rt}`);
        ids[rt] = cid;
        expect(cli(['run', '-d', cid]).code).toBe(0);
        try {
          const init = JSON.parse(cli(['state', cid]).stdout).pid;
          const line = (c: string) =>
            fs
              .readFileSync(`/proc/${init}/cgroup`, 'utf8')
              .split('\n')
              .find((l) => l.split(':')[1] === c)!
              .split(':')[2];
          const dirs = ['memory', 'pids', 'cpu', 'freezer'].map((c) => `/sys/fs/cgroup/${c}${line(c)}`);
          for (const d of dirs) fs.mkdirSync(`${d}/sub/deeper`, { recursive: true });
          expect(cli(['exec', '-d', '--cgroup', 'memory,pids,cpu,freezer:sub/deeper', cid, 'sleep', '300']).code).toBe(
            0,
          );
          const ps = cli(['ps', '--format', 'json', cid]);
          expect(JSON.parse(ps.stdout)).toHaveLength(2);
          expect(cli(['kill', '--all', cid, 'KILL']).code).toBe(0);
          for (let i = 0; i < 100 && JSON.parse(cli(['state', cid]).stdout).status !== 'stopped'; i++)
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
          expect(cli(['delete', '-f', cid]).code).toBe(0);
          expect(dirs.filter((d) => fs.existsSync(d))).toEqual([]);
        } finally {
          cli(['delete', '-f', cid]);
        }
      }
    });
  });
});
