// Debug lines for --debug, where runc writes its own: to --log (or stderr),
// as text (time="..." level=debug msg="...") or json. A no-op unless on, so
// callers pay nothing when it is off.
import * as fs from 'node:fs';

let sink: { fd: number; json: boolean } | undefined;
let logTo: { file?: string; json: boolean } = { json: false };

/** Where warnings go besides stderr: --log and --log-format (set for every command). */
export function setLog(logFile: string | undefined, json: boolean): void {
  logTo = { file: logFile, json };
}

/** One line in runc's log format: logfmt-style text, or json. */
export function formatLine(level: string, msg: string, json: boolean): string {
  const time = new Date().toISOString();
  return json ? JSON.stringify({ level, msg, time }) : `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
}

/** A warning, as runc logs one: on stderr, and in the --log file when there is one. */
export function warn(msg: string): void {
  try {
    fs.writeSync(2, `minirun: warning: ${msg}\n`);
    if (logTo.file) fs.appendFileSync(logTo.file, formatLine('warning', msg, logTo.json) + '\n');
  } catch {
    // a warning must never break the command
  }
}

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
  const line = formatLine('debug', msg, sink.json);
  try {
    fs.writeSync(sink.fd, line + '\n');
  } catch {
    // debugging must never break the command
  }
}
