// A record of native/protocol.h, written by field name at the offsets, sizes
// and types that protocol-layout.generated.ts has from the header. Integers
// are little-endian, as the helper reads them; a value out of its field's
// range throws (RangeError) instead of being cut.
import { RECORD } from './protocol-layout.generated';

type Records = typeof RECORD;
export type RecordName = keyof Records;

interface Field {
  readonly offset: number;
  readonly size: number;
  readonly type: 'u8' | 'u16' | 'u32' | 'i32' | 'u64' | 'i64' | 'char';
  readonly count: number;
}

type Scalar<F extends Field> = F['type'] extends 'u64' | 'i64' ? bigint : F['type'] extends 'char' ? string : number;
/** one value; an array field takes up to `count` of them (the rest stay 0) */
type Value<F extends Field> = F['count'] extends 1
  ? Scalar<F>
  : F['type'] extends 'char'
    ? string
    : readonly Scalar<F>[];
type FieldsOf<R extends RecordName> = Records[R]['fields'];

/** Every field by name; `reserved` may be left out (0). */
export type RecordValues<R extends RecordName> = {
  [K in Exclude<keyof FieldsOf<R>, 'reserved'>]: FieldsOf<R>[K] extends Field ? Value<FieldsOf<R>[K]> : never;
};

function put(buf: Buffer, f: Field, at: number, v: number | bigint): void {
  switch (f.type) {
    case 'u8':
      buf.writeUInt8(v as number, at);
      return;
    case 'u16':
      buf.writeUInt16LE(v as number, at);
      return;
    case 'u32':
      buf.writeUInt32LE(v as number, at);
      return;
    case 'i32':
      buf.writeInt32LE(v as number, at);
      return;
    case 'u64':
      buf.writeBigUInt64LE(v as bigint, at);
      return;
    case 'i64':
      buf.writeBigInt64LE(v as bigint, at);
      return;
    case 'char':
      throw new TypeError('char fields are written as strings');
  }
}

/** The record's bytes: sizeof(proto::<name>). */
export function packRecord<R extends RecordName>(name: R, values: RecordValues<R>): Buffer {
  const rec = RECORD[name];
  const buf = Buffer.alloc(rec.size);
  for (const [key, f] of Object.entries(rec.fields) as [string, Field][]) {
    const v = (values as Record<string, unknown>)[key];
    if (v === undefined) {
      if (key === 'reserved') continue;
      throw new TypeError(`${name}.${key}: no value`);
    }
    const elem = f.size / f.count;
    if (f.type === 'char') {
      const bytes = Buffer.from(v as string, 'utf8');
      if (bytes.length >= f.count)
        throw new RangeError(`${name}.${key}: ${bytes.length} bytes do not fit ${f.count} with the NUL`);
      bytes.copy(buf, f.offset);
    } else if (f.count === 1) {
      put(buf, f, f.offset, v as number | bigint);
    } else {
      const list = v as readonly (number | bigint)[];
      if (list.length > f.count) throw new RangeError(`${name}.${key}: ${list.length} values, at most ${f.count}`);
      list.forEach((x, i) => put(buf, f, f.offset + i * elem, x));
    }
  }
  return buf;
}
