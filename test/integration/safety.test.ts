// Regression tests for the safety rules: nothing mounted or created outside
// the rootfs, masks that cannot be faked, no leaked fds, no host binary
// reachable through /proc/self/exe.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRoot, MINIRUN, Sandbox, uniqueId } from './harness';

const suite = isRoot ? describe : describe.skip;

suite('safety', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await Sandbox.create(['true']);
  });
  afterEach(() => sb.cleanup());

  const rootfs = () => path.join(sb.bundle, 'rootfs');

  it('a mount through a symlink to / lands inside the rootfs', () => {
    const name = uniqueId('escape');
    fs.mkdirSync(path.join(rootfs(), 'trap'));
    fs.symlinkSync('/', path.join(rootfs(), 'trap/up'));
    sb.edit((c) => {
      c.mounts.push({ destination: `/trap/up/${name}`, type: 'tmpfs', source: 'tmpfs' });
      c.process.args = ['sh', '-c', `grep -c " /${name} " /proc/self/mountinfo`];
    });
    const r = sb.minirun(['run', uniqueId('sym')]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1');
    expect(fs.existsSync(`/${name}`)).toBe(false);
    expect(fs.existsSync(path.join(rootfs(), name))).toBe(true);
    expect(sb.residue()).toEqual([]);
  });

  it('a destination with .. stays inside the rootfs', () => {
    const name = uniqueId('dotdot');
    sb.edit((c) => c.mounts.push({ destination: `/../../../tmp/${name}`, type: 'tmpfs', source: 'tmpfs' }));
    const r = sb.minirun(['run', uniqueId('dd')]);
    expect(r.code).toBe(0);
    expect(fs.existsSync(`/tmp/${name}`)).toBe(false);
    expect(fs.existsSync(path.join(rootfs(), 'tmp', name))).toBe(true);
  });

  it('/proc must be a real directory, not a symlink', () => {
    fs.rmSync(path.join(rootfs(), 'proc'), { recursive: true });
    fs.symlinkSync('/tmp', path.join(rootfs(), 'proc'));
    const r = sb.minirun(['run', uniqueId('proc')]);
    expect(r.stderr).toMatch(
      /^minirun run failed: mount: mounts\[0\] \/proc: proc must be mounted on ordinary directory/,
    );
    expect(r.code).toBe(1);
    expect(sb.residue()).toEqual([]);
  });

  it('masks with the real /dev/null only', () => {
    // A /dev that the rootfs supplies, where "null" is a plain file.
    fs.mkdirSync(path.join(rootfs(), 'fakedev'));
    fs.writeFileSync(path.join(rootfs(), 'fakedev/null'), 'not a device');
    sb.edit((c) => {
      c.mounts = c.mounts.filter((m: { destination: string }) => !m.destination.startsWith('/dev'));
      c.mounts.push({ destination: '/dev', type: 'bind', source: path.join(rootfs(), 'fakedev'), options: ['rbind'] });
    });
    const r = sb.minirun(['run', uniqueId('mask')]);
    expect(r.stderr).toMatch(/^minirun run failed: maskedPaths: \/dev\/null in the container is not the null device/);
    expect(r.code).toBe(1);
    expect(sb.residue()).toEqual([]);
  });

  it('the container gets exactly fds 0-2, even when minirun has more', () => {
    sb.setArgs(['/bin/probe', 'fds']);
    const r = spawnSync(MINIRUN, ['--root', sb.minirunRoot, 'run', '--bundle', sb.bundle, uniqueId('fds')], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const fds = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    expect(fds).toEqual(['0', '1', '2']);
  });

  it('the cwd is inside the container', () => {
    sb.setArgs(['/bin/probe', 'cwd']);
    const r = sb.minirun(['run', uniqueId('cwd')]);
    expect(r.stdout.trim()).toBe('/');
  });

  it('/proc/self/exe never reaches a host file', () => {
    const helper = path.resolve(__dirname, '../../build/Release/minirun-init');
    const hash = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    const before = [hash(process.execPath), hash(helper)];
    sb.setArgs(['/bin/probe', 'exe']);
    const probe = sb.minirun(['run', uniqueId('exe')]);
    expect(probe.code).toBe(0);
    expect(probe.stdout).not.toMatch(/node|minirun-init/);
    // An entrypoint of /proc/self/exe runs the sealed helper copy, which finds no plan and fails.
    sb.setArgs(['/proc/self/exe']);
    const r = sb.minirun(['run', uniqueId('exe')]);
    expect(r.code).not.toBe(0);
    expect([hash(process.execPath), hash(helper)]).toEqual(before);
    expect(sb.residue()).toEqual([]);
  });
});
