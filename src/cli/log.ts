// --log / --log-format: errors also go to the log file, as runc writes them
// (json lines with level, msg, time; or logfmt-style text).
import * as fs from 'node:fs';
import { formatLine } from '../log';
import type { GlobalOptions } from './globals';

export function logError(g: GlobalOptions, msg: string): void {
  if (!g.log) return;
  const line = formatLine('error', msg, g.logFormat === 'json');
  try {
    fs.appendFileSync(g.log, line + '\n');
  } catch {
    // the error itself is already on stderr
  }
}
