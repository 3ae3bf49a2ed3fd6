// The hooks of one container at each point of its lifecycle, with the state
// each one reads. Used by run, create, start and delete.
import { err } from '../output';
import { runContainerHooks, runHostHooks, runHostHooksWarnOnly } from '../hooks/run';
import { hookState } from '../hooks/state';
import type { Addon } from '../native/addon';
import type { Hooks, Namespace } from '../spec/types';

export interface HookContext {
  addon: Addon;
  hooks: Hooks | undefined;
  state: { ociVersion: string; id: string; bundle: string; annotations?: Record<string, string> };
  namespaces: readonly Namespace[];
  rootfs: string;
}

export function onCreate(c: HookContext, pid: number): void {
  const st = hookState(c.state, 'creating', pid);
  runHostHooks('prestart', c.hooks?.prestart, st);
  runHostHooks('createRuntime', c.hooks?.createRuntime, st);
  runContainerHooks(c.addon, 'createContainer', c.hooks?.createContainer, st, { pid, namespaces: c.namespaces, rootfs: c.rootfs });
}

export function onStart(c: HookContext, pid: number): void {
  runContainerHooks(c.addon, 'startContainer', c.hooks?.startContainer, hookState(c.state, 'created', pid), {
    pid,
    namespaces: c.namespaces,
    rootfs: c.rootfs,
  });
}

export function onStarted(c: HookContext, pid: number): void {
  runHostHooks('poststart', c.hooks?.poststart, hookState(c.state, 'running', pid));
}

export function onStopped(c: Pick<HookContext, 'hooks' | 'state'>, pid: number): void {
  runHostHooksWarnOnly('poststop', c.hooks?.poststop, hookState(c.state, 'stopped', pid), (m) => err(`minirun: warning: ${m}\n`));
}
