// src/native/*.generated.ts are the TypeScript side's copy of native/protocol.h
// and of the kernel constants it uses, written by native/tools/generate-ts.cc
// (npm run build). They are committed: this test builds the generator afresh
// from the headers, runs it, and fails when a committed file differs from
// what it writes (a header changed without a build, or a hand edit).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '../..');
const FILES = ['protocol-layout.generated.ts', 'kernel-constants.generated.ts'];

describe('generated TypeScript from the C headers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-generate-ts-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is what native/protocol.h and the system headers give', () => {
    const exe = path.join(dir, 'generate-ts');
    const cxx = process.env.CXX || 'c++';
    const cc = spawnSync(
      cxx,
      ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-o', exe, path.join(ROOT, 'native/tools/generate-ts.cc')],
      { encoding: 'utf8' },
    );
    expect(cc.status, `${cxx}: ${cc.stderr}`).toBe(0);
    const run = spawnSync(exe, [dir], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    for (const f of FILES) {
      const committed = fs.readFileSync(path.join(ROOT, 'src/native', f), 'utf8');
      expect(committed, `src/native/${f} differs from what the headers give: run npm run build and commit it`).toBe(
        fs.readFileSync(path.join(dir, f), 'utf8'),
      );
    }
  });
});
