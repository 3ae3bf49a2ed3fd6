// Types of compare.js's exports, for the TypeScript tests that judge runc's suite with it
// (test/vm/runc-suite-v2.test.ts).
export interface TapResult {
  result: 'ok' | 'fail' | 'skip';
  /** the test's diagnostic lines (bats prints its output when it fails) */
  output: string;
  /** how long it took (bats -T), in ms */
  ms?: number;
}
export interface Expected {
  kind: 'wording' | 'env';
  pattern: RegExp;
  reason: string;
  seen: boolean;
}
export interface Verdict {
  outcome: 'passed' | 'failed' | 'skipped' | 'listed';
  problem?: string;
  /** a remark printed with the results that fails nothing (a listed test skipped in this pass) */
  note?: string;
}
/** `bats -t` output: test name -> result (an empty map when the file cannot be read) */
export function parseTap(file: string): Map<string, TapResult>;
/** expected-failures.tsv: "FILE\tTEST" -> entry */
export function readExpected(file: string): Map<string, Expected>;
export function judge(
  control: TapResult | undefined,
  ours: TapResult | undefined,
  expected: Expected | undefined,
  listName: string,
): Verdict;
/** An ERE that matches exactly these test names (for bats --filter). */
export function exactly(names: string[]): string;
