import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, capNumber } from '../../src/config/capabilities';

const HEADER = '/usr/include/linux/capability.h';

describe('capabilities', () => {
  it('numbers the names as the kernel does', () => {
    expect(CAPABILITIES).toHaveLength(41);
    expect(capNumber('CAP_CHOWN')).toBe(0);
    expect(capNumber('CAP_SYS_ADMIN')).toBe(21);
    expect(capNumber('CAP_AUDIT_READ')).toBe(37);
    expect(capNumber('CAP_CHECKPOINT_RESTORE')).toBe(40);
  });

  it('knows no other names, in any case', () => {
    expect(capNumber('CAP_FLY')).toBeUndefined();
    expect(capNumber('cap_chown')).toBeUndefined();
    expect(capNumber('CHOWN')).toBeUndefined();
  });

  it.skipIf(!fs.existsSync(HEADER))('agrees with <linux/capability.h>', () => {
    const defined = [...fs.readFileSync(HEADER, 'utf8').matchAll(/^#define (CAP_[A-Z_]+)\s+(\d+)\s*$/gm)]
      .map((m) => [m[1], Number(m[2])] as const)
      .filter(([, n]) => n < CAPABILITIES.length);
    expect(defined).toHaveLength(CAPABILITIES.length);
    for (const [name, n] of defined) expect([name, capNumber(name)]).toEqual([name, n]);
  });
});
