// The state a hook reads on its stdin (runtime-spec runtime.md "State").
export interface HookState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped';
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

export type StateBase = { ociVersion: string; id: string; bundle: string; annotations?: Record<string, string> };

/** The state object, its keys in runc's order (pid and annotations left out when empty). */
export function ociState(base: StateBase, status: HookState['status'], pid: number): HookState {
  const s: HookState = {
    ociVersion: base.ociVersion,
    id: base.id,
    status,
    ...(pid > 0 ? { pid } : {}),
    bundle: base.bundle,
  };
  if (base.annotations && Object.keys(base.annotations).length > 0) s.annotations = base.annotations;
  return s;
}

export function hookState(base: StateBase, status: HookState['status'], pid: number): string {
  return JSON.stringify(ociState(base, status, pid));
}
