// `minirun state`: runc's JSON for one container.
import { currentStatus, readState } from '../state/store';

export function stateJson(root: string, id: string): string {
  const { state } = readState(root, id);
  const status = currentStatus(state);
  const out: Record<string, unknown> = {
    ociVersion: state.ociVersion,
    id: state.id,
    pid: status === 'stopped' ? 0 : state.pid,
    status,
    bundle: state.bundle,
    rootfs: state.rootfs,
    created: state.created,
    owner: '',
  };
  if (state.annotations && Object.keys(state.annotations).length > 0) out.annotations = state.annotations;
  return JSON.stringify(out, null, '  ');
}
