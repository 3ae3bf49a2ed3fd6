// A container with its own user namespace whose root is an unprivileged host
// uid: what the runtime opens on the host (bind sources, the exec fifo) is
// opened while it is still the host's root, as runc does (runc's userns.bats).
// Compared with runc 1.1.5 on the same bundle.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, Sandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

suite('user namespace: host paths only the host root can reach', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await Sandbox.create(['sh', '-c', 'cat /tmp/m1/foo.txt /tmp/m2/foo.txt']);
    // the container's root (host uid 100000) has to reach the rootfs
    fs.chmodSync(sb.dir, 0o755);
    for (const n of ['1', '2']) {
      fs.mkdirSync(path.join(sb.bundle, `hidden-${n}`, 'dir'), { recursive: true });
      fs.writeFileSync(path.join(sb.bundle, `hidden-${n}`, 'dir', 'foo.txt'), `secret ${n}\n`);
      fs.chmodSync(path.join(sb.bundle, `hidden-${n}`), 0o700);
    }
    sb.edit((c) => {
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65534 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65534 }];
      c.mounts.push(
        { source: 'hidden-1/dir', destination: '/tmp/m1', options: ['bind'] },
        { source: 'hidden-2/dir', destination: '/tmp/m2', options: ['rbind', 'ro'] },
      );
    });
  });
  afterEach(() => sb?.cleanup());

  it('bind sources under 0700 host dirs are mounted (opened before the user namespace)', () => {
    const { minirun, runc } = sb.runBoth('');
    expect(runc.code).toBe(0);
    expect(minirun.stderr).toBe('');
    expect(minirun.code).toBe(0);
    expect(minirun.stdout).toBe('secret 1\nsecret 2\n');
    expect(minirun.stdout).toBe(runc.stdout);
    expect(sb.residue()).toEqual([]);
  });

  it('create and start with a 0700 --root: the exec fifo is opened before the user namespace', () => {
    sb.edit((c) => {
      c.mounts = c.mounts.filter((m: { destination: string }) => !m.destination.startsWith('/tmp/m'));
      c.process.args = ['true'];
    });
    fs.mkdirSync(sb.minirunRoot, { mode: 0o700 });
    fs.mkdirSync(sb.runcRoot, { mode: 0o700 });
    const id = uniqueId('fifo');
    for (const [rt, name] of [
      [sb.runc.bind(sb), `${id}-r`],
      [sb.minirun.bind(sb), `${id}-m`],
    ] as const) {
      const created = rt(['create', name]);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      expect(rt(['start', name]).code).toBe(0);
      for (let i = 0; i < 100 && JSON.parse(rt(['state', name]).stdout).status !== 'stopped'; i++) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
      expect(rt(['delete', name]).code).toBe(0);
    }
    expect(sb.residue()).toEqual([]);
  });
});
