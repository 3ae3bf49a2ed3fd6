// Reading a bundle's config.json: size-capped, parsed exactly, validated,
// before anything is made.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { JsonSyntaxError, parseJson, type Json } from './json';
import type { Process, Spec } from './types';
import { validateProcess, validateSpec } from './validate';

export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

class TooLarge extends Error {
  constructor(readonly size: number) {
    super(`file is too large (${size} bytes, limit 16 MiB)`);
  }
}

class NotRegular extends Error {}

/**
 * A file's text, refusing one larger than MAX_CONFIG_BYTES: by its size
 * before reading, and again while reading in case it grows.
 *
 * config.json must be a regular file: O_NONBLOCK keeps a FIFO from blocking
 * the open, and it is then refused as not a file. A --process file may be any
 * readable file, as runc's os.Open + json decode reads it: a pipe
 * (`-p <(...)`, /dev/stdin) is read to its end.
 */
function readCapped(file: string, regularOnly: boolean): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (regularOnly ? fs.constants.O_NONBLOCK : 0));
  try {
    const st = fs.fstatSync(fd);
    if (regularOnly ? !st.isFile() : st.isDirectory()) throw new NotRegular();
    if (st.isFile() && st.size > MAX_CONFIG_BYTES) throw new TooLarge(st.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1 << 20);
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_CONFIG_BYTES) throw new TooLarge(total);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function parseText(text: string, label: string): Json {
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new MiniRunError('CONFIG', `${label}: ${e.message}`);
    throw e;
  }
}

/** Reads `file` and parses it as JSON; every error is one line, `<label>: <reason>`. */
function readJson(file: string, label: string, regularOnly: boolean): Json {
  let text: string;
  try {
    text = readCapped(file, regularOnly);
  } catch (e) {
    if (e instanceof TooLarge) throw new MiniRunError('CONFIG', `${label}: ${e.message}`);
    if (e instanceof NotRegular)
      throw new MiniRunError('CONFIG', `${label}: ${file} is ${regularOnly ? 'not a regular file' : 'a directory'}`);
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new MiniRunError('CONFIG', `${label}: cannot read ${file}: ${code}`);
  }
  return parseText(text, label);
}

/** Parses and validates config.json text: what loadSpec does once it has read the file. */
export function parseSpec(text: string): Spec {
  return validateSpec(parseText(text, 'config.json'));
}

/** Reads, parses and validates <bundleDir>/config.json; throws MiniRunError('CONFIG', ...). */
export function loadSpec(bundleDir: string): Spec {
  return validateSpec(readJson(path.join(bundleDir, 'config.json'), 'config.json', true));
}

/** Reads a process.json (exec --process); errors name the file instead of config.json. */
export function loadProcessFile(file: string): Process {
  const label = `--process ${file}`;
  const doc = readJson(file, label, false);
  try {
    return validateProcess(doc);
  } catch (e) {
    throw e instanceof MiniRunError ? e.from(label) : e;
  }
}
