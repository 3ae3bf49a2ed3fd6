// `minirun pause` / `resume`: freeze and thaw every process of a container.
import { setFrozen } from '../cgroups/freezer';
import { loadAddon } from '../native/loader';
import { withContainer } from '../state/find';
import { requireStatus } from '../state/status';
import { writeState } from '../state/store';
import { warn } from '../log';
import { rootlessCgroups } from './rootless';

export function pause(root: string, id: string, frozen: boolean): void {
  if (rootlessCgroups()) warn(`${frozen ? 'pause' : 'resume'} may fail if you don't have the full access to cgroups`);
  const addon = loadAddon();
  withContainer(addon, root, id, ({ dir, state }, status) => {
    // runc pauses a created container too; resume gives it back its status.
    requireStatus(frozen ? 'pause' : 'resume', id, status);
    setFrozen(state.cgroupDirs ?? [], frozen);
    if (frozen) writeState(dir, { ...state, status: 'paused', pausedFrom: status as 'created' | 'running' });
    else writeState(dir, { ...state, status: state.pausedFrom ?? 'running', pausedFrom: undefined });
  });
}
