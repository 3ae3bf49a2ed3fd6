// AppArmor/SELinux settings on a host with neither LSM (as runc: refused),
// and linux.memoryPolicy (runc 1.1.5 does not know it; minirun applies it).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasRunc, isRoot, Sandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

suite('LSM labels and memory policy', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await Sandbox.create(['true']);
  });
  afterEach(() => sb.cleanup());

  it.each([
    [
      'process.apparmorProfile',
      (c: any) => (c.process.apparmorProfile = 'docker-default'),
      /AppArmor is not enabled on this host/,
    ],
    [
      'process.selinuxLabel',
      (c: any) => (c.process.selinuxLabel = 'system_u:system_r:container_t:s0'),
      /SELinux is disabled or not supported/,
    ],
    [
      'linux.mountLabel',
      (c: any) => (c.linux.mountLabel = 'system_u:object_r:container_file_t:s0'),
      /SELinux is disabled or not supported/,
    ],
  ])('%s without the LSM fails as with runc, in one line, leaving nothing', (field, edit, why) => {
    sb.edit(edit);
    const { runc, minirun } = sb.runBoth();
    expect(runc.code).not.toBe(0);
    expect(minirun.code).toBe(1);
    expect(minirun.stderr).toMatch(new RegExp(`^minirun run failed: config.json: ${field.replace('.', '\\.')}: `));
    expect(minirun.stderr).toMatch(why);
    expect(minirun.stderr.trim().split('\n')).toHaveLength(1);
    expect(sb.residue()).toEqual([]);
  });

  it('exec --apparmor, --process-label and a --process file with them fail as with runc, naming the flag or the file', () => {
    sb.edit((c) => (c.process.args = ['sleep', '300']));
    const ids = { runc: uniqueId('lsmx-r'), minirun: uniqueId('lsmx-m') };
    const file = path.join(sb.dir, 'process.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ ...sb.config().process, args: ['true'], apparmorProfile: 'docker-default' }),
    );
    const cases: [string[], string][] = [
      [['--apparmor', 'docker-default'], '--apparmor: AppArmor is not enabled on this host'],
      [
        ['--process-label', 'system_u:system_r:container_t:s0'],
        '--process-label: SELinux is disabled or not supported',
      ],
      [['--process', file], `--process ${file}: process.apparmorProfile: AppArmor is not enabled on this host`],
    ];
    try {
      expect(sb.runc(['run', '-d', ids.runc]).code).toBe(0);
      expect(sb.minirun(['run', '-d', ids.minirun]).code).toBe(0);
      for (const [flags, message] of cases) {
        expect(sb.runc(['exec', ...flags, ids.runc, 'true']).code).toBe(255);
        const m = sb.minirun(['exec', ...flags, ids.minirun, 'true']);
        expect(m.code).toBe(255);
        expect(m.stderr.slice(0, message.length + 21)).toBe(`minirun exec failed: ${message}`);
        expect(m.stderr.trim().split('\n')).toHaveLength(1);
      }
      // nothing was started: the init is the container's only process
      expect(JSON.parse(sb.minirun(['ps', '--format', 'json', ids.minirun]).stdout)).toHaveLength(1);
    } finally {
      sb.runc(['delete', '-f', ids.runc]);
      sb.minirun(['delete', '-f', ids.minirun]);
    }
  });

  it('applies linux.memoryPolicy (runc 1.1.5 ignores it: a deliberate difference)', () => {
    sb.edit((c) => {
      c.process.args = ['sh', '-c', 'head -n1 /proc/self/numa_maps | cut -d" " -f2'];
      c.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' };
    });
    const { runc, minirun } = sb.runBoth();
    expect(minirun).toMatchObject({ code: 0, stdout: 'bind:0\n' });
    expect(runc).toMatchObject({ code: 0, stdout: 'default\n' });
    sb.edit((c) => (c.linux.memoryPolicy = { mode: 'MPOL_PREFERRED', nodes: '0' }));
    expect(sb.minirun(['run', 'mp-pref']).stdout).toBe('prefer:0\n');
  });

  it.each([
    [{ mode: 'MPOL_FAST' }, 'linux.memoryPolicy.mode: unknown mode "MPOL_FAST"'],
    [{ mode: 'MPOL_BIND' }, 'linux.memoryPolicy.nodes: is required for MPOL_BIND'],
    [{ mode: 'MPOL_LOCAL', nodes: '0' }, 'linux.memoryPolicy.nodes: must be empty for MPOL_LOCAL'],
    [
      { mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_FAST'] },
      'linux.memoryPolicy.flags[0]: unknown flag "MPOL_F_FAST"',
    ],
    [{ mode: 'MPOL_BIND', nodes: 'zero' }, 'linux.memoryPolicy.nodes: must be a node list like "0-3,7"'],
    [{ mode: 'MPOL_BIND', nodes: '63' }, 'memoryPolicy: set_mempolicy 0x2 (linux.memoryPolicy): EINVAL'],
  ])('memoryPolicy %j is refused with one line, leaving nothing', (policy, message) => {
    sb.edit((c) => (c.linux.memoryPolicy = policy));
    const r = sb.minirun(['run', 'mp-bad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(sb.residue()).toEqual([]);
  });
});
