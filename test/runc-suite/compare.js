#!/usr/bin/env node
// Compares two passes of runc's integration suite (TAP from `bats -t`): the
// control with runc, then minirun. A test runc passes must pass with minirun,
// unless expected-failures.tsv lists it; a listed test must still fail, with
// output matching the pattern given there (so it fails for the listed reason).
//   node compare.js RESULTS_DIR EXPECTED.tsv FILE.bats...
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [outDir, expectedFile, ...files] = process.argv.slice(2);

/** file -> Map(test name -> { result: 'ok'|'fail'|'skip', output: string }) */
function parseTap(file) {
  const tests = new Map();
  let text;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/\r/g, '');
  } catch {
    return tests;
  }
  let current;
  for (const line of text.split('\n')) {
    const m = /^(ok|not ok) \d+ (.*)$/.exec(line);
    if (m) {
      let name = m[2];
      let result = m[1] === 'ok' ? 'ok' : 'fail';
      const skip = / # skip\b.*$/.exec(name);
      if (skip) {
        name = name.slice(0, skip.index);
        result = 'skip';
      }
      current = { result, output: '' };
      tests.set(name, current);
    } else if (current && line.startsWith('#')) {
      current.output += line.replace(/^# ?/, '') + '\n';
    }
  }
  return tests;
}

/** Lines of FILE<TAB>TEST<TAB>KIND<TAB>PATTERN<TAB>REASON; # comments. KIND: wording (fails with
 * minirun only: runc's own words), env (fails with both: needs what this host lacks). */
function readExpected(file) {
  const expected = new Map();
  for (const [i, raw] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    if (!raw.trim() || raw.startsWith('#')) continue;
    const cols = raw.split('\t');
    if (cols.length !== 5 || !['wording', 'env'].includes(cols[2])) {
      throw new Error(`${file}:${i + 1}: want FILE<TAB>TEST<TAB>wording|env<TAB>PATTERN<TAB>REASON`);
    }
    const [bats, test, kind, pattern, reason] = cols;
    expected.set(`${bats}\t${test}`, { kind, pattern: new RegExp(pattern), reason, seen: false });
  }
  return expected;
}

const expected = readExpected(expectedFile);
let passed = 0;
let failed = 0;
let skipped = 0;
let listed = 0;
const problems = [];
for (const f of files.map((f) => path.basename(f))) {
  const control = parseTap(path.join(outDir, 'runc', `${f}.tap`));
  const ours = parseTap(path.join(outDir, 'minirun', `${f}.tap`));
  if (control.size === 0) problems.push(`${f}: no results from the runc pass (see ${outDir}/runc/${f}.tap)`);
  for (const [name, c] of control) {
    const key = `${f}\t${name}`;
    const e = expected.get(key);
    if (e) e.seen = true;
    const m = ours.get(name);
    if (c.result === 'skip') {
      skipped++;
      if (e) problems.push(`${f}: "${name}": listed in ${path.basename(expectedFile)} but skipped here`);
      continue;
    }
    if (e?.kind === 'env') {
      // cannot run on this host at all (it fetches from the internet): runc must fail it for that reason
      if (c.result === 'fail' && e.pattern.test(c.output)) {
        skipped++;
      } else {
        failed++;
        problems.push(
          `${f}: "${name}": listed as needing what this host lacks (${e.reason}), but runc ${c.result === 'ok' ? 'passes it' : 'fails it otherwise'}`,
        );
      }
      continue;
    }
    if (c.result === 'fail') {
      failed++;
      problems.push(
        `${f}: "${name}": fails with runc too (an environment problem)\n${c.output.replace(/^/gm, '    ')}`,
      );
      continue;
    }
    if (!m) {
      failed++;
      problems.push(`${f}: "${name}": no result with minirun`);
    } else if (m.result === 'ok' && !e) {
      passed++;
    } else if (m.result === 'ok') {
      failed++;
      problems.push(`${f}: "${name}": passes now; take it out of ${path.basename(expectedFile)}`);
    } else if (!e) {
      failed++;
      problems.push(
        `${f}: "${name}": ${m.result === 'skip' ? 'skipped' : 'fails'} with minirun, passes with runc\n${m.output.replace(/^/gm, '    ')}`,
      );
    } else if (m.result === 'fail' && e.pattern.test(m.output)) {
      listed++;
    } else {
      failed++;
      problems.push(
        `${f}: "${name}": listed (${e.reason}) but its output no longer matches /${e.pattern.source}/\n${m.output.replace(/^/gm, '    ')}`,
      );
    }
  }
}
const ran = new Set(files.map((f) => path.basename(f)));
for (const [key, e] of expected) {
  if (!e.seen && ran.has(key.split('\t')[0])) {
    failed++;
    problems.push(`${key.replace('\t', ': "')}": listed in ${path.basename(expectedFile)} but not in the suite`);
  }
}
for (const p of problems) console.log(`runc-suite: ${p}`);
console.log(
  `runc-suite: ${listed} listed failures (runc's own wording), ${skipped} skipped with runc too (or not runnable here)`,
);
console.log(`runc-suite: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
