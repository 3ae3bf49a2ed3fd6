// zstd frames written by hand (RFC 8878): raw and RLE blocks, a skippable
// frame, a checksum, headers that are refused; decompressed through
// zstdDecompress fed a byte at a time and all at once.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { compressionOf, mediaTypeCompression } from '../../src/image/compression';
import { FrameWalker, zstdDecompress } from '../../src/image/zstd';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** A block header: last flag, type (0 raw, 1 RLE, 2 compressed), size. */
function block(last: boolean, type: number, size: number): number[] {
  const h = (last ? 1 : 0) | (type << 1) | (size << 3);
  return [h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff];
}

/** A frame with a 1 KiB window (or `windowByte`), no content size, and the blocks given. */
function frame(blocks: number[][], opts: { checksum?: boolean; windowByte?: number } = {}): Buffer {
  const fhd = opts.checksum ? 0x04 : 0x00;
  const tail = opts.checksum ? [1, 2, 3, 4] : []; // fzstd does not check the xxhash
  return Buffer.from([...MAGIC, fhd, opts.windowByte ?? 0x00, ...blocks.flat(), ...tail]);
}

async function decompress(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of zstdDecompress(Readable.from(chunks), 'layer 0')) out.push(b);
  return Buffer.concat(out);
}

function bytes(b: Buffer): Buffer[] {
  return [...b].map((x) => Buffer.from([x]));
}

describe('image: zstd frames', () => {
  const abc = Buffer.from('abc');
  const f1 = frame([[...block(false, 0, 3), ...abc], [...block(false, 1, 5), 0x7a], block(true, 0, 0)], {
    checksum: true,
  });
  const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]);
  const f2 = frame([[...block(true, 0, 2), 0x21, 0x21]]);
  const want = 'abczzzzz!!';

  it('decodes raw and RLE blocks, a checksum and a skippable frame, whole or a byte at a time', async () => {
    const all = Buffer.concat([f1, skippable, f2]);
    expect((await decompress([all])).toString()).toBe(want);
    expect((await decompress(bytes(all))).toString()).toBe(want);
  });

  it('cuts the stream where each block ends', () => {
    const w = new FrameWalker();
    const pieces = w.split(Buffer.concat([f1, f2]));
    expect(pieces.map((p) => p.length)).toEqual([6 + 3 + 3, 3 + 1, 3 + 4, 6 + 3 + 2]);
    w.end();
  });

  it('refuses a window over 64 MiB, in a frame header or as a single segment content size', async () => {
    // exponent 17: 2^27 bytes
    await expect(decompress([frame([block(true, 0, 0)], { windowByte: 17 << 3 })])).rejects.toThrow(
      "layer 0: zstd: a frame's window of 128 MiB is over the 64 MiB supported",
    );
    // single segment, 4-byte content size of 100 MiB
    const big = 100 * 2 ** 20;
    const single = Buffer.from([...MAGIC, 0xa0, big & 0xff, (big >> 8) & 0xff, (big >> 16) & 0xff, big >>> 24]);
    await expect(decompress([single])).rejects.toThrow('window of 100 MiB is over the 64 MiB supported');
    // 64 MiB is taken
    expect(() => new FrameWalker().split(frame([block(true, 0, 0)], { windowByte: 16 << 3 }))).not.toThrow();
  });

  it.each([
    ['not zstd', Buffer.from('abcdefgh'), 'zstd: not a zstd frame (bad magic number)'],
    ['a reserved bit', Buffer.from([...MAGIC, 0x08, 0]), 'zstd: a frame header with its reserved bit set'],
    ['a reserved block type', frame([block(true, 3, 0)]), 'zstd: a block of the reserved type'],
    ['a cut frame', f1.subarray(0, 10), 'zstd: the data ends inside a frame'],
    ['garbage after a frame', Buffer.concat([f2, Buffer.from('xyzw')]), 'zstd: not a zstd frame'],
  ])('refuses %s, naming the layer', async (_, data, why) => {
    await expect(decompress([data])).rejects.toThrow(`layer 0: ${why}`);
  });
});

describe('image: layer compression', () => {
  it('reads it from the first bytes', () => {
    expect(compressionOf(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(compressionOf(Buffer.from(MAGIC))).toBe('zstd');
    expect(compressionOf(Buffer.from('bin/'))).toBe('none');
    expect(compressionOf(Buffer.alloc(0))).toBe('none');
  });
  it('reads it from the media type', () => {
    expect(mediaTypeCompression('application/vnd.oci.image.layer.v1.tar+gzip')).toBe('gzip');
    expect(mediaTypeCompression('application/vnd.oci.image.layer.nondistributable.v1.tar+zstd')).toBe('zstd');
    expect(mediaTypeCompression('application/vnd.oci.image.layer.v1.tar')).toBe('none');
    expect(mediaTypeCompression('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
  });
});
