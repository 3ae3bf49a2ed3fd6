import * as os from 'node:os';
import { MiniRunError } from '../errors';

/** "TERM", "SIGTERM", "sigterm" or "15" -> 15, as runc accepts them; "0" only checks the process is there. */
export function parseSignal(text: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= 0 && n <= 64) return n;
  } else {
    const name = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
    const n = (os.constants.signals as Record<string, number>)[name];
    if (n !== undefined) return n;
  }
  throw new MiniRunError('USAGE', `signal: unknown signal "${text}"`);
}
