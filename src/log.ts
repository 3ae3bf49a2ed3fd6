// Debug lines for --debug, where runc writes its own: to --log (or stderr),
// as text (time="..." level=debug msg="...") or json. A no-op unless on, so
// callers pay nothing when it is off.
import * as fs from 'node:fs';

let sink: { fd: number; json: boolean } | undefined;

export function enableDebug(logFile: string | undefined, json: boolean): void {
  let fd = 2;
  if (logFile) {
    try {
      fd = fs.openSync(logFile, 'a');
    } catch {
      fd = 2;
    }
  }
  sink = { fd, json };
}

export function debugOn(): boolean {
  return sink !== undefined;
}

/** One debug line; `what` is only called when debugging is on. */
export function debug(what: string | (() => string)): void {
  if (!sink) return;
  const msg = typeof what === 'function' ? what() : what;
  const time = new Date().toISOString();
  const line = sink.json ? JSON.stringify({ level: 'debug', msg, time }) : `time="${time}" level=debug msg=${JSON.stringify(msg)}`;
  try {
    fs.writeSync(sink.fd, line + '\n');
  } catch {
    // debugging must never break the command
  }
}
