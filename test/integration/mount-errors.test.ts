// Bad recursive-attribute and id-mapped mount configs: one line naming
// mounts[i].field, exit 1, nothing left behind (errors.test.ts style).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRoot, suiteSandbox, uniqueId, type Config } from './harness';

const suite = isRoot ? describe : describe.skip;

const maps = (c: number, h: number, size = 1) => [{ containerID: c, hostID: h, size }];
const bind = (extra: Config) => ({ destination: '/mnt', type: 'bind', source: '/tmp', options: ['rbind'], ...extra });

suite('mount attribute and id-mapping errors: one line, exit 1, no residue', () => {
  const sb = suiteSandbox(['true']);

  const configs: [string, (c: Config) => void, RegExp][] = [
    [
      'idmap on a tmpfs',
      (c) => c.mounts[4].options.push('idmap'),
      /mounts\[4\]\.options: "idmap": id-mapped mounts are only supported for bind mounts$/,
    ],
    [
      'ridmap with neither mappings nor a user namespace',
      (c) => c.mounts.push(bind({ options: ['rbind', 'ridmap'] })),
      /mounts\[7\]\.options: "ridmap" without uidMappings and gidMappings needs a user namespace in linux\.namespaces/,
    ],
    [
      'uidMappings without gidMappings',
      (c) => c.mounts.push(bind({ options: ['rbind', 'idmap'], uidMappings: maps(0, 1000) })),
      /mounts\[7\]\.gidMappings: is required with uidMappings/,
    ],
    [
      'an empty gidMappings',
      (c) => c.mounts.push(bind({ options: ['rbind', 'idmap'], uidMappings: maps(0, 1000), gidMappings: [] })),
      /mounts\[7\]\.gidMappings: must list at least one mapping$/,
    ],
    [
      'overlapping uidMappings',
      (c) =>
        c.mounts.push(
          bind({
            options: ['rbind', 'idmap'],
            uidMappings: [...maps(0, 1000, 100), ...maps(50, 5000, 10)],
            gidMappings: maps(0, 1000),
          }),
        ),
      /mounts\[7\]\.uidMappings\[1\]\.containerID: range 50-59 overlaps mounts\[7\]\.uidMappings\[0\]/,
    ],
    [
      'a mapping without size',
      (c) =>
        c.mounts.push(
          bind({
            options: ['rbind', 'idmap'],
            uidMappings: [{ containerID: 0, hostID: 1 }],
            gidMappings: maps(0, 1000),
          }),
        ),
      /mounts\[7\]\.uidMappings\[0\]\.size: is required$/,
    ],
    [
      'a mapping past 2^32',
      (c) =>
        c.mounts.push(
          bind({ options: ['rbind', 'idmap'], uidMappings: maps(0, 4294967295, 2), gidMappings: maps(0, 1000) }),
        ),
      /mounts\[7\]\.uidMappings\[0\]\.size: hostID 4294967295 \+ size 2 goes past/,
    ],
    // found by the kernel, after the helper started: still one line and nothing left
    [
      'idmap of a filesystem that cannot be id-mapped (sysfs)',
      (c) =>
        c.mounts.push(
          bind({
            source: '/sys/kernel',
            options: ['bind', 'idmap'],
            uidMappings: maps(0, 1000),
            gidMappings: maps(0, 1000),
          }),
        ),
      /mounts\[7\] \/mnt: id-map \/sys\/kernel \(mount_setattr MOUNT_ATTR_IDMAP\): EINVAL$/,
    ],
  ];

  for (const [name, mutate, message] of configs) {
    it(`config: ${name}`, () => {
      sb.edit(mutate);
      const before = helperChildren();
      const r = sb.minirun(['run', uniqueId('merr')]);
      expect(r.stderr).toMatch(/^minirun run failed: /);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.code).toBe(1);
      expect(sb.residue()).toEqual([]);
      expect(helperChildren()).toEqual(before);
    });
  }
});

/**
 * Processes still running as the minirun helper (argv[0] minirun-init) in a
 * user namespace with this file's mapping "0 1000 1": a holder of the
 * mapping's user namespace that outlived a failure.
 */
function helperChildren(): string[] {
  const r = spawnSync('pgrep', ['-f', '^minirun-init$'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((pid) => {
    try {
      return pid !== '' && /^\s*0\s+1000\s+1\s*$/.test(fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8'));
    } catch {
      return false;
    }
  });
}
