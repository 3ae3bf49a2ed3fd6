// The device cgroup rules of a container, in runc's order: deny everything,
// the spec's linux.resources.devices, then runc's default allow list. The
// deny comes first even when the spec has no rules: a new cgroup would
// otherwise inherit its parent's (usually "a *:* rwm"). (runc 1.1.5 adds
// no rule for linux.devices nodes: a config allows them in resources.)
// Serialised for cgroup v1 devices.allow/deny.
import { configError } from '../errors';
import type { DeviceRule } from '../config/types';

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
export function v1DeviceWrites(rules: readonly DeviceRule[]): ['allow' | 'deny', string][] {
  return rules.map((r) => {
    const file = r.allow ? 'allow' : 'deny';
    const type = r.type ?? 'a';
    if (type === 'a') return [file, 'a'];
    const num = (n: number | null | undefined) => (n === null || n === undefined || n < 0 ? '*' : String(n));
    return [file, `${type} ${num(r.major)}:${num(r.minor)} ${r.access || 'rwm'}`];
  });
}

const wild = (n: number | null | undefined): number => (n === null || n === undefined || n < 0 ? -1 : n);
const ruleText = (r: DeviceRule): string => v1DeviceWrites([r])[0][1];

/**
 * cgroup v1 keeps one list of exceptions to a default and removes only exact
 * entries: a deny under an allowed wildcard (or an allow under a denied one)
 * would be ignored without a word. Refuse such a list before anything starts,
 * as runc does ("cannot punch hole in existing wildcard rule").
 * `rules` is the full list from deviceRules(spec).
 */
export function checkV1Rules(rules: readonly DeviceRule[], specCount: number): void {
  let defaultAllow = false;
  const exceptions = new Map<string, Set<string>>(); // "c 1 -1" -> access letters
  rules.forEach((r, i) => {
    const type = r.type ?? 'a';
    if (type === 'a') {
      defaultAllow = r.allow;
      exceptions.clear();
      return;
    }
    const major = wild(r.major);
    const minor = wild(r.minor);
    const access = new Set(r.access || 'rwm');
    const key = `${type} ${major} ${minor}`;
    if (r.allow !== defaultAllow) {
      const had = exceptions.get(key) ?? new Set<string>();
      access.forEach((a) => had.add(a));
      exceptions.set(key, had);
      return;
    }
    for (const [ma, mi] of [
      [-1, minor],
      [major, -1],
      [-1, -1],
    ]) {
      const wider = `${type} ${ma} ${mi}`;
      if (wider === key) continue;
      const held = exceptions.get(wider);
      if (!held || ![...access].some((a) => held.has(a))) continue;
      const wildRule = `${r.allow ? 'deny' : 'allow'} ${type} ${ma < 0 ? '*' : ma}:${mi < 0 ? '*' : mi} ${[...held].join('')}`;
      const mine = `${r.allow ? 'allow' : 'deny'} ${ruleText(r)}`;
      const spec = i >= 1 && i <= specCount;
      throw configError(
        spec ? `linux.resources.devices[${i - 1}]` : 'linux.resources.devices',
        `${spec ? `"${mine}"` : `the default rule "${mine}" added after the list`} cannot be enforced by cgroup v1: it would punch a hole in the earlier wildcard rule "${wildRule}" (runc refuses it too)`,
      );
    }
    const left = exceptions.get(key);
    if (left) {
      access.forEach((a) => left.delete(a));
      if (left.size === 0) exceptions.delete(key);
    }
  });
}
