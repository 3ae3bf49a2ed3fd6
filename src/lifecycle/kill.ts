// `minirun kill`: signal the container's init, never a reused pid.
import { MiniRunError } from '../errors';
import { errnoName } from '../native/errno';
import { loadAddon } from '../native/loader';
import { currentStatus, readState } from '../state/store';
import { parseSignal } from './signals';

export function kill(root: string, id: string, signal: string): void {
  const sig = parseSignal(signal);
  const { state } = readState(root, id);
  if (currentStatus(state) === 'stopped') throw new MiniRunError('STATE', `container ${id} is not running`);
  const err = loadAddon().kill(state.pid, sig);
  if (err !== 0) throw new MiniRunError('STATE', `kill ${id}: ${errnoName(err)}`);
}
