// zstd layers (application/vnd.oci.image.layer.v1.tar+zstd), decompressed
// with fzstd (pure JavaScript: Node 20's zlib has no zstd). The frames are
// walked here as the bytes pass (RFC 8878: frame headers, block headers,
// skippable frames), before fzstd sees them, for two things fzstd does not
// do. A frame whose window is over 64 MiB is refused: fzstd 0.1.1 decodes
// 128 MiB windows (zstd --long=27, --ultra -22) wrongly (seen here: a
// different sha256, no error) and slowly (it shifts the whole window after
// every block), and would allocate up to 2 GiB for a frame that asks; the
// zstd CLI itself refuses over 128 MiB without --long or --memory, and its
// levels 1-19 use at most 8 MiB. And fzstd is fed one block at a time, so
// that a block that expands 32,000 times (an RLE block: 4 bytes for
// 128 KiB) is read out before the next is decoded, instead of all of one
// read's worth at once. What fzstd does not check (the frames' xxhash) the
// config's diff_id does, once the layer has been read.
import { Decompress } from 'fzstd';
import { MiniRunError } from '../errors';

/** The largest frame window taken (see above). */
export const MAX_WINDOW = 64 << 20;

const MAGIC = 0xfd2fb528;
const SKIPPABLE = 0x184d2a50; // ... 0x184d2a5f
/** the longest header: magic, descriptor, window, dictionary id (4), content size (8) */
const MAX_HEADER = 18;

/**
 * Splits a zstd stream into pieces that each end where a block (or a frame
 * header, or a skippable frame) ends, checking each frame's window.
 * Throws on what is not zstd.
 */
export class FrameWalker {
  private held: Buffer = Buffer.alloc(0);
  /** bytes of block content (or checksum, or skippable data) still to pass */
  private skip = 0;
  private inFrame = false;
  private checksum = false;
  private cutAfterSkip = false;

  constructor(private readonly maxWindow = MAX_WINDOW) {}

  /** The chunk, cut after every block; throws on a bad header. */
  split(chunk: Buffer): Buffer[] {
    const pieces: Buffer[] = [];
    let from = 0;
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        if (this.skip === 0 && this.cutAfterSkip) {
          pieces.push(chunk.subarray(from, at));
          from = at;
        }
        continue;
      }
      const had = this.held.length;
      const view = had === 0 ? chunk.subarray(at) : Buffer.concat([this.held, chunk.subarray(at, at + MAX_HEADER)]);
      const used = this.inFrame ? this.blockHeader(view) : this.frameHeader(view);
      if (used === undefined) {
        // too short to read the header yet: what there is waits for the next chunk
        this.held = Buffer.from(view);
        break;
      }
      this.held = Buffer.alloc(0);
      at += used - had;
    }
    if (from < chunk.length) pieces.push(chunk.subarray(from));
    return pieces;
  }

  /** At the end of the stream: throws if it stops inside a frame. */
  end(): void {
    if (this.inFrame || this.skip > 0 || this.held.length > 0) throw zstdError('the data ends inside a frame');
  }

  /** A frame's header (or a skippable frame's); its length, or undefined for more bytes. */
  private frameHeader(b: Buffer): number | undefined {
    if (b.length < 4) return undefined;
    const magic = b.readUInt32LE(0);
    if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE) {
      if (b.length < 8) return undefined;
      this.skip = b.readUInt32LE(4);
      this.cutAfterSkip = true;
      return 8;
    }
    if (magic !== MAGIC) throw zstdError('not a zstd frame (bad magic number)');
    if (b.length < 5) return undefined;
    const fhd = b[4];
    if (fhd & 0x08) throw zstdError('a frame header with its reserved bit set');
    const singleSegment = (fhd >> 5) & 1;
    const fcsFlag = fhd >> 6;
    const dictBytes = [0, 1, 2, 4][fhd & 3];
    const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    const len = 5 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
    if (b.length < len) return undefined;
    let window: number;
    if (!singleSegment) {
      const exp = b[5] >> 3;
      const base = 2 ** (10 + exp);
      window = base + (base / 8) * (b[5] & 7);
    } else {
      const at = 5 + dictBytes;
      window = Number(b.readUIntLE(at, Math.min(fcsBytes, 6)));
      if (fcsBytes === 8) window += b.readUInt16LE(at + 6) * 2 ** 48;
      if (fcsBytes === 2) window += 256;
    }
    if (window > this.maxWindow) {
      const mib = (n: number) => `${(n / 2 ** 20).toFixed(n % 2 ** 20 === 0 ? 0 : 1)} MiB`;
      throw zstdError(`a frame's window of ${mib(window)} is over the ${mib(this.maxWindow)} supported`);
    }
    this.inFrame = true;
    this.checksum = (fhd & 0x04) !== 0;
    this.cutAfterSkip = false;
    return len;
  }

  /** A block's 3-byte header: what follows it is skipped; the piece is cut where the block ends. */
  private blockHeader(b: Buffer): number | undefined {
    if (b.length < 3) return undefined;
    const h = b[0] | (b[1] << 8) | (b[2] << 16);
    const type = (h >> 1) & 3;
    if (type === 3) throw zstdError('a block of the reserved type');
    this.skip = type === 1 ? 1 : h >> 3; // an RLE block holds one byte
    if (h & 1) {
      this.inFrame = false;
      if (this.checksum) this.skip += 4;
    }
    this.cutAfterSkip = true;
    return 3;
  }
}

function zstdError(reason: string): MiniRunError {
  return new MiniRunError('IMAGE', `zstd: ${reason}`);
}

/** The decompressed bytes of a zstd stream, a block's output at a time; errors are MiniRunErrors naming `what`. */
export async function* zstdDecompress(source: AsyncIterable<Buffer>, what: string): AsyncGenerator<Buffer> {
  const frames = new FrameWalker();
  const out: Uint8Array[] = [];
  const d = new Decompress((data) => {
    if (data.length > 0) out.push(data);
  });
  const fail = (e: unknown) =>
    e instanceof MiniRunError
      ? new MiniRunError('IMAGE', e.reason, 1, { source: what })
      : new MiniRunError('IMAGE', `zstd: ${(e as Error).message}`, 1, { source: what });
  const take = function* () {
    for (let o = out.shift(); o !== undefined; o = out.shift()) yield Buffer.from(o.buffer, o.byteOffset, o.length);
  };
  for await (const chunk of source) {
    let pieces: Buffer[];
    try {
      pieces = frames.split(chunk);
    } catch (e) {
      throw fail(e);
    }
    for (const piece of pieces) {
      try {
        d.push(piece);
      } catch (e) {
        throw fail(e);
      }
      yield* take();
    }
  }
  try {
    frames.end();
    d.push(new Uint8Array(0), true);
  } catch (e) {
    throw fail(e);
  }
  yield* take();
}
