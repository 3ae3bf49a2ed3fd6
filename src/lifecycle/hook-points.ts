// The hooks of one container at each point of its lifecycle, with the state
// each one reads. Used by run, create, start and delete.
import { err } from '../output';
import type * as HookRunner from '../hooks/run';
import { hookState } from '../hooks/state';
import type { Addon } from '../native/addon';
import type { HookContainer } from '../plan/exec';
import type * as Seccomp from '../config/seccomp';
import { ociState } from '../hooks/state';
import type { Hooks, Spec } from '../config/types';
import type * as SeccompListener from './seccomp-listener';

// The runner (and child_process with it) loads only for a container that has hooks,
// the seccomp listener's modules (and node:os with them) only for startContainer hooks.
/* eslint-disable @typescript-eslint/no-require-imports -- synchronous lazy loads */
const runner = (): typeof HookRunner => require('../hooks/run') as typeof HookRunner;
const seccomp = (): typeof Seccomp => require('../config/seccomp') as typeof Seccomp;
const seccompListener = (): typeof SeccompListener => require('./seccomp-listener') as typeof SeccompListener;
/* eslint-enable @typescript-eslint/no-require-imports */
const none = (hooks: readonly unknown[] | undefined) => !hooks || hooks.length === 0;

export interface HookContext {
  addon: Addon;
  hooks: Hooks | undefined;
  state: { ociVersion: string; id: string; bundle: string; annotations?: Record<string, string> };
  container: HookContainer;
  rootfs: string;
}

/** What the container hooks take from config.json. */
export function hookContainer(spec: Spec): HookContainer {
  return { namespaces: spec.linux?.namespaces ?? [], process: spec.process, seccomp: spec.linux?.seccomp };
}

export function onCreate(c: HookContext, pid: number): void {
  const h = c.hooks;
  if (none(h?.prestart) && none(h?.createRuntime) && none(h?.createContainer)) return;
  const st = hookState(c.state, 'creating', pid);
  const r = runner();
  r.runHostHooks('prestart', h?.prestart, st);
  r.runHostHooks('createRuntime', h?.createRuntime, st);
  r.runContainerHooks(c.addon, 'createContainer', h?.createContainer, st, {
    pid,
    container: c.container,
    rootfs: c.rootfs,
  });
}

export function onStart(c: HookContext, pid: number): void {
  if (none(c.hooks?.startContainer)) return;
  // The hooks run under the process's seccomp filter; with a notify action its
  // fd goes to the listener too, as the init's does.
  const listener = seccomp().readSeccomp(c.container.seccomp)?.listener;
  runner().runContainerHooks(c.addon, 'startContainer', c.hooks?.startContainer, hookState(c.state, 'created', pid), {
    pid,
    container: c.container,
    rootfs: c.rootfs,
    seccompListener:
      listener &&
      ((hookPid, fd) =>
        seccompListener().sendToListener(c.addon, listener, fd, hookPid, ociState(c.state, 'created', pid))),
  });
}

export function onStarted(c: HookContext, pid: number): void {
  if (none(c.hooks?.poststart)) return;
  runner().runHostHooks('poststart', c.hooks?.poststart, hookState(c.state, 'running', pid));
}

export function onStopped(c: Pick<HookContext, 'hooks' | 'state'>, pid: number): void {
  if (none(c.hooks?.poststop)) return;
  runner().runHostHooksWarnOnly('poststop', c.hooks?.poststop, hookState(c.state, 'stopped', pid), (m) =>
    err(`minirun: warning: ${m}\n`),
  );
}
