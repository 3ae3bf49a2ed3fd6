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
import { buildHookPlan } from '../plan/exec';
import type { Hook, Namespace } from '../spec/types';
import { sleepSync } from '../output';
import { debug } from '../log';

export type HookKind = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop';

function failure(kind: HookKind, i: number, hook: Hook, why: string, output: string): MiniRunError {
  const first = output.trim().split('\n')[0];
  return new MiniRunError('HOOK', `hooks.${kind}[${i}] ${hook.path}: ${why}${first ? `: ${first}` : ''}`);
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
  (hooks ?? []).forEach((hook, i) => {
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
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ETIMEDOUT') throw failure(kind, i, hook, `ran past its timeout of ${hook.timeout}s`, '');
    // A hook may exit without reading the state: EPIPE then says nothing (Go's os/exec ignores it too).
    if (r.error && !(code === 'EPIPE' && (r.status !== null || r.signal !== null))) {
      throw failure(kind, i, hook, `cannot run: ${code}`, '');
    }
    if (r.signal) throw failure(kind, i, hook, `killed by ${r.signal}`, output);
    if (r.status !== 0) throw failure(kind, i, hook, `exit status ${r.status}`, output);
  });
}

/** poststop: failures are warnings, and the other hooks still run. */
export function runHostHooksWarnOnly(kind: HookKind, hooks: readonly Hook[] | undefined, state: string, warn: (msg: string) => void): void {
  (hooks ?? []).forEach((hook, i) => {
    try {
      runHostHooks(kind, [hook], state);
    } catch (e) {
      warn((e as Error).message.replace(`hooks.${kind}[0]`, `hooks.${kind}[${i}]`));
    }
  });
}

/** Runs hooks in the namespaces of the container's init. */
export function runContainerHooks(
  addon: Addon,
  kind: HookKind,
  hooks: readonly Hook[] | undefined,
  state: string,
  target: { pid: number; namespaces: readonly Namespace[]; rootfs: string },
): void {
  if (!hooks || hooks.length === 0) return;
  const runtimeEnv = Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
  hooks.forEach((hook, i) => {
    const plan = buildHookPlan(target.namespaces, target.pid, target.rootfs, hook, runtimeEnv);
    const [stdinR, stdinW] = addon.pipe();
    const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-hook-')), 'out');
    try {
      const out = fs.openSync(outFile, 'w+');
      let pid = -1;
      try {
        fs.writeSync(stdinW, state); // far below a pipe's capacity
        addon.close(stdinW);
        pid = launch(addon, plan, [stdinR, out, out], { placeInit: () => undefined }).pid;
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
      if (status.signal !== null) throw failure(kind, i, hook, `killed by signal ${status.signal}`, output);
      if (status.code !== 0) throw failure(kind, i, hook, `exit status ${status.code}`, output);
    } finally {
      // also when the hook could not be started
      fs.rmSync(path.dirname(outFile), { recursive: true, force: true });
    }
  });
}
