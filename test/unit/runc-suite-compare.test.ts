// test/runc-suite/compare.js on made-up TAP output: what counts as passed,
// failed and listed, and that a listed test must still fail for its reason.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const COMPARE = path.resolve(__dirname, '../runc-suite/compare.js');

describe("runc's suite: the comparison of the two passes", () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function compare(runc: string, minirun: string, expected: string[], runcRetry?: string) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-compare-'));
    for (const [who, tap] of [
      ['runc', runc],
      ['minirun', minirun],
    ]) {
      fs.mkdirSync(path.join(dir, who));
      fs.writeFileSync(path.join(dir, who, 'a.bats.tap'), tap.replace(/\n/g, '\r\n')); // as `script` writes it
    }
    if (runcRetry !== undefined) fs.writeFileSync(path.join(dir, 'runc', 'a.bats.retry.tap'), runcRetry);
    fs.writeFileSync(path.join(dir, 'expected.tsv'), ['# comment', ...expected].join('\n'));
    const r = spawnSync('node', [COMPARE, dir, path.join(dir, 'expected.tsv'), 'a.bats'], { encoding: 'utf8' });
    return { code: r.status, lines: r.stdout.trim().split('\n') };
  }

  const RUNC = '1..4\nok 1 one\nok 2 two\nok 3 three # skip needs v2\nnot ok 4 net\n# git clone x failed\n';

  it('passes when minirun passes what runc passes, listed failures failing for their reason', () => {
    const r = compare(
      RUNC,
      "1..4\nok 1 one\nnot ok 2 two\n# `[[ ${lines[0]} =~ NAME ]]' failed\nok 3 three # skip needs v2\nnot ok 4 net\n",
      ['a.bats\ttwo\twording\tNAME\thelp layout', 'a.bats\tnet\tenv\tgit clone\tno network'],
    );
    expect(r.lines.slice(-1)).toEqual(['runc-suite: 1 passed, 0 failed']);
    expect(r.lines[0]).toBe(
      "runc-suite: 1 listed failures (runc's own wording), 2 skipped with runc too (or not runnable here)",
    );
    expect(r.code).toBe(0);
  });

  it('fails on a test runc passes and minirun does not, on a listed one that passes now or fails otherwise, and on one runc fails unlisted', () => {
    const r = compare(RUNC, '1..4\nnot ok 1 one\n# boom\nok 2 two\nok 3 three # skip needs v2\nnot ok 4 net\n', [
      'a.bats\ttwo\twording\tNAME\thelp layout',
    ]);
    expect(r.lines.filter((l) => l.startsWith('runc-suite: a.bats'))).toEqual([
      'runc-suite: a.bats: "one": fails with minirun, passes with runc',
      'runc-suite: a.bats: "two": passes now; take it out of expected.tsv',
      'runc-suite: a.bats: "net": fails with runc too (an environment problem)',
    ]);
    expect(r.lines.slice(-1)).toEqual(['runc-suite: 0 passed, 3 failed']);
    expect(r.code).toBe(1);

    const other = compare(
      RUNC,
      '1..4\nok 1 one\nnot ok 2 two\n# another reason\nok 3 three # skip needs v2\nnot ok 4 net\n',
      ['a.bats\ttwo\twording\tNAME\thelp layout', 'a.bats\tnet\tenv\tgit clone\tno network'],
    );
    expect(other.lines).toContain(
      'runc-suite: a.bats: "two": listed (help layout) but its output no longer matches /NAME/',
    );
    expect(other.code).toBe(1);
  });

  it("runc's failures, but those listed as failing with runc, are run again; one runc passes then is judged", () => {
    const runc = '1..4\nok 1 one\nnot ok 2 two (x)\n# flake\nnot ok 3 three\n# broken\nnot ok 4 net\n# git clone\n';
    const list = ['a.bats\tnet\tenv\tgit clone\tno network'];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-compare-'));
    fs.writeFileSync(path.join(dir, 'runc.tap'), runc);
    fs.writeFileSync(path.join(dir, 'expected.tsv'), list.join('\n'));
    const filter = spawnSync(
      'node',
      [COMPARE, '--retry-filter', path.join(dir, 'runc.tap'), path.join(dir, 'expected.tsv'), 'a.bats'],
      { encoding: 'utf8' },
    ).stdout.trim();
    expect(filter).toBe('^(two \\(x\\)|three)$');
    const rerun = new RegExp(filter);
    expect(['two (x)', 'three', 'net', 'one', 'two (x) more'].filter((n) => rerun.test(n))).toEqual([
      'two (x)',
      'three',
    ]);
    fs.rmSync(dir, { recursive: true });

    // the re-run: "two (x)" passes (runc's flake, judged on minirun's result), "three" fails again
    const r = compare(
      runc,
      '1..4\nok 1 one\nnot ok 2 two (x)\n# ours\nok 3 three\nnot ok 4 net\n',
      list,
      '1..2\nok 1 two (x)\nnot ok 2 three\n',
    );
    expect(r.lines.filter((l) => l.startsWith('runc-suite: a.bats'))).toEqual([
      'runc-suite: a.bats: "two (x)": failed with runc, passed with runc when run again (runc\'s own flake)',
      'runc-suite: a.bats: "two (x)": fails with minirun, passes with runc',
      'runc-suite: a.bats: "three": fails with runc too (an environment problem)',
    ]);
    expect(r.lines.slice(-1)).toEqual(['runc-suite: 1 passed, 2 failed']);
  });

  it('refuses a malformed list line', () => {
    const r = compare(RUNC, RUNC, ['a.bats\ttwo\tmaybe\tNAME\tx']);
    expect(r.code).not.toBe(0);
  });
});
