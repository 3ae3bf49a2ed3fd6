import * as os from 'node:os';

let names: Map<number, string> | undefined;

/** 2 -> "ENOENT"; "errno N" when unknown. */
export function errnoName(n: number): string {
  if (!names) {
    names = new Map();
    for (const [k, v] of Object.entries(os.constants.errno)) if (!names.has(v)) names.set(v, k);
  }
  return names.get(n) ?? `errno ${n}`;
}
