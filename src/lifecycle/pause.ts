// `minirun pause` / `resume`: freeze and thaw every process of a container.
import { setFrozen } from '../cgroups/freezer';
import { MiniRunError } from '../errors';
import { loadAddon } from '../native/loader';
import { currentStatus, withContainerLock, writeState } from '../state/store';

export function pause(root: string, id: string, frozen: boolean): void {
  const addon = loadAddon();
  withContainerLock(addon, root, id, ({ dir, state }) => {
    const status = currentStatus(state);
    // runc pauses a created container too; resume gives it back its status.
    if (frozen && status !== 'running' && status !== 'created') throw new MiniRunError('STATE', `container ${id} is not running (${status})`);
    if (!frozen && status !== 'paused') throw new MiniRunError('STATE', `container ${id} is not paused (${status})`);
    setFrozen(state.cgroupDirs ?? [], frozen);
    if (frozen) writeState(dir, { ...state, status: 'paused', pausedFrom: status as 'created' | 'running' });
    else writeState(dir, { ...state, status: state.pausedFrom ?? 'running', pausedFrom: undefined });
  });
}
