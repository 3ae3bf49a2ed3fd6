// A layer blob's compression: read from its first bytes (gzip, zstd, or
// none: a plain tar), and checked against the media type that the manifest
// gives it, so that a blob that is not what its descriptor says is refused
// before anything is written (umoci picks its decompressor by media type,
// and fails on such a blob too). Pure but for reading the first bytes.
import * as fs from 'node:fs';
import { blobError } from './blobs';

export type Compression = 'gzip' | 'zstd' | 'none';

/** The compression that the first bytes of a blob show. */
export function compressionOf(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** The first 4 bytes of a file (fewer when it is shorter). */
export function readHead(file: string): Buffer {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  try {
    return head.subarray(0, fs.readSync(fd, head, 0, 4, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** The compression a layer media type names (checkLayerMediaType has checked that it is a layer tar's). */
export function mediaTypeCompression(mediaType: string): Compression {
  if (/[+.]gzip$/.test(mediaType)) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  return 'none';
}

function words(c: Compression): string {
  return c === 'none' ? 'not compressed' : `${c}-compressed`;
}

/** Refuses a blob whose bytes are not compressed as its media type says. */
export function checkCompression(file: string, mediaType: string, what: string): void {
  const want = mediaTypeCompression(mediaType);
  const have = compressionOf(readHead(file));
  if (want !== have)
    throw blobError(what, `the blob is ${words(have)}, but its media type ${mediaType} says ${words(want)}`);
}
