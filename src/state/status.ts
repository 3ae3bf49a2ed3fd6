// A container's status, and the one table of what each status allows. Every
// command asks `require(...)` before it acts, and every refusal is worded here,
// in runc's words where clients read them (containerd takes "container not
// running" from `kill` as "already finished").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import type { ContainerState } from './types';

export type Status = ContainerState['status'];

export type Operation =
  | 'start'
  | 'exec'
  | 'exec --ignore-paused'
  | 'pause'
  | 'resume'
  | 'kill'
  | 'kill --all'
  | 'update'
  | 'events'
  | 'delete'
  | 'delete --force';

/** What each status allows, as runc's libcontainer allows it. `state`, `list` and `ps` read any container. */
export const ALLOWED: Readonly<Record<Status, readonly Operation[]>> = {
  creating: ['delete --force'],
  created: [
    'start',
    'exec',
    'exec --ignore-paused',
    'pause',
    'kill',
    'kill --all',
    'update',
    'events',
    'delete',
    'delete --force',
  ],
  running: ['exec', 'exec --ignore-paused', 'pause', 'kill', 'kill --all', 'update', 'events', 'delete --force'],
  // a paused container's new process would hang in the frozen cgroup: exec only when asked to
  paused: ['exec --ignore-paused', 'resume', 'kill', 'kill --all', 'update', 'events', 'delete --force'],
  stopped: ['kill --all', 'delete', 'delete --force'],
};

/** The file whose presence makes a live container "created" rather than "running", as runc tells them apart. */
export const EXEC_FIFO = 'exec.fifo';

/** The status now: a recorded process that is gone (or whose pid was reused) is stopped. */
export function currentStatus(state: ContainerState): Status {
  if (state.status === 'stopped' || state.pid <= 0) return 'stopped';
  const started = pidStartTime(state.pid);
  if (started === undefined || (state.pidStartTime !== undefined && started !== state.pidStartTime)) return 'stopped';
  if (isZombie(state.pid)) return 'stopped';
  return state.status;
}

/** The status now of the container in `dir`: a created one whose exec fifo is gone has been started (a start that died before it wrote so). */
export function statusIn(dir: string, state: ContainerState): Status {
  const status = currentStatus(state);
  return status === 'created' && !fs.existsSync(path.join(dir, EXEC_FIFO)) ? 'running' : status;
}

/** Refuses `op` unless the table allows it for `status`. */
export function requireStatus(op: Operation, id: string, status: Status): void {
  if (!ALLOWED[status].includes(op)) throw new MiniRunError('STATE', `${refusal(op, status)}: ${id}`);
}

function refusal(op: Operation, status: Status): string {
  if (status === 'creating') return `cannot ${verb(op)} a container that is still being created`;
  switch (op) {
    case 'start':
      if (status === 'stopped') return 'cannot start a container that has stopped';
      return status === 'running'
        ? 'cannot start an already running container'
        : `cannot start a container in the ${status} state`;
    case 'exec':
      return status === 'paused'
        ? 'cannot exec in a paused container (use --ignore-paused to override)'
        : `cannot exec in a ${status} container`;
    case 'exec --ignore-paused':
      return `cannot exec in a ${status} container`;
    case 'resume':
      return `container not paused (${status})`;
    case 'delete':
    case 'delete --force':
      return `cannot delete a container that is not stopped (${status})`;
    default:
      return status === 'stopped' ? 'container not running' : `cannot ${verb(op)} a ${status} container`;
  }
}

function verb(op: Operation): string {
  return op.split(' ')[0];
}

/** Field 22 of /proc/<pid>/stat: the start time in clock ticks; undefined if gone. */
export function pidStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}
