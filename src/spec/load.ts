// Reading a bundle's config.json: size-capped, parsed exactly, validated.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { JsonSyntaxError, parseJson } from './json';
import type { Process, Spec } from './types';
import { validateProcess, validateSpec } from './validate';

export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export function parseSpec(text: string): Spec {
  let doc;
  try {
    doc = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new MiniRunError('CONFIG', `config.json: ${e.message}`);
    throw e;
  }
  return validateSpec(doc);
}

export function loadSpec(bundleDir: string): Spec {
  const file = path.join(bundleDir, 'config.json');
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > MAX_CONFIG_BYTES) {
        throw new MiniRunError('CONFIG', `config.json: file is too large (${size} bytes, limit 16 MiB)`);
      }
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    if (e instanceof MiniRunError) throw e;
    throw new MiniRunError('CONFIG', `config.json: cannot read ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
  return parseSpec(text);
}

/** Reads a process.json (exec --process); errors name the file instead of config.json. */
export function loadProcessFile(file: string): Process {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new MiniRunError('USAGE', `--process ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
  try {
    return validateProcess(parseJson(text));
  } catch (e) {
    const msg = (e as Error).message.replace(/^config\.json: /, '');
    throw new MiniRunError('CONFIG', `--process ${file}: ${msg}`);
  }
}
