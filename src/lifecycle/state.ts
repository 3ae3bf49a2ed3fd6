// `minirun state`: runc's JSON for one container.
import { findContainer, statusOf, type Found } from '../state/find';
import type { ContainerState } from '../state/types';

/** runc's fields for a container, in its order (`state` prints them, `list` lists them). */
export type StateView = Pick<
  ContainerState,
  'ociVersion' | 'id' | 'pid' | 'status' | 'bundle' | 'rootfs' | 'created' | 'owner' | 'annotations'
>;

/** What runc shows of a container: its status now, pid 0 once stopped. */
export function stateView(found: Found, owner: string): StateView {
  const { state } = found;
  const status = statusOf(found);
  const out: StateView = {
    ociVersion: state.ociVersion,
    id: state.id,
    pid: status === 'stopped' ? 0 : state.pid,
    status,
    bundle: state.bundle,
    rootfs: state.rootfs,
    created: state.created,
    owner,
  };
  if (state.annotations && Object.keys(state.annotations).length > 0) out.annotations = state.annotations;
  return out;
}

export function stateJson(root: string, id: string): string {
  // runc's state shows an empty owner; its list shows the user.
  return JSON.stringify(stateView(findContainer(root, id), ''), null, '  ');
}
