// --log / --log-format: errors also go to the log file, as runc writes them
// (json lines with level, msg, time; or logfmt-style text).
import * as fs from 'node:fs';
import type { GlobalOptions } from './main';

export function logError(g: GlobalOptions, msg: string): void {
  if (!g.log) return;
  const time = new Date().toISOString();
  const line =
    g.logFormat === 'json'
      ? JSON.stringify({ level: 'error', msg, time })
      : `time="${time}" level=error msg=${JSON.stringify(msg)}`;
  try {
    fs.appendFileSync(g.log, line + '\n');
  } catch {
    // the error itself is already on stderr
  }
}
