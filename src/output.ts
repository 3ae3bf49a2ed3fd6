// Synchronous output: the CLI may exit right after writing.
import * as fs from 'node:fs';

export function out(text: string): void {
  fs.writeSync(1, text);
}

export function err(text: string): void {
  fs.writeSync(2, text);
}

/** Writes all of `chunk` to an fd that may be non-blocking; drops it if the fd is gone. */
export function writeAll(fd: number, chunk: Buffer): void {
  for (let off = 0; off < chunk.length;) {
    try {
      off += fs.writeSync(fd, chunk, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return; // our output is gone: drop, as a closed terminal would
    }
  }
}

/** Blocks the thread for `ms` (the CLI is synchronous; no timers to wait on). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
