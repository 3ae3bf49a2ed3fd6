// Running hooks, in the order given, with the state on stdin and their
// timeout enforced. prestart, createRuntime, poststart and poststop run in
// the runtime's namespaces; createContainer and startContainer in the
// container's, through a join-only launch of the init helper.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { launch } from '../native/launch';
import type { Addon } from '../native/addon';
import { buildHookPlan, type HookContainer } from '../plan/exec';
import type { Hook } from '../config/types';
import { sleepSync } from '../output';
import { debug } from '../log';

export type HookKind = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop';

function failure(kind: HookKind, i: number, hook: Hook, why: string, output: string): MiniRunError {
  const first = output.trim().split('\n')[0];
  return new MiniRunError(
    'HOOK',
    `hooks.${kind}[${i}] ${hook.path}: error running hook: ${why}${first ? `: ${first}` : ''}`,
  );
}

// Go's words for the signals (runc's "signal: bad system call").
const SIGNAL_WORDS: Record<number, string> = {
  1: 'hangup',
  2: 'interrupt',
  3: 'quit',
  4: 'illegal instruction',
  5: 'trace/breakpoint trap',
  6: 'aborted',
  7: 'bus error',
  8: 'floating point exception',
  9: 'killed',
  10: 'user defined signal 1',
  11: 'segmentation fault',
  12: 'user defined signal 2',
  13: 'broken pipe',
  14: 'alarm clock',
  15: 'terminated',
  31: 'bad system call',
};

function signalWords(signal: number | NodeJS.Signals): string {
  const n = typeof signal === 'number' ? signal : (os.constants.signals as Record<string, number>)[signal];
  return `signal: ${SIGNAL_WORDS[n] ?? `signal ${n}`}`;
}

function envObject(env: readonly string[]): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const kv of env) {
    const eq = kv.indexOf('=');
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

/** Runs hooks in the runtime's namespaces; the first failure throws. */
export function runHostHooks(kind: HookKind, hooks: readonly Hook[] | undefined, state: string): void {
  (hooks ?? []).forEach((hook, i) => runHostHook(kind, i, hook, state));
}

/** Runs hooks.<kind>[i]; its failure throws. */
function runHostHook(kind: HookKind, i: number, hook: Hook, state: string): void {
  const argv = hook.args && hook.args.length > 0 ? hook.args : [hook.path];
  debug(() => `hook ${kind}[${i}]: ${argv.join(' ')}`);
  const r = spawnSync(hook.path, argv.slice(1), {
    argv0: argv[0],
    env: hook.env ? envObject(hook.env) : process.env,
    input: state,
    encoding: 'utf8',
    timeout: hook.timeout ? hook.timeout * 1000 : undefined,
    killSignal: 'SIGKILL',
  });
  const output = `${r.stderr ?? ''}\n${r.stdout ?? ''}`;
  const error: NodeJS.ErrnoException | undefined = r.error;
  const code = error?.code;
  if (code === 'ETIMEDOUT') throw failure(kind, i, hook, `ran past its timeout of ${hook.timeout}s`, '');
  // A hook may exit without reading the state: EPIPE then says nothing (Go's os/exec ignores it too).
  if (r.error && !(code === 'EPIPE' && (r.status !== null || r.signal !== null))) {
    throw failure(kind, i, hook, `cannot run: ${code}`, '');
  }
  if (r.signal) throw failure(kind, i, hook, signalWords(r.signal), output);
  if (r.status !== 0) throw failure(kind, i, hook, `exit status ${r.status}`, output);
}

/** poststop: failures are warnings, and the other hooks still run. */
export function runHostHooksWarnOnly(
  kind: HookKind,
  hooks: readonly Hook[] | undefined,
  state: string,
  warn: (msg: string) => void,
): void {
  (hooks ?? []).forEach((hook, i) => {
    try {
      runHostHook(kind, i, hook, state);
    } catch (e) {
      warn((e as Error).message);
    }
  });
}

/** Runs hooks in the namespaces of the container's init. */
export function runContainerHooks(
  addon: Addon,
  kind: 'createContainer' | 'startContainer',
  hooks: readonly Hook[] | undefined,
  state: string,
  target: {
    pid: number;
    rootfs: string;
    container: HookContainer;
    seccompListener?: (pid: number, fd: number) => void;
  },
): void {
  if (!hooks || hooks.length === 0) return;
  hooks.forEach((hook, i) => {
    const plan = buildHookPlan(kind, target.container, target.pid, target.rootfs, hook);
    const [stdinR, stdinW] = addon.pipe();
    const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-hook-')), 'out');
    try {
      const out = fs.openSync(outFile, 'w+');
      let pid = -1;
      try {
        fs.writeSync(stdinW, state); // far below a pipe's capacity
        addon.close(stdinW);
        pid = launch(addon, plan, [stdinR, out, out], {
          placeInit: () => undefined,
          seccompListener: target.seccompListener,
        }).pid;
      } catch (e) {
        throw failure(kind, i, hook, (e as Error).message, '');
      } finally {
        addon.close(stdinR);
        fs.closeSync(out);
      }
      const deadline = hook.timeout ? Date.now() + hook.timeout * 1000 : Infinity;
      let status = addon.waitSync(pid, true);
      while (!status && Date.now() < deadline) {
        sleepSync(2);
        status = addon.waitSync(pid, true);
      }
      const output = fs.readFileSync(outFile, 'utf8');
      if (!status) {
        addon.kill(pid, 9);
        addon.waitSync(pid);
        throw failure(kind, i, hook, `ran past its timeout of ${hook.timeout}s`, '');
      }
      if (status.signal !== null) throw failure(kind, i, hook, signalWords(status.signal), output);
      if (status.code !== 0) throw failure(kind, i, hook, `exit status ${status.code}`, output);
    } finally {
      // also when the hook could not be started
      fs.rmSync(path.dirname(outFile), { recursive: true, force: true });
    }
  });
}
