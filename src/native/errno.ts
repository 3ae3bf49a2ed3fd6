import type * as Os from 'node:os';

let names: Map<number, string> | undefined;

/** 2 -> "ENOENT"; "errno N" when unknown. */
export function errnoName(n: number): string {
  if (!names) {
    // node:os is loaded here, only to name an errno (0.2 ms that kill, say, need not pay)
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
    const os = require('node:os') as typeof Os;
    names = new Map();
    for (const [k, v] of Object.entries(os.constants.errno)) if (!names.has(v)) names.set(v, k);
  }
  return names.get(n) ?? `errno ${n}`;
}
