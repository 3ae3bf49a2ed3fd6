// The entries of a layer tar, read with tar-stream, with their xattrs as
// bytes. tar-stream decodes pax records as UTF-8 text, which would mangle a
// binary value such as security.capability; so the pax header's raw bytes
// are read again here for the SCHILY.xattr.* records (the form GNU tar,
// umoci, buildah and Docker write). This leans on two methods of tar-stream
// 3's Extract (_decodeLongHeader, _applyLongHeaders); test/unit/image-tar.test.ts
// checks a binary value round trip so that a tar-stream change shows.
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';

export interface TarEntry {
  header: tar.Header;
  /** SCHILY.xattr.NAME records of the entry's pax header, name → raw value */
  xattrs: Map<string, Buffer>;
  /** the entry's data (tar-stream's own stream): read it, or resume() it to skip */
  stream: AsyncIterable<Buffer> & { resume(): unknown };
}

const XATTR = 'SCHILY.xattr.';

/** The records of a pax extended header (`LEN KEY=VALUE\n`), values as bytes. */
export function paxRecords(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at);
    if (space < 0) break;
    const len = Number.parseInt(buf.subarray(at, space).toString('latin1'), 10);
    if (!Number.isSafeInteger(len) || len <= 0 || at + len > buf.length) break;
    const rec = buf.subarray(space + 1, at + len - 1); // without the trailing newline
    const eq = rec.indexOf(0x3d);
    if (eq > 0) out.set(rec.subarray(0, eq).toString('utf8'), Buffer.from(rec.subarray(eq + 1)));
    at += len;
  }
  return out;
}

function xattrsOf(records: Map<string, Buffer>): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of records) if (k.startsWith(XATTR)) out.set(k.slice(XATTR.length), v);
  return out;
}

type Internals = {
  _header: (tar.Header & { xattrs?: Map<string, Buffer> }) | null;
  _decodeLongHeader(buf: Buffer): void;
  _applyLongHeaders(): void;
};

/** tar-stream's extract, with each entry's raw pax xattrs kept (on header.xattrs). */
function extractWithXattrs(): tar.Extract {
  const ex = tar.extract() as tar.Extract & Internals;
  let global = new Map<string, Buffer>();
  let pending: Map<string, Buffer> | null = null;
  const decode = ex._decodeLongHeader.bind(ex);
  const apply = ex._applyLongHeaders.bind(ex);
  ex._decodeLongHeader = (buf: Buffer) => {
    const type = (ex._header as { type?: string } | null)?.type;
    if (type === 'pax-global-header') global = xattrsOf(paxRecords(buf));
    if (type === 'pax-header') pending = xattrsOf(paxRecords(buf));
    decode(buf);
  };
  ex._applyLongHeaders = () => {
    apply();
    if (ex._header) ex._header.xattrs = new Map([...global, ...(pending ?? [])]);
    pending = null;
  };
  return ex;
}

/** Each entry of a tar stream, in order; the caller reads or drains each entry's stream before the next. */
export async function* tarEntries(source: Readable): AsyncGenerator<TarEntry> {
  const ex = extractWithXattrs();
  source.on('error', (e) => ex.destroy(e));
  source.pipe(ex);
  try {
    for await (const entry of ex) {
      const header = entry.header as tar.Header & { xattrs?: Map<string, Buffer> };
      yield {
        header,
        xattrs: header.xattrs ?? new Map<string, Buffer>(),
        stream: entry as unknown as TarEntry['stream'],
      };
    }
  } finally {
    source.destroy();
  }
}
