// Shared by the integration tests: temp bundles from the fixture rootfs,
// running minirun and runc on them, and checking that nothing is left behind.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { makeBundle } from '../../src/fixtures/make-bundle';

export const MINIRUN = path.resolve(__dirname, '../../bin/minirun');

let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command; stdout and stderr go through temp files, not pipes, so that
 * a container left running (create, --detach) cannot hold the call open.
 */
export function exec(
  cmd: string,
  args: string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Result {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-out-'));
  const outFile = path.join(dir, 'out');
  const errFile = path.join(dir, 'err');
  const out = fs.openSync(outFile, 'w+');
  const err = fs.openSync(errFile, 'w+');
  try {
    const r = spawnSync(cmd, args, {
      cwd: opts.cwd,
      input: opts.input ?? '',
      stdio: ['pipe', out, err],
      timeout: opts.timeoutMs ?? 30_000,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '', ...opts.env },
    });
    return {
      code: r.status,
      signal: r.signal,
      stdout: fs.readFileSync(outFile, 'utf8'),
      stderr: fs.readFileSync(errFile, 'utf8'),
    };
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export type Config = Record<string, any>;

/** A private work dir with a bundle (fixture rootfs + runc's default spec) and state roots. */
export class Sandbox {
  readonly dir: string;
  readonly bundle: string;
  readonly minirunRoot: string;
  readonly runcRoot: string;

  private constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-it-'));
    this.bundle = path.join(this.dir, 'bundle');
    this.minirunRoot = path.join(this.dir, 'state-minirun');
    this.runcRoot = path.join(this.dir, 'state-runc');
  }

  static async create(args: string[] = ['sh']): Promise<Sandbox> {
    const sb = new Sandbox();
    await makeBundle(sb.bundle, { args });
    return sb;
  }

  get configPath(): string {
    return path.join(this.bundle, 'config.json');
  }

  config(): Config {
    return JSON.parse(fs.readFileSync(this.configPath, 'utf8'));
  }

  setConfig(c: Config): void {
    fs.writeFileSync(this.configPath, JSON.stringify(c, null, 2));
  }

  /** Edits config.json in place. */
  edit(f: (c: Config) => void): void {
    const c = this.config();
    f(c);
    this.setConfig(c);
  }

  setArgs(args: string[]): void {
    this.edit((c) => {
      c.process.args = args;
    });
  }

  minirun(args: string[], input?: string): Result {
    return exec(MINIRUN, ['--root', this.minirunRoot, ...args], { cwd: this.bundle, input });
  }

  runc(args: string[], input?: string): Result {
    return exec('runc', ['--root', this.runcRoot, ...args], { cwd: this.bundle, input });
  }

  /** The same command through the runtime named. */
  cli(runtime: 'runc' | 'minirun', args: string[], input?: string): Result {
    return runtime === 'runc' ? this.runc(args, input) : this.minirun(args, input);
  }

  /** Runs the bundle through both runtimes with fresh ids. */
  runBoth(input = 'hello\n'): { minirun: Result; runc: Result } {
    const id = uniqueId('cmp');
    return { runc: this.runc(['run', `${id}-r`], input), minirun: this.minirun(['run', `${id}-m`], input) };
  }

  /** Everything left on the host that mentions this sandbox, as readable lines. */
  residue(): string[] {
    const left: string[] = [];
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
    for (const m of mounts) if (m.includes(this.dir)) left.push(`mount: ${m}`);
    if (fs.existsSync(this.minirunRoot)) {
      for (const e of fs.readdirSync(this.minirunRoot)) left.push(`state: ${path.join(this.minirunRoot, e)}`);
    }
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const root = fs.readlinkSync(`/proc/${pid}/root`);
        if (root.startsWith(this.bundle)) left.push(`process ${pid} rooted in the bundle`);
      } catch {
        // gone, or not ours to read
      }
    }
    return left;
  }

  cleanup(): void {
    // Best effort even after a failed test: stop anything runc still has.
    if (fs.existsSync(this.runcRoot)) {
      for (const id of fs.readdirSync(this.runcRoot)) this.runc(['delete', '-f', id]);
    }
    for (const m of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
      const mp = m.split(' ')[4];
      if (mp && mp.startsWith(this.dir)) spawnSync('umount', ['-l', mp]);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * One sandbox for a describe block: made (and `setup` applied to its config)
 * before the first test, config.json put back after each test, removed after
 * the last. The value stands for the sandbox once beforeAll has run.
 */
export function suiteSandbox(args: string[] = ['sh'], setup: (c: Config) => void = () => {}): Sandbox {
  let sb: Sandbox | undefined;
  let pristine: Config;
  beforeAll(async () => {
    sb = await Sandbox.create(args);
    sb.edit(setup);
    pristine = sb.config();
  });
  afterEach(() => sb?.setConfig(structuredClone(pristine)));
  afterAll(() => sb?.cleanup());
  return new Proxy({} as Sandbox, {
    get(_, key) {
      if (!sb) throw new Error('the suite sandbox is made in beforeAll');
      const v = Reflect.get(sb, key, sb);
      return typeof v === 'function' ? v.bind(sb) : v;
    },
  });
}

/**
 * Waits until a background `events` (process `pid`) is watching for OOM
 * kills, so that a kill that follows is seen: runc holds memory.oom_control
 * open (v1) or an inotify fd (v2); minirun says so in its --debug `log`.
 */
export async function eventsWatching(pid: number, minirunLog?: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let v1Seen = false;
  // runc: on v2 an inotify fd watching memory.events and cgroup.events (two watches in its fdinfo);
  // on v1 memory.oom_control and the eventfd it registers in cgroup.event_control
  const ready = (): boolean => {
    if (minirunLog)
      return fs.existsSync(minirunLog) && fs.readFileSync(minirunLog, 'utf8').includes('events: watching');
    try {
      const fds = fs.readdirSync(`/proc/${pid}/fd`).map((fd) => [fd, fs.readlinkSync(`/proc/${pid}/fd/${fd}`)]);
      const inotify = fds.find(([, link]) => link === 'anon_inode:inotify');
      if (inotify)
        return (fs.readFileSync(`/proc/${pid}/fdinfo/${inotify[0]}`, 'utf8').match(/^inotify wd:/gm) ?? []).length >= 2;
      const v1 =
        fds.some(([, link]) => link.endsWith('/memory.oom_control')) &&
        fds.some(([, link]) => link === 'anon_inode:[eventfd]');
      if (v1 && !v1Seen) {
        v1Seen = true;
        return false; // the registration write follows the eventfd: one more poll
      }
      return v1;
    } catch {
      return false; // not started yet, or an fd closed while reading
    }
  };
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`events (pid ${pid}) was not watching after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** /proc/self/mountinfo reduced to what must match: mount point, options, fstype, super options. */
export function normaliseMountinfo(text: string): string[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const f = line.split(' ');
      const sep = f.indexOf('-');
      return [f[4], f[5], f[sep + 1], f[sep + 3]].join(' ');
    });
}

/**
 * How minirun's one error line starts: runc's "<command> failed: " form for
 * run, create and exec ("minirun run failed: "), `minirun: ` for the others.
 */
export const ERROR_START = /^minirun(?:: | (?:run|create|exec) failed: )/;
/** One such line and nothing else. */
export const ERROR_LINE = new RegExp(`${ERROR_START.source}[^\\n]+\\n$`);

/**
 * The exit status `docker run` gives for a runtime's create/start error, by
 * Docker 20.10's rule (docker/cli runStartContainerErr; the daemon's
 * translateContainerdStartErr looks for the same words, lowercased): 127 when
 * the text has "executable file not found", "no such file or directory" or
 * "system cannot find the file specified", else 126 with "permission denied",
 * else 125. Case-sensitive: runc's words, as Go spells errno texts.
 */
export function dockerRunStatus(message: string): number {
  if (
    ['executable file not found', 'no such file or directory', 'system cannot find the file specified'].some((w) =>
      message.includes(w),
    )
  )
    return 127;
  return message.includes('permission denied') ? 126 : 125;
}

/** The msg of runc's logrus error line on stderr (`level=error msg="..."`), unquoted. */
export function runcMessage(stderr: string): string {
  const m = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(stderr);
  if (!m) throw new Error(`no runc error line in: ${stderr}`);
  return JSON.parse(`"${m[1]}"`) as string;
}

export const isRoot = process.getuid?.() === 0;
export const hasRunc = spawnSync('runc', ['--version']).status === 0;

/** The shape of `events --stats` data: each value's type, arrays by their first item (raw counters, the page cache and blkio left out). */
export function statsShape(x: unknown): unknown {
  if (Array.isArray(x)) return x.length ? [statsShape(x[0])] : [];
  if (x && typeof x === 'object')
    return Object.fromEntries(
      Object.entries(x)
        .filter(([k]) => !['raw', 'cache', 'blkio'].includes(k))
        .map(([k, v]) => [k, statsShape(v)]),
    );
  return typeof x;
}
