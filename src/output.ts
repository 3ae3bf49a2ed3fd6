// Synchronous output: the CLI may exit right after writing.
import * as fs from 'node:fs';

export function out(text: string): void {
  fs.writeSync(1, text);
}

export function err(text: string): void {
  fs.writeSync(2, text);
}
