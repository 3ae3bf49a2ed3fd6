// The status table: what each container status allows, and the refusals in
// runc's words where clients read them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED, requireStatus, statusIn, type Operation, type Status } from '../../src/state/status';
import type { ContainerState } from '../../src/state/types';

const refusal = (op: Operation, status: Status): string | undefined => {
  try {
    requireStatus(op, 'c1', status);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

describe('the status table', () => {
  it('allows what runc allows', () => {
    const allowed = (status: Status) => [...ALLOWED[status]].sort();
    expect(allowed('creating')).toEqual(['delete --force']);
    expect(allowed('created')).toEqual([
      'delete',
      'delete --force',
      'events',
      'exec',
      'exec --ignore-paused',
      'kill',
      'kill --all',
      'pause',
      'start',
      'update',
    ]);
    expect(allowed('running')).toEqual([
      'delete --force',
      'events',
      'exec',
      'exec --ignore-paused',
      'kill',
      'kill --all',
      'pause',
      'update',
    ]);
    expect(allowed('paused')).toEqual([
      'delete --force',
      'events',
      'exec --ignore-paused',
      'kill',
      'kill --all',
      'resume',
      'update',
    ]);
    expect(allowed('stopped')).toEqual(['delete', 'delete --force', 'kill --all']);
  });

  it('says no in runc words, with the id last', () => {
    expect(refusal('start', 'created')).toBeUndefined();
    expect(refusal('start', 'stopped')).toBe('cannot start a container that has stopped: c1');
    expect(refusal('start', 'running')).toBe('cannot start an already running container: c1');
    expect(refusal('start', 'paused')).toBe('cannot start a container in the paused state: c1');
    expect(refusal('exec', 'paused')).toBe('cannot exec in a paused container (use --ignore-paused to override): c1');
    expect(refusal('exec', 'stopped')).toBe('cannot exec in a stopped container: c1');
    // containerd reads "container not running" from kill as "already finished"
    expect(refusal('kill', 'stopped')).toBe('container not running: c1');
    expect(refusal('update', 'stopped')).toBe('container not running: c1');
    expect(refusal('pause', 'paused')).toBe('cannot pause a paused container: c1');
    expect(refusal('resume', 'running')).toBe('container not paused (running): c1');
    expect(refusal('delete', 'running')).toBe('cannot delete a container that is not stopped (running): c1');
    expect(refusal('kill', 'creating')).toBe('cannot kill a container that is still being created: c1');
  });

  it('tells a started container from a created one by its exec fifo, as runc', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-status-'));
    try {
      // this test's own process stands in for the init
      const stat = fs.readFileSync('/proc/self/stat', 'utf8');
      const state = {
        pid: process.pid,
        pidStartTime: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19],
        status: 'created',
      } as ContainerState;
      fs.writeFileSync(path.join(dir, 'exec.fifo'), '');
      expect(statusIn(dir, state)).toBe('created');
      fs.rmSync(path.join(dir, 'exec.fifo'));
      expect(statusIn(dir, state)).toBe('running');
      expect(statusIn(dir, { ...state, pidStartTime: '1' })).toBe('stopped');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
