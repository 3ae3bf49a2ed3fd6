import { describe, expect, it } from 'vitest';
import { checkV1Rules, deviceRules, type DeviceRule } from '../../src/cgroups/devices';

const check = (spec: DeviceRule[]) => () => checkV1Rules(deviceRules(spec), spec.length);

describe('checkV1Rules (what cgroup v1 can enforce)', () => {
  it('accepts the usual lists: deny all, then allows', () => {
    expect(check([])).not.toThrow();
    expect(
      check([
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' },
      ]),
    ).not.toThrow();
    // a deny of an exact earlier allow just removes it
    expect(
      check([
        { allow: true, type: 'c', major: 1, minor: 1, access: 'rwm' },
        { allow: false, type: 'c', major: 1, minor: 1, access: 'rw' },
      ]),
    ).not.toThrow();
  });

  it('refuses a deny under an allowed wildcard, naming the entry and the wildcard', () => {
    expect(
      check([
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', access: 'rwm' },
        { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' },
      ]),
    ).toThrow(
      /^config\.json: linux\.resources\.devices\[2\]: "deny c 1:3 rwm" cannot be enforced by cgroup v1: .*"allow c \*:\* rwm"/,
    );
    expect(
      check([
        { allow: true, type: 'b', major: 8, access: 'r' },
        { allow: false, type: 'b', major: 8, minor: 0, access: 'rw' },
      ]),
    ).toThrow(/devices\[1\].*"allow b 8:\* r"/);
  });

  it('allows the hole when the access letters do not overlap, or the types differ', () => {
    expect(
      check([
        { allow: true, type: 'c', access: 'm' },
        { allow: false, type: 'c', major: 1, minor: 3, access: 'rw' },
      ]),
    ).not.toThrow();
    expect(
      check([
        { allow: true, type: 'b', access: 'rwm' },
        { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' },
      ]),
    ).not.toThrow();
  });

  it('in allow-all mode, a default allow under a denied wildcard is refused too', () => {
    expect(
      check([
        { allow: true, access: 'rwm' },
        { allow: false, type: 'c', access: 'rwm' },
      ]),
    ).toThrow(
      /^config\.json: linux\.resources\.devices: the default rule "allow c 1:3 rwm" added after the list .*"deny c \*:\* rw"/,
    );
  });
});
