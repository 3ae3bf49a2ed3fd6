// The hooks of one container at each point of its lifecycle, with the state
// each one reads. Used by run, create, start and delete.
import { err } from '../output';
import type * as HookRunner from '../hooks/run';
import { hookState } from '../hooks/state';
import type { Addon } from '../native/addon';
import type { Hooks, Namespace } from '../spec/types';

// The runner (and child_process with it) loads only for a container that has hooks.
const runner = (): typeof HookRunner => require('../hooks/run');
const none = (hooks: readonly unknown[] | undefined) => !hooks || hooks.length === 0;

export interface HookContext {
  addon: Addon;
  hooks: Hooks | undefined;
  state: { ociVersion: string; id: string; bundle: string; annotations?: Record<string, string> };
  namespaces: readonly Namespace[];
  rootfs: string;
}

export function onCreate(c: HookContext, pid: number): void {
  const h = c.hooks;
  if (none(h?.prestart) && none(h?.createRuntime) && none(h?.createContainer)) return;
  const st = hookState(c.state, 'creating', pid);
  const r = runner();
  r.runHostHooks('prestart', h?.prestart, st);
  r.runHostHooks('createRuntime', h?.createRuntime, st);
  r.runContainerHooks(c.addon, 'createContainer', h?.createContainer, st, { pid, namespaces: c.namespaces, rootfs: c.rootfs });
}

export function onStart(c: HookContext, pid: number): void {
  if (none(c.hooks?.startContainer)) return;
  runner().runContainerHooks(c.addon, 'startContainer', c.hooks?.startContainer, hookState(c.state, 'created', pid), {
    pid,
    namespaces: c.namespaces,
    rootfs: c.rootfs,
  });
}

export function onStarted(c: HookContext, pid: number): void {
  if (none(c.hooks?.poststart)) return;
  runner().runHostHooks('poststart', c.hooks?.poststart, hookState(c.state, 'running', pid));
}

export function onStopped(c: Pick<HookContext, 'hooks' | 'state'>, pid: number): void {
  if (none(c.hooks?.poststop)) return;
  runner().runHostHooksWarnOnly('poststop', c.hooks?.poststop, hookState(c.state, 'stopped', pid), (m) => err(`minirun: warning: ${m}\n`));
}
