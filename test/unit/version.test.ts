// `minirun --version` in runc's shape, the version written once with the
// package's, and the commit from the file the build writes (never from git at
// run time).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCommit, SPEC_VERSION, VERSION, versionText } from '../../src/version';

const ROOT = path.resolve(__dirname, '..', '..');

describe('minirun --version', () => {
  it("has runc's lines: version, commit, spec, then the runtime and libseccomp's version from the addon", () => {
    const lines = versionText().split('\n');
    expect(lines[0]).toBe(`minirun version ${VERSION}`);
    expect(lines[1]).toMatch(/^commit: \S+$/);
    expect(lines[2]).toBe(`spec: ${SPEC_VERSION}`);
    expect(lines[3]).toBe(`node: ${process.versions.node}`);
    expect(lines[4]).toMatch(/^libseccomp: \d+\.\d+\.\d+$/);
    expect(lines).toHaveLength(5);
  });

  it('is the version in package.json', () => {
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version).toBe(VERSION);
  });

  it('has no commit without the build-info file (the sources have none)', () => {
    expect(buildCommit()).toBe('unknown');
  });

  it('has, when built, the commit the build wrote', () => {
    const info = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'build-info.json'), 'utf8')) as { commit: string };
    expect(info.commit).toMatch(/^[0-9a-f]{7,}(-dirty)?$|^.+-\d+-g[0-9a-f]{7,}(-dirty)?$/);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'minirun'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(`commit: ${info.commit}`);
  });
});
