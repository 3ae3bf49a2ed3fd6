// The pure parts of a rootless unpack: /etc/subuid lines, the maps made of
// them, /proc/PID/uid_map read back, the owners refused, and config.json
// changed as `runc spec --rootless` changes runc's default spec.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../../src/config/default';
import { mappedText, parseIdMap, rootlessMappings, toHost } from '../../src/image/idmap';
import { rootlessOwners } from '../../src/image/owners';
import { toRootlessWith } from '../../src/config/rootless-spec';
import { parseSubIds } from '../../src/image/subids';

describe('image: subordinate ids and maps', () => {
  const subuid = 'alice:100000:65536\n# x\n1001:300000:1000\nbob:200000:65536\nalice:400000:10\nbad line\nalice:x:1\n';
  it('reads the lines of the user, by name or uid, in order', () => {
    expect(parseSubIds(subuid, 'alice', 1001)).toEqual([
      { start: 100000, count: 65536 },
      { start: 300000, count: 1000 },
      { start: 400000, count: 10 },
    ]);
    expect(parseSubIds(subuid, undefined, 1002)).toEqual([]);
  });
  it('maps 0 to the user and 1.. to the ranges in turn', () => {
    const maps = rootlessMappings(1001, parseSubIds(subuid, 'alice', 1001));
    expect(maps).toEqual([
      { containerID: 0, hostID: 1001, size: 1 },
      { containerID: 1, hostID: 100000, size: 65536 },
      { containerID: 65537, hostID: 300000, size: 1000 },
      { containerID: 66537, hostID: 400000, size: 10 },
    ]);
    expect([0, 1, 1000, 65536, 65537, 66546, 66547].map((id) => toHost(maps, id))).toEqual([
      1001,
      100000,
      100999,
      165535,
      300000,
      400009,
      undefined,
    ]);
    expect(mappedText(maps)).toBe('0, 1-65536, 65537-66536, 66537-66546');
  });
  it('reads /proc/PID/uid_map back', () => {
    expect(parseIdMap('         0       1001          1\n         1     100000      65536\n')).toEqual([
      { containerID: 0, hostID: 1001, size: 1 },
      { containerID: 1, hostID: 100000, size: 65536 },
    ]);
  });
});

describe('image: owners of a rootless unpack', () => {
  it('refuses an owner outside the ranges, naming the entry and the ranges', () => {
    const o = rootlessOwners(
      rootlessMappings(1001, [{ start: 100000, count: 100 }]),
      rootlessMappings(1001, []),
      () => {},
    );
    expect(() => o.chown('/nonexistent', 200, 0, 'layer 0', 'a/b')).toThrow(
      'layer 0: "a/b": owner uid 200 is outside the uids this user may use (0, 1-100: /etc/subuid): refused',
    );
    expect(o.devices).toBe(false);
  });
  it('without ranges of a kind, leaves those owners out and sums them up in one note', () => {
    const notes: string[] = [];
    const o = rootlessOwners(rootlessMappings(1001, []), rootlessMappings(1001, []), (m) => notes.push(m));
    // neither id is mapped: nothing is changed (lchown is not called on this path that does not exist)
    o.chown('/nonexistent', 5, 7, 'l', 'x');
    o.chown('/nonexistent', 1000, 7, 'l', 'y');
    o.finish();
    expect(notes).toEqual([
      "no subordinate uids for this user in /etc/subuid: 2 entries owned by uid 5, 1000 are the user's own (uid 0 in the bundle)",
      "no subordinate gids for this user in /etc/subgid: 2 entries owned by gid 7 are the user's own (gid 0 in the bundle)",
    ]);
  });
});

describe('image: config.json of a rootless unpack', () => {
  const maps = [
    { containerID: 0, hostID: 1001, size: 1 },
    { containerID: 1, hostID: 100000, size: 65536 },
  ];
  it('is changed as runc spec --rootless changes the default spec', () => {
    const c = toRootlessWith(defaultSpec() as Record<string, any>, maps, maps);
    expect(c.linux.namespaces).toEqual([
      { type: 'pid' },
      { type: 'ipc' },
      { type: 'uts' },
      { type: 'mount' },
      { type: 'user' },
    ]);
    expect(c.linux.uidMappings).toEqual(maps);
    expect(c.linux.resources).toBeUndefined();
    const sys = c.mounts.find((m: { destination: string }) => m.destination === '/sys');
    expect(sys).toEqual({
      destination: '/sys',
      type: 'none',
      source: '/sys',
      options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
    });
    const pts = c.mounts.find((m: { destination: string }) => m.destination === '/dev/pts');
    expect(pts.options).not.toContain('gid=5');
    expect(defaultSpec()).not.toEqual(c); // a copy, not the default changed
  });

  const runc = spawnSync('runc', ['--version'], { encoding: 'utf8' });
  it.skipIf(runc.status !== 0)('is what runc spec --rootless writes, but for the maps', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-rootless-spec-'));
    try {
      expect(spawnSync('runc', ['spec', '--rootless'], { cwd: dir }).status).toBe(0);
      const theirs = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      const own = [{ containerID: 0, hostID: process.geteuid?.() ?? 0, size: 1 }];
      const ownGid = [{ containerID: 0, hostID: process.getegid?.() ?? 0, size: 1 }];
      expect(toRootlessWith(defaultSpec() as Record<string, any>, own, ownGid)).toEqual(theirs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
