import { describe, expect, it } from 'vitest';
import { MS, parseMountOptions } from '../../src/plan/mount-options';

describe('parseMountOptions', () => {
  it('turns runc spec /sys options into flags', () => {
    const p = parseMountOptions(['nosuid', 'noexec', 'nodev', 'ro']);
    expect(p.flags).toBe(MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RDONLY);
    expect(p.data).toBe('');
    expect(p.propagation).toEqual([]);
  });

  it('lets a later word clear an earlier one', () => {
    expect(parseMountOptions(['ro', 'rw']).flags).toBe(0n);
    expect(parseMountOptions(['nosuid', 'suid', 'noexec']).flags).toBe(MS.NOEXEC);
  });

  it('keeps unknown words as data, in order', () => {
    const p = parseMountOptions(['nosuid', 'mode=755', 'size=65536k', 'strictatime']);
    expect(p.flags).toBe(MS.NOSUID | MS.STRICTATIME);
    expect(p.data).toBe('mode=755,size=65536k');
  });

  it('collects propagation words separately', () => {
    const p = parseMountOptions(['rbind', 'rprivate', 'shared']);
    expect(p.flags).toBe(MS.BIND | MS.REC);
    expect(p.propagation).toEqual([MS.PRIVATE | MS.REC, MS.SHARED]);
  });

  it('names the first word it does not support yet', () => {
    expect(parseMountOptions(['ro', 'rro', 'idmap']).unsupported).toBe('rro');
  });

  it('does not treat Object.prototype names as options', () => {
    const p = parseMountOptions(['constructor', 'toString']);
    expect(p.flags).toBe(0n);
    expect(p.data).toBe('constructor,toString');
  });
});
