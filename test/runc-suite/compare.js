#!/usr/bin/env node
// Compares two passes of runc's integration suite (TAP from `bats -t`): the
// control with runc, then minirun. A test runc passes must pass with minirun,
// unless expected-failures.tsv lists it; a listed test must still fail, with
// output matching the pattern given there (so it fails for the listed reason).
//   node compare.js RESULTS_DIR EXPECTED.tsv FILE.bats...
// The tests runc fails in its pass are run with runc once more (FILE.bats.retry.tap, made by run.sh
// and rootless.sh with the filter of --retry-filter): one it passes then is runc's own flake.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** file -> Map(test name -> { result: 'ok'|'fail'|'skip', output: string, ms?: number (bats -T) }) */
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
      // bats -T: "NAME in 123ms"
      const timing = / in (\d+)ms$/.exec(name);
      if (timing) name = name.slice(0, timing.index);
      current = { result, output: '', ms: timing ? Number(timing[1]) : undefined };
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

/** An ERE that matches exactly these test names (bats --filter takes a bash regex). */
function exactly(names) {
  return `^(${names.map((n) => n.replace(/[\\.[\]()*+?{}|^$]/g, '\\$&')).join('|')})$`;
}

/**
 * The tests runc failed in a file's pass, but those listed as failing with runc here (env): one
 * re-run of them tells runc's own flake (seen under load) from a test that cannot pass here.
 */
function controlFailures(tapFile, expected, file) {
  const failed = [];
  for (const [name, c] of parseTap(tapFile))
    if (c.result === 'fail' && expected.get(`${file}\t${name}`)?.kind !== 'env') failed.push(name);
  return failed;
}

/**
 * One test's verdict: `c` its result with runc (the control), `m` with minirun (undefined: no
 * result), `e` its entry in the expected-failures list (or undefined). Returns the outcome
 * (passed, failed, skipped: with runc too or not runnable here, listed: an expected failure that
 * failed as listed) and, when it failed, why (problem); note: a remark that fails nothing.
 * @returns {{ outcome: 'passed' | 'failed' | 'skipped' | 'listed', problem?: string, note?: string }}
 */
function judge(c, m, e, listName) {
  const indent = (text) => text.replace(/^/gm, '    ');
  if (!c) return { outcome: 'failed', problem: 'no result with runc' };
  if (c.result === 'skip') {
    // one list serves every pass (host, rootless, guest): a test skipped in one of them is noted only
    if (e) return { outcome: 'skipped', note: `listed in ${listName} but skipped here` };
    return { outcome: 'skipped' };
  }
  if (e?.kind === 'env') {
    // cannot run on this host at all (it fetches from the internet): runc must fail it for that reason
    if (c.result === 'fail' && e.pattern.test(c.output)) return { outcome: 'skipped' };
    return {
      outcome: 'failed',
      problem: `listed as needing what this host lacks (${e.reason}), but runc ${c.result === 'ok' ? 'passes it' : 'fails it otherwise'}`,
    };
  }
  if (c.result === 'fail') {
    return { outcome: 'failed', problem: `fails with runc too (an environment problem)\n${indent(c.output)}` };
  }
  if (!m) return { outcome: 'failed', problem: 'no result with minirun' };
  if (m.result === 'ok' && !e) return { outcome: 'passed' };
  if (m.result === 'ok') return { outcome: 'failed', problem: `passes now; take it out of ${listName}` };
  if (!e) {
    return {
      outcome: 'failed',
      problem: `${m.result === 'skip' ? 'skipped' : 'fails'} with minirun, passes with runc\n${indent(m.output)}`,
    };
  }
  if (m.result === 'fail' && e.pattern.test(m.output)) return { outcome: 'listed' };
  return {
    outcome: 'failed',
    problem: `listed (${e.reason}) but its output no longer matches /${e.pattern.source}/\n${indent(m.output)}`,
  };
}

/** The command: compares the passes in RESULTS_DIR and prints the problems and the counts. */
function main() {
  const [outDir, expectedFile, ...files] = process.argv.slice(2);
  const expected = readExpected(expectedFile);
  const counts = { passed: 0, failed: 0, skipped: 0, listed: 0 };
  const problems = [];
  for (const f of files.map((f) => path.basename(f))) {
    const control = parseTap(path.join(outDir, 'runc', `${f}.tap`));
    const ours = parseTap(path.join(outDir, 'minirun', `${f}.tap`));
    if (control.size === 0) problems.push(`${f}: no results from the runc pass (see ${outDir}/runc/${f}.tap)`);
    // runc's failures were run once more (retry-filter): a test it passed then is judged as passed
    for (const [name, r] of parseTap(path.join(outDir, 'runc', `${f}.retry.tap`))) {
      if (control.get(name)?.result !== 'fail' || r.result !== 'ok') continue;
      control.set(name, r);
      problems.push(`${f}: "${name}": failed with runc, passed with runc when run again (runc's own flake)`);
    }
    for (const [name, c] of control) {
      const e = expected.get(`${f}\t${name}`);
      if (e) e.seen = true;
      const v = judge(c, ours.get(name), e, path.basename(expectedFile));
      counts[v.outcome]++;
      if (v.problem ?? v.note) problems.push(`${f}: "${name}": ${v.problem ?? v.note}`);
    }
  }
  const { passed, skipped, listed } = counts;
  let { failed } = counts;
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
}

/**
 * `compare.js --retry-filter TAP EXPECTED.tsv FILE.bats`: prints the bats --filter that selects the
 * tests runc failed in TAP (nothing when there are none), for run.sh and rootless.sh to run again.
 */
function retryFilter([tapFile, expectedFile, file]) {
  const failed = controlFailures(tapFile, readExpected(expectedFile), path.basename(file));
  if (failed.length > 0) console.log(exactly(failed));
}

module.exports = { parseTap, readExpected, judge, exactly };
if (require.main === module) {
  if (process.argv[2] === '--retry-filter') retryFilter(process.argv.slice(3));
  else main();
}
