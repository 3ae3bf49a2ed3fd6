// Terminals: process.terminal in the foreground (on a real pty), and the pty
// master sent to --console-socket (received like runc's recvtty), for run,
// create/start and exec; compared with runc.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, MINIRUN, suiteSandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;
const TOOLS = path.resolve(__dirname, '../tools');
type Runtime = 'minirun' | 'runc';

interface Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  vmin: number;
  vtime: number;
}
interface PtySession {
  status: number;
  /** what the command wrote to its terminal, carriage returns kept */
  out: string;
  before: Termios;
  /** once the marker was seen */
  during: Termios | null;
  after: Termios;
}

/** Runs a command on a new pty of its own (test/tools/pty-session.py): its output and the pty's settings over time. */
function ptySession(
  cmd: string[],
  o: { marker?: string; input?: string; signal?: string; stdinNull?: boolean } = {},
): PtySession {
  const flags = [
    ...(o.marker ? ['--marker', o.marker] : []),
    ...(o.input ? ['--input', o.input] : []),
    ...(o.signal ? ['--signal', o.signal] : []),
    ...(o.stdinNull ? ['--stdin-null'] : []),
  ];
  const r = spawnSync('python3', [path.join(TOOLS, 'pty-session.py'), ...flags, '--', ...cmd], {
    encoding: 'utf8',
    timeout: 40_000,
  });
  if (r.status !== 0) throw new Error(`pty-session.py: ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout) as PtySession;
}

/**
 * A session as compared with runc's. runc starts the process before it has
 * cleared ONLCR on the pty and made the caller's terminal raw (minirun does
 * both first), so under load runc's first lines may carry a second "\r", and
 * its terminal may still be cooked when they appear (a line typed then is
 * echoed twice): the comparison takes each line once and leaves out the
 * termios seen meanwhile; minirun's own output and termios are checked exactly.
 */
const vsRunc = (s: PtySession) => ({
  status: s.status,
  // each line once: a line typed while runc's terminal is still cooked is echoed twice
  lines: [...new Set(s.out.replace(/\r+\n/g, '\n').split('\n'))],
  before: s.before,
  after: s.after,
});

// termios flags (asm-generic/termbits.h)
const ICANON = 0o2;
const ECHO = 0o10;
const ICRNL = 0o400;

suite('terminals match runc', () => {
  const sb = suiteSandbox(['sh'], (c) => {
    c.process.terminal = true;
    c.process.consoleSize = { height: 30, width: 100 };
    c.process.args = ['sh', '-c', 'tty; read x; echo got:$x; ls -l /dev/console; stty size; exit 3'];
  });

  const bin = (rt: Runtime) => (rt === 'minirun' ? MINIRUN : 'runc');
  const root = (rt: Runtime) => (rt === 'minirun' ? sb.minirunRoot : sb.runcRoot);
  const cli = (rt: Runtime, args: string[]) => (rt === 'minirun' ? sb.minirun(args) : sb.runc(args));
  /** dates in `ls -l` differ from run to run */
  const norm = (s: string) => s.replace(/\w{3} +\d+ \d\d:\d\d/g, 'DATE').replace(/\r/g, '');

  // Whatever a test left running or stopped, even when it failed.
  afterEach(() => {
    for (const rt of ['minirun', 'runc'] as Runtime[]) {
      for (const id of cli(rt, ['list', '-q']).stdout.split('\n').filter(Boolean)) cli(rt, ['delete', '-f', id]);
    }
  });

  /** Starts a recvtty on a fresh socket, runs `use(socket)`, returns what came through the pty. */
  async function throughConsoleSocket(use: (socket: string) => void, input = 'hello\n'): Promise<string> {
    const socket = path.join(sb.dir, `${uniqueId('tty')}.sock`);
    const recv = spawn('python3', [path.join(TOOLS, 'recvtty.py'), socket, input]);
    let out = '';
    recv.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve) => recv.stdout.once('data', () => resolve()));
    use(socket);
    await new Promise<void>((resolve) => recv.on('exit', () => resolve()));
    return norm(out.replace(/\r\n/g, '\n'));
  }

  it('run in the foreground on a terminal', () => {
    const outs = (['minirun', 'runc'] as Runtime[]).map((rt) => {
      const r = spawnSync(
        'python3',
        [
          path.join(TOOLS, 'in-pty.py'),
          'abc\n',
          bin(rt),
          '--root',
          root(rt),
          'run',
          '--bundle',
          sb.bundle,
          uniqueId('fg'),
        ],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      return [r.status, norm(r.stdout)];
    });
    expect(outs[0]).toEqual(outs[1]);
    expect(outs[0][0]).toBe(3);
    expect(outs[0][1]).toMatch(/^\/dev\/pts\/0\n/);
  });

  it('run --detach --console-socket', async () => {
    const outs: string[] = [];
    for (const rt of ['minirun', 'runc'] as Runtime[]) {
      const id = uniqueId('cs');
      outs.push(
        await throughConsoleSocket((socket) =>
          expect(cli(rt, ['run', '-d', '--console-socket', socket, id]).code).toBe(0),
        ),
      );
      cli(rt, ['delete', '-f', id]);
    }
    expect(outs[0]).toEqual(outs[1]);
    expect(outs[0]).toContain('name=/dev/ptmx\nisatty=True\n');
    expect(outs[0]).toContain('got:hello\n');
    expect(outs[0]).toContain('30 100\n');
  });

  it('create --console-socket, then start', async () => {
    const outs: string[] = [];
    for (const rt of ['minirun', 'runc'] as Runtime[]) {
      const id = uniqueId('cc');
      outs.push(
        await throughConsoleSocket((socket) => {
          expect(cli(rt, ['create', '--console-socket', socket, id]).code).toBe(0);
          expect(cli(rt, ['start', id]).code).toBe(0);
        }),
      );
      cli(rt, ['delete', '-f', id]);
    }
    expect(outs[0]).toEqual(outs[1]);
  });

  it('exec --tty in the foreground and with --console-socket', async () => {
    sb.edit((c) => (c.process = { ...c.process, terminal: false, args: ['sleep', '300'] }));
    const outs: unknown[] = [];
    for (const rt of ['minirun', 'runc'] as Runtime[]) {
      const id = uniqueId('et');
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      try {
        const fg = spawnSync(
          'python3',
          [
            path.join(TOOLS, 'in-pty.py'),
            'xyz\n',
            bin(rt),
            '--root',
            root(rt),
            'exec',
            '--tty',
            id,
            'sh',
            '-c',
            'tty; read a; echo "[$a]"',
          ],
          {
            encoding: 'utf8',
            timeout: 30_000,
          },
        );
        const viaSocket = await throughConsoleSocket((socket) =>
          expect(
            cli(rt, [
              'exec',
              '--tty',
              '--detach',
              '--console-socket',
              socket,
              id,
              'sh',
              '-c',
              'echo ready; read a; echo "<$a>"',
            ]).code,
          ).toBe(0),
        );
        // the pty echoes the typed line whenever it arrives: compare the lines, not their order
        outs.push([fg.status, norm(fg.stdout).split('\n').sort().join('\n'), viaSocket]);
      } finally {
        cli(rt, ['delete', '-f', id]);
      }
    }
    expect(outs[0]).toEqual(outs[1]);
  });

  it('refuses a foreground terminal when minirun itself has none, as runc (no residue)', () => {
    // setsid: no controlling terminal, as in CI
    const outs = (['minirun', 'runc'] as Runtime[]).map((rt) => {
      const r = spawnSync('setsid', ['-w', bin(rt), '--root', root(rt), 'run', '--bundle', sb.bundle, uniqueId('nt')], {
        encoding: 'utf8',
        input: '',
      });
      return { code: r.status, stderr: r.stderr };
    });
    expect(outs[0].code).toBe(outs[1].code);
    expect(outs[0].stderr).toMatch(
      /^minirun run failed: process\.terminal: minirun has no terminal to attach the container to \(open \/dev\/tty: ENXIO\)/,
    );
    expect(sb.residue()).toEqual([]);
  });

  it('refuses a detached terminal without a console socket, and a socket without a terminal', () => {
    const id = uniqueId('bad');
    for (const args of [
      ['run', '-d', id],
      ['create', id],
    ]) {
      const runc = cli('runc', args);
      const minirun = cli('minirun', args);
      expect(minirun.code).toBe(runc.code);
      expect(minirun.stderr).toMatch(
        new RegExp(`^minirun ${args[0]} failed: --console-socket: required for a terminal`),
      );
    }
    sb.edit((c) => (c.process.terminal = false));
    const r = cli('minirun', ['run', '-d', '--console-socket', path.join(sb.dir, 'x.sock'), id]);
    expect(r.code).toBe(cli('runc', ['run', '-d', '--console-socket', path.join(sb.dir, 'x.sock'), `${id}-r`]).code);
    expect(r.stderr).toMatch(/^minirun run failed: --console-socket: only for a process with a terminal/);
    expect(sb.residue()).toEqual([]);
  });

  /** minirun or runc with its --root, ready for a command */
  const rtCmd = (rt: Runtime) => [bin(rt), '--root', root(rt)];

  it("the pty is the process user's, in the group devpts gives it (tty), for run, --console-socket and exec --tty", async () => {
    // tty.bats "runc run [tty owner]" and "runc exec [tty owner]": uid 1000 gid 100, the tty's group stays 5
    const show = 'stat -c %u:%g:%a $(tty); stat -L -c %u:%g /proc/self/fd/0';
    sb.edit((c) => {
      c.process.user = { uid: 1000, gid: 100 };
      c.process.args = ['sh', '-c', show];
    });
    const outs: string[][] = [];
    for (const rt of ['minirun', 'runc'] as Runtime[]) {
      const fg = ptySession([...rtCmd(rt), 'run', '--bundle', sb.bundle, uniqueId('own')]);
      const id = uniqueId('owncs');
      const viaSocket = await throughConsoleSocket(
        (socket) => expect(cli(rt, ['run', '-d', '--console-socket', socket, id]).code).toBe(0),
        '',
      );
      outs.push([String(fg.status), fg.out, viaSocket]);
    }
    sb.edit((c) => {
      c.process.terminal = false;
      c.process.args = ['sleep', '300'];
    });
    for (const [i, rt] of (['minirun', 'runc'] as Runtime[]).entries()) {
      const id = uniqueId('ownex');
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      const fg = ptySession([...rtCmd(rt), 'exec', '--tty', id, 'sh', '-c', show]);
      const viaSocket = await throughConsoleSocket(
        (socket) =>
          expect(cli(rt, ['exec', '--tty', '--detach', '--console-socket', socket, id, 'sh', '-c', show]).code).toBe(0),
        '',
      );
      outs[i].push(String(fg.status), fg.out, viaSocket);
    }
    // runc makes the caller's terminal raw only after the process may have written: a line that
    // comes before then passes both ptys' ONLCR (\r\r\n), now and then under load. minirun's
    // terminal is raw before the process starts, so its lines are matched as they came.
    const runcOuts = outs[1].map((o) => o.replace(/\r\r\n/g, '\r\n'));
    expect(outs[0], JSON.stringify(outs)).toEqual(runcOuts);
    for (const out of outs[0].filter((_, i) => i % 3 !== 0)) expect(out).toMatch(/^1000:5:620\r?\n1000:5\r?\n$/m);
  });

  it('a half-set process.consoleSize is not applied, as runc', async () => {
    sb.edit((c) => {
      c.process.consoleSize = { height: 30, width: 0 };
      c.process.args = ['sh', '-c', 'stty -a | head -n 1'];
    });
    const outs: string[] = [];
    for (const rt of ['minirun', 'runc'] as Runtime[]) {
      outs.push(
        await throughConsoleSocket(
          (socket) => expect(cli(rt, ['run', '-d', '--console-socket', socket, uniqueId('half')]).code).toBe(0),
          '',
        ),
      );
    }
    expect(outs[0]).toEqual(outs[1]);
    expect(outs[0]).toContain('\nspeed 38400 baud; line = 0;\n');
  });

  it("in the foreground, the caller's terminal is raw while the process runs and put back after; the pty adds no second \\r", () => {
    sb.edit((c) => (c.process.args = ['sh', '-c', 'echo ready; read -t 2 x; echo got:$x; printf "a\\nb\\n"; exit 3']));
    const sessions = (['minirun', 'runc'] as Runtime[]).map((rt) => ({
      // typed in: the terminal on stdin (and stdout, stderr) is made raw
      typed: ptySession([...rtCmd(rt), 'run', '--bundle', sb.bundle, uniqueId('raw')], {
        marker: 'ready',
        input: 'hi\n',
      }),
      // stdin elsewhere: stderr is the terminal made raw
      noStdin: ptySession([...rtCmd(rt), 'run', '--bundle', sb.bundle, uniqueId('raw')], {
        marker: 'ready',
        stdinNull: true,
      }),
    }));
    sb.edit((c) => (c.process.args = ['/no/such/program']));
    // a process that cannot start: the terminal is put back all the same
    const failed = (['minirun', 'runc'] as Runtime[]).map((rt) => {
      const s = ptySession([...rtCmd(rt), 'run', '--bundle', sb.bundle, uniqueId('rawf')]);
      return { status: s.status, restored: s.after };
    });
    const comparable = (x: { typed: PtySession; noStdin: PtySession }) => ({
      typed: vsRunc(x.typed),
      noStdin: vsRunc(x.noStdin),
    });
    expect(comparable(sessions[0])).toEqual(comparable(sessions[1]));
    expect(failed[0]).toEqual(failed[1]);
    const { typed, noStdin } = sessions[0];
    expect(typed.status).toBe(3);
    expect(typed.out).toBe('ready\r\nhi\r\ngot:hi\r\na\r\nb\r\n');
    expect(noStdin.out).toBe('ready\r\ngot:\r\na\r\nb\r\n');
    for (const s of [typed, noStdin]) {
      expect(s.during!.lflag & (ICANON | ECHO)).toBe(0);
      expect(s.during!.iflag & ICRNL).toBe(0);
      expect(s.after).toEqual(s.before);
    }
    expect(failed[0].status).not.toBe(0);
    expect(failed[0].restored).toEqual(typed.before);
  });

  it("exec --tty in the foreground: the caller's terminal raw, then put back, output as runc's", () => {
    sb.edit((c) => {
      c.process.terminal = false;
      c.process.args = ['sleep', '300'];
    });
    const sessions = (['minirun', 'runc'] as Runtime[]).map((rt) => {
      const id = uniqueId('rawx');
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      return ptySession([...rtCmd(rt), 'exec', '--tty', id, 'sh', '-c', 'echo ready; read x; echo "[$x]"; exit 4'], {
        marker: 'ready',
        input: 'hi\n',
      });
    });
    expect(vsRunc(sessions[0])).toEqual(vsRunc(sessions[1]));
    expect(sessions[0].out).toBe('ready\r\nhi\r\n[hi]\r\n');
    expect(sessions[0].status).toBe(4);
    expect(sessions[0].during!.lflag & (ICANON | ECHO)).toBe(0);
    expect(sessions[0].after).toEqual(sessions[0].before);
  });

  it('in the foreground, all a process writes to its terminal right before it exits reaches our stdout, as runc', () => {
    // The container writes 64 KiB in 8 KiB writes and exits at once: the end of it is still on its way
    // through the pty when the master reports POLLHUP. A libuv tty stream (before libuv 1.52) took that,
    // after a short read, for the end and lost the rest (on 2 loaded cores: 2 runs of these 5 short, 20
    // of 20 in a shell loop); runc reads on until the kernel's EIO. Under script(1), as the runc suite's
    // harness runs it; stdout a file.
    sb.edit((c) => (c.process.args = ['dd', 'if=/dev/zero', 'bs=8192', 'count=8']));
    const zeros = (rt: Runtime) => {
      const out = path.join(sb.dir, `${uniqueId('burst')}.out`);
      const cmd = [...rtCmd(rt), 'run', '--bundle', sb.bundle, uniqueId('burst')].join(' ');
      const r = spawnSync('script', ['-e', '-q', '-c', `${cmd} >${out} 2>/dev/null`, '/dev/null'], {
        input: '',
        timeout: 30_000,
      });
      expect(r.status).toBe(0);
      // the pty's echo of a NUL (script's EOF in raw mode, "^@") may come too: count only the NULs written
      return fs.readFileSync(out).filter((b) => b === 0).length;
    };
    const counts = (['minirun', 'runc'] as Runtime[]).map((rt) => [1, 2, 3, 4, 5].map(() => zeros(rt)));
    expect(counts[1]).toEqual([65536, 65536, 65536, 65536, 65536]);
    expect(counts[0]).toEqual(counts[1]);
  });

  it('SIGINT to a foreground terminal run: the terminal is put back and the runtime exits 0 at once, leaving the container, as runc', () => {
    // runc's handleInterrupt: Reset, os.Exit(0); the signal is not forwarded
    sb.edit((c) => (c.process.args = ['sh', '-c', 'trap "echo int >&2" INT; echo ready; sleep 3; echo done']));
    const results = (['minirun', 'runc'] as Runtime[]).map((rt) => {
      const id = uniqueId('int');
      const s = ptySession([...rtCmd(rt), 'run', '--bundle', sb.bundle, id], { marker: 'ready', signal: 'INT' });
      const state = cli(rt, ['state', id]);
      return {
        status: s.status,
        out: s.out,
        restored: s.after,
        before: s.before,
        left: state.code === 0 ? JSON.parse(state.stdout).status : state.stderr,
      };
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0]).toMatchObject({ status: 0, out: 'ready\r\n', left: 'running' });
    expect(results[0].restored).toEqual(results[0].before);
  });
});
