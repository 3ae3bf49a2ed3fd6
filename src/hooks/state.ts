// The state a hook reads on its stdin (runtime-spec runtime.md "State").
export interface HookState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped';
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

export function hookState(
  base: { ociVersion: string; id: string; bundle: string; annotations?: Record<string, string> },
  status: HookState['status'],
  pid: number,
): string {
  // runc's key order: pid (when there is a process) before bundle.
  const s: HookState = { ociVersion: base.ociVersion, id: base.id, status, ...(pid > 0 ? { pid } : {}), bundle: base.bundle };
  if (base.annotations && Object.keys(base.annotations).length > 0) s.annotations = base.annotations;
  return JSON.stringify(s);
}
