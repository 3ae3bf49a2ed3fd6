// The device cgroup rules of a container, in runc's order: deny everything,
// the spec's linux.resources.devices, then runc's default allow list. The
// deny comes first even when the spec has no rules: a new cgroup would
// otherwise inherit its parent's (usually "a *:* rwm"). (runc 1.1.5 adds
// no rule for linux.devices nodes: a config allows them in resources.)
// Serialised for cgroup v1 devices.allow/deny.
import type { DeviceRule } from '../spec/types';

export type { DeviceRule };

const DEFAULT_ALLOWED: DeviceRule[] = [
  { allow: true, type: 'c', major: null, minor: null, access: 'm' },
  { allow: true, type: 'b', major: null, minor: null, access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 136, minor: null, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
];

export function deviceRules(specRules: readonly DeviceRule[]): DeviceRule[] {
  return [{ allow: false, access: 'rwm' }, ...specRules, ...DEFAULT_ALLOWED];
}

/** ["deny", "a"] or ["allow", "c 1:3 rwm"]: what to write, in order, for cgroup v1. */
export function v1Writes(rules: readonly DeviceRule[]): [('allow' | 'deny'), string][] {
  return rules.map((r) => {
    const file = r.allow ? 'allow' : 'deny';
    const type = r.type ?? 'a';
    if (type === 'a') return [file, 'a'];
    const num = (n: number | null | undefined) => (n === null || n === undefined || n < 0 ? '*' : String(n));
    return [file, `${type} ${num(r.major)}:${num(r.minor)} ${r.access || 'rwm'}`];
  });
}
