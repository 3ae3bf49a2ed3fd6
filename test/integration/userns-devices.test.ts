// Devices in a user-namespaced container cannot be made with mknod: they are
// bind mounts of the host's nodes, as runc does. Compared with runc 1.1.5 on
// the same bundle: the /dev mount entries (root inside the source filesystem,
// mount point, options) and that the nodes work.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, MINIRUN, Sandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

// root-in-source, mount point, per-mount options, fstype for every mount under /dev
const SCRIPT = [
  'awk \'$5 ~ /^\\/dev\\// { for (i = 7; $i != "-"; i++); print $4, $5, $6, $(i+1) }\' /proc/self/mountinfo',
  'echo x > /dev/null && echo null-ok',
  'head -c 5 /dev/zero | wc -c',
  'head -c 5 /dev/urandom | wc -c',
  'probe open /dev/full',
].join('; ');

suite('devices in a user namespace are bind mounts of the host nodes', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', SCRIPT]);
    // the container's root (host uid 100000) has to reach the rootfs
    fs.chmodSync(sb.dir, 0o755);
  });
  afterAll(() => sb?.cleanup());

  it('without a user namespace the nodes are made with mknod, not mounted', () => {
    const { minirun, runc } = sb.runBoth('');
    expect(minirun.stdout).toBe(runc.stdout);
    expect(minirun.stdout).not.toMatch(/ \/dev\/null /);
    expect(sb.residue()).toEqual([]);
  });

  it('with a user namespace /dev/null, /dev/zero, ... are binds of /null, /zero, ... of the host devtmpfs, as with runc', () => {
    sb.edit((c) => {
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    });
    const { minirun, runc } = sb.runBoth('');
    expect(runc.code).toBe(0);
    expect(minirun.stderr).toBe('');
    for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) {
      expect(minirun.stdout).toMatch(new RegExp(`^/${dev} /dev/${dev} \\S+ devtmpfs$`, 'm'));
    }
    expect(minirun.stdout).toMatch(/null-ok\n5\n5\nok\n$/);
    expect(minirun.stdout).toBe(runc.stdout);
    expect(sb.residue()).toEqual([]);
  });

  it('with the runtime itself in a user namespace (as rootless podman runs it), the nodes are binds too, as with runc', () => {
    sb.edit((c) => {
      c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'user');
      delete c.linux.uidMappings;
      delete c.linux.gidMappings;
      delete c.linux.resources;
      // gid 5 is not mapped in a namespace of root alone
      for (const m of c.mounts)
        if (m.destination === '/dev/pts') m.options = m.options.filter((o: string) => o !== 'gid=5');
    });
    const id = uniqueId('uxns');
    // unshare -U -r: root is mapped to itself alone, so the runtime runs in a user namespace of its own
    const inUserNs = (argv: string[]) =>
      spawnSync('unshare', ['-U', '-r', '-m', ...argv], { cwd: sb.bundle, encoding: 'utf8', timeout: 60_000 });
    const runc = inUserNs(['runc', '--root', sb.runcRoot, 'run', `${id}-r`]);
    const minirun = inUserNs([MINIRUN, '--root', sb.minirunRoot, 'run', `${id}-m`]);
    expect(runc.status, runc.stderr).toBe(0);
    expect(minirun.stderr).toBe('');
    expect(minirun.stdout).toMatch(/^\/null \/dev\/null \S+ devtmpfs$/m);
    expect(minirun.stdout).toBe(runc.stdout);
    expect(sb.residue()).toEqual([]);
  });
});
