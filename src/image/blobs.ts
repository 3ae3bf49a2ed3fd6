// Reading the blobs of an image: each one is checked against its descriptor
// (size and sha256) before anything is made from it, so that a mismatch is an
// error while nothing has been written.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { type Readable, Transform } from 'node:stream';
import { MiniRunError } from '../errors';
import { isDigest } from './reference';

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

/** JSON documents (index, manifest, config) larger than this are refused. */
export const MAX_JSON_BYTES = 8 << 20;

export function blobError(what: string, reason: string, errno?: string): MiniRunError {
  return new MiniRunError('IMAGE', reason, 1, { source: what, errno });
}

/** A descriptor's fields, checked: `what` names it in errors ("manifest", "layer 2"). */
export function checkDescriptor(d: unknown, what: string): Descriptor {
  const o = d as Partial<Descriptor> | null;
  if (typeof o !== 'object' || o === null) throw blobError(what, 'descriptor is not an object');
  if (!isDigest(o.digest))
    throw blobError(what, `digest ${JSON.stringify(o.digest)}: only sha256 digests are supported`);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0)
    throw blobError(`${what} ${o.digest}`, `size ${JSON.stringify(o.size)} is not a byte count`);
  return o as Descriptor;
}

/** The sha256 and size of a file, read as a stream. */
export async function hashFile(file: string): Promise<{ digest: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${h.digest('hex')}`, size };
}

function openError(what: string, file: string, e: unknown): MiniRunError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return blobError(what, `blob ${file} is missing`, code);
  return blobError(what, `cannot read ${file}`, code);
}

/** Checks that `file` is a regular file with the descriptor's size and digest; returns its path. */
export async function verifyBlobFile(file: string, d: Descriptor, what: string): Promise<string> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    throw openError(`${what} ${d.digest}`, file, e);
  }
  if (!st.isFile()) throw blobError(`${what} ${d.digest}`, `blob ${file} is not a regular file`);
  if (st.size !== d.size) throw blobError(`${what} ${d.digest}`, `size is ${st.size}, the descriptor says ${d.size}`);
  const got = await hashFile(file);
  if (got.size !== d.size) throw blobError(`${what} ${d.digest}`, `size is ${got.size}, the descriptor says ${d.size}`);
  if (got.digest !== d.digest) throw blobError(`${what} ${d.digest}`, `content has digest ${got.digest}`);
  return file;
}

/** Reads a verified JSON blob (index, manifest, config). */
export async function readJsonBlob(file: string, d: Descriptor, what: string): Promise<unknown> {
  if (d.size > MAX_JSON_BYTES) throw blobError(`${what} ${d.digest}`, `${d.size} bytes is over ${MAX_JSON_BYTES}`);
  await verifyBlobFile(file, d, what);
  return parseJson(fs.readFileSync(file, 'utf8'), `${what} ${d.digest}`);
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw blobError(what, `invalid JSON: ${(e as Error).message}`);
  }
}

/**
 * The stream, passed through and hashed: at its end the sha256 must be
 * `diffId` (the config's rootfs.diff_ids entry for the layer), else the
 * stream fails instead of ending, and what was made from it is undone.
 */
export function checkingDiffId(source: Readable, diffId: string, what: string): Readable {
  const h = createHash('sha256');
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      h.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const got = `sha256:${h.digest('hex')}`;
      done(got === diffId ? null : blobError(what, `content has diff_id ${got}, the config says ${diffId}`));
    },
  });
  source.on('error', (e) => check.destroy(e));
  check.on('close', () => source.destroy());
  return source.pipe(check);
}
