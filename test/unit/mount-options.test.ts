import { describe, expect, it } from 'vitest';
import { MOUNT_ATTR, MS, parseMountOptions, supportedMountOptions } from '../../src/plan/mount-options';

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

  it('takes tmpcopyup as a flag of its own, not mount data', () => {
    const p = parseMountOptions(['ro', 'rro', 'tmpcopyup', 'idmap']);
    expect(p.copyUp).toBe(true);
    expect(p.data).toBe('');
    expect(parseMountOptions(['ro']).copyUp).toBe(false);
  });

  it('parses plain symfollow and nosymfollow as MS_NOSYMFOLLOW', () => {
    expect(parseMountOptions(['nosymfollow']).flags).toBe(MS.NOSYMFOLLOW);
    expect(parseMountOptions(['nosymfollow', 'symfollow']).flags).toBe(0n);
  });
});

describe('recursive mount attributes', () => {
  const A = MOUNT_ATTR;
  const table: [string, bigint, bigint][] = [
    ['rro', A.RDONLY, 0n],
    ['rrw', 0n, A.RDONLY],
    ['rnosuid', A.NOSUID, 0n],
    ['rsuid', 0n, A.NOSUID],
    ['rnodev', A.NODEV, 0n],
    ['rdev', 0n, A.NODEV],
    ['rnoexec', A.NOEXEC, 0n],
    ['rexec', 0n, A.NOEXEC],
    ['rnodiratime', A.NODIRATIME, 0n],
    ['rdiratime', 0n, A.NODIRATIME],
    ['rnosymfollow', A.NOSYMFOLLOW, 0n],
    ['rsymfollow', 0n, A.NOSYMFOLLOW],
    // the access time is one value: set it with all of MOUNT_ATTR__ATIME cleared
    ['rrelatime', A.RELATIME, A._ATIME],
    ['rnoatime', A.NOATIME, A._ATIME],
    ['rstrictatime', A.STRICTATIME, A._ATIME],
    ['ratime', A.RELATIME, A._ATIME],
    ['rnostrictatime', A.RELATIME, A._ATIME],
    ['rnorelatime', 0n, 0n],
  ];
  for (const [word, set, clr] of table) {
    it(`${word} sets 0x${set.toString(16)} and clears 0x${clr.toString(16)}`, () => {
      const p = parseMountOptions(['rbind', word]);
      expect([p.attrSet, p.attrClr]).toEqual([set, clr]);
      expect(p.flags).toBe(MS.BIND | MS.REC);
      expect(p.data).toBe('');
    });
  }

  it('lets a later word undo an earlier one', () => {
    const p = parseMountOptions(['rro', 'rnosuid', 'rrw']);
    expect([p.attrSet, p.attrClr]).toEqual([A.NOSUID, A.RDONLY]);
    const q = parseMountOptions(['rrw', 'rro']);
    expect([q.attrSet, q.attrClr]).toEqual([A.RDONLY, 0n]);
  });

  it('keeps the last access-time word, and rnorelatime changes nothing', () => {
    expect(parseMountOptions(['rnoatime', 'rstrictatime']).attrSet).toBe(A.STRICTATIME);
    expect(parseMountOptions(['rnoatime', 'ratime']).attrSet).toBe(A.RELATIME);
    expect(parseMountOptions(['rnoatime', 'rnorelatime']).attrSet).toBe(A.NOATIME);
  });

  it('keeps plain and recursive words apart', () => {
    const p = parseMountOptions(['ro', 'rro', 'noexec']);
    expect(p.flags).toBe(MS.RDONLY | MS.NOEXEC);
    expect(p.attrSet).toBe(A.RDONLY);
  });

  it('reads idmap and ridmap, the last one winning', () => {
    expect(parseMountOptions(['rbind']).idmap).toBeUndefined();
    expect(parseMountOptions(['rbind', 'idmap']).idmap).toBe('idmap');
    expect(parseMountOptions(['idmap', 'ridmap']).idmap).toBe('ridmap');
    expect(parseMountOptions(['idmap']).data).toBe('');
  });

  it('lists every recursive word and idmap among the supported options', () => {
    const all = supportedMountOptions();
    for (const [word] of table) expect(all).toContain(word);
    expect(all).toEqual(expect.arrayContaining(['idmap', 'ridmap', 'symfollow', 'nosymfollow']));
    expect(all).toContain('tmpcopyup');
  });

  it('does not treat Object.prototype names as options', () => {
    const p = parseMountOptions(['constructor', 'toString']);
    expect(p.flags).toBe(0n);
    expect(p.data).toBe('constructor,toString');
  });
});
