// state.json as read back: every field checked for its type, so that a
// corrupted or hand-edited file is one clear error naming the file and the
// field, never a container taken for stopped (runc: "config must not be nil").
import { MiniRunError } from '../errors';
import type { ContainerState } from './types';

type Obj = Record<string, unknown>;
const STATUSES = ['creating', 'created', 'running', 'paused', 'stopped'] as const;

class Bad extends Error {}

function kind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const str = (o: Obj, k: string, optional = false): void => {
  if (o[k] === undefined && optional) return;
  if (typeof o[k] !== 'string') throw new Bad(`${k}: must be a string, got ${kind(o[k])}`);
};
const int = (o: Obj, k: string, optional = false): void => {
  if (o[k] === undefined && optional) return;
  if (!Number.isSafeInteger(o[k]) || (o[k] as number) < 0)
    throw new Bad(`${k}: must be a whole number >= 0, got ${JSON.stringify(o[k]) ?? 'nothing'}`);
};
const obj = (v: unknown, where: string): Obj => {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new Bad(`${where}: must be an object, got ${kind(v)}`);
  return v as Obj;
};
const arrayOf = (o: Obj, k: string, each: (e: unknown, where: string) => void): void => {
  if (o[k] === undefined) return;
  if (!Array.isArray(o[k])) throw new Bad(`${k}: must be an array, got ${kind(o[k])}`);
  (o[k] as unknown[]).forEach((e, i) => each(e, `${k}[${i}]`));
};

/** The cgroup dirs a record names (state.json or the journal). */
export function checkCgroupDirs(o: Obj): void {
  arrayOf(o, 'cgroupDirs', (e, where) => {
    const d = obj(e, where);
    for (const k of ['hierarchy', 'path'])
      if (typeof d[k] !== 'string') throw new Bad(`${where}.${k}: must be a string, got ${kind(d[k])}`);
    for (const k of ['mount', 'made'])
      if (d[k] !== undefined && typeof d[k] !== 'string')
        throw new Bad(`${where}.${k}: must be a string, got ${kind(d[k])}`);
  });
}

/** Parses and checks <file>; the error names the file and the field. */
export function parseState(text: string, file: string): ContainerState {
  try {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new Bad('not JSON');
    }
    const o = obj(v, '(document)');
    for (const k of ['ociVersion', 'id', 'bundle', 'rootfs', 'created']) str(o, k);
    int(o, 'pid');
    if (!STATUSES.includes(o.status as ContainerState['status']))
      throw new Bad(`status: must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(o.status) ?? 'nothing'}`);
    for (const k of ['owner', 'pidStartTime', 'resources', 'cgroupMode', 'pausedFrom', 'systemdUnit', 'systemdBus'])
      str(o, k, true);
    int(o, 'rootfsMountsBefore', true);
    if (o.annotations !== undefined) obj(o.annotations, 'annotations');
    if (o.hooks !== undefined) obj(o.hooks, 'hooks');
    arrayOf(o, 'namespaces', (e, where) => void obj(e, where));
    checkCgroupDirs(o);
    if (o.overlay !== undefined) {
      const ov = obj(o.overlay, 'overlay');
      for (const k of ['target', 'dir'])
        if (typeof ov[k] !== 'string') throw new Bad(`overlay.${k}: must be a string, got ${kind(ov[k])}`);
      if (!Array.isArray(ov.lowers) || ov.lowers.some((l) => typeof l !== 'string'))
        throw new Bad(`overlay.lowers: must be an array of strings, got ${kind(ov.lowers)}`);
    }
    return o as unknown as ContainerState;
  } catch (e) {
    if (e instanceof Bad) throw new MiniRunError('STATE', `${file}: ${e.message}`);
    throw e;
  }
}
