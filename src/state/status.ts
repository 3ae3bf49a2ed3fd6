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
  const stat = procStat(state.pid);
  if (stat === undefined || (state.pidStartTime !== undefined && stat.startTime !== state.pidStartTime))
    return 'stopped';
  return stat.state === 'Z' ? 'stopped' : state.status;
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
  return procStat(pid)?.startTime;
}

/** From one read of /proc/<pid>/stat: the state letter (field 3) and the start time (field 22); undefined if gone. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTime: fields[19] };
}
