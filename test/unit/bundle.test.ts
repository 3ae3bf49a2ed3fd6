// root.path as runc's validator takes it: no symlink on the way, the bundle
// named as runc's os.Getwd names it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRootfs } from '../../src/lifecycle/bundle';
import type { Spec } from '../../src/config/types';

describe('resolveRootfs', () => {
  let dir: string;
  let bundle: string;
  const spec = (p: string) => ({ root: { path: p } }) as Spec;
  const NOT_PWD = '/';

  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-bundle-')));
    bundle = path.join(dir, 'bundle');
    fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
    fs.symlinkSync('rootfs', path.join(bundle, 'rootfs-link'));
    fs.symlinkSync('bundle', path.join(dir, 'bundle-link'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes a plain rootfs, relative or absolute', () => {
    expect(resolveRootfs(bundle, spec('rootfs'), NOT_PWD)).toBe(path.join(bundle, 'rootfs'));
    expect(resolveRootfs(bundle, spec(path.join(bundle, 'rootfs')), NOT_PWD)).toBe(path.join(bundle, 'rootfs'));
  });

  it('refuses a root.path that is a symlink, as runc ("invalid rootfs: not an absolute path, or a symlink")', () => {
    const abs = path.join(bundle, 'rootfs-link');
    expect(() => resolveRootfs(bundle, spec('rootfs-link'), NOT_PWD)).toThrow(
      `config.json: root.path: invalid rootfs: ${abs} is a symlink or goes through one (it resolves to ${path.join(bundle, 'rootfs')})`,
    );
  });

  it('refuses an absolute root.path through a symlinked directory', () => {
    expect(() => resolveRootfs(bundle, spec(path.join(dir, 'bundle-link/rootfs')), NOT_PWD)).toThrow(
      /^config\.json: root\.path: invalid rootfs: .*\/bundle-link\/rootfs is a symlink or goes through one/,
    );
  });

  it('takes a relative root.path in a bundle named through a symlink: runc chdirs there and getcwd has no symlinks', () => {
    expect(resolveRootfs(path.join(dir, 'bundle-link'), spec('rootfs'), NOT_PWD)).toBe(path.join(bundle, 'rootfs'));
  });

  it("refuses it when $PWD names the bundle through a symlink: Go's os.Getwd answers $PWD then", () => {
    expect(() => resolveRootfs(path.join(dir, 'bundle-link'), spec('rootfs'), path.join(dir, 'bundle-link'))).toThrow(
      /^config\.json: root\.path: invalid rootfs: .*\/bundle-link\/rootfs is a symlink/,
    );
    expect(resolveRootfs(bundle, spec('rootfs'), bundle)).toBe(path.join(bundle, 'rootfs'));
  });

  it('names a missing rootfs', () => {
    expect(() => resolveRootfs(bundle, spec('nope'), NOT_PWD)).toThrow(
      `config.json: root.path: ${path.join(bundle, 'nope')}: ENOENT`,
    );
  });
});
