// Small typed readers for validation. Each takes a parsed JSON value and its
// path in config.json ("process.rlimits[0].hard") and either returns the
// value typed or throws a configError naming that path.
//
// A property that is absent or null counts as not given, as with Go's
// encoding/json (which runc uses); a null array element or map value is an
// error.
import { configError } from '../errors';
import type { Json } from './json';

export type Obj = { [k: string]: Json };
export type Reader<T> = (v: Json, p: string) => T;

export const MAX_ENTRIES = 10_000;
export const MAX_STRING_BYTES = 1 << 20;

/** The path of a property or an element below `p`: `a.b`, `a[3]`; `b` at the top. */
export function at(p: string, key: string | number): string {
  if (typeof key === 'number') return `${p}[${key}]`;
  return p ? `${p}.${key}` : key;
}

export function kind(v: Json | undefined): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'bigint' || typeof v === 'number') return 'a number';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function given(o: Obj, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k) && o[k] !== null && o[k] !== undefined;
}

export function optional<T>(o: Obj, k: string, p: string, read: Reader<T>): T | undefined {
  return given(o, k) ? read(o[k], at(p, k)) : undefined;
}

export function required<T>(o: Obj, k: string, p: string, read: Reader<T>): T {
  if (!given(o, k)) throw configError(at(p, k), 'is required');
  return read(o[k], at(p, k));
}

/** Reads the optional properties named in `table`; those not given are left out. */
export function fields<T extends Record<string, Reader<unknown>>>(
  o: Obj,
  p: string,
  table: T,
): { [K in keyof T]?: ReturnType<T[K]> } {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(table)) {
    const v = optional(o, k, p, table[k]);
    if (v !== undefined) out[k] = v;
  }
  return out as { [K in keyof T]?: ReturnType<T[K]> };
}

/** A reader for an object made only of optional properties. */
export function section<T extends Record<string, Reader<unknown>>>(
  table: T,
): Reader<{ [K in keyof T]?: ReturnType<T[K]> }> {
  return (v, p) => fields(object(v, p), p, table);
}

export function object(v: Json | undefined, p: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw configError(p, `must be an object, got ${kind(v)}`);
  return v;
}

export function array(v: Json | undefined, p: string, max = MAX_ENTRIES): Json[] {
  if (!Array.isArray(v)) throw configError(p, `must be an array, got ${kind(v)}`);
  if (v.length > max) throw configError(p, `has ${v.length} entries, more than the limit of ${max}`);
  return v;
}

export function arrayOf<T>(read: Reader<T>, max = MAX_ENTRIES): Reader<T[]> {
  return (v, p) => array(v, p, max).map((e, i) => read(e, at(p, i)));
}

function checkText(s: string, p: string): string {
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes > MAX_STRING_BYTES) throw configError(p, `is ${bytes} bytes long, more than the limit of 1 MiB`);
  if (s.includes('\u0000')) throw configError(p, 'must not contain a NUL byte');
  return s;
}

export function string(v: Json | undefined, p: string): string {
  if (typeof v !== 'string') throw configError(p, `must be a string, got ${kind(v)}`);
  return checkText(v, p);
}

export const stringArray: Reader<string[]> = arrayOf(string);

export function nonEmptyString(v: Json | undefined, p: string): string {
  const s = string(v, p);
  if (s === '') throw configError(p, 'must not be empty');
  return s;
}

export function absolutePath(v: Json | undefined, p: string): string {
  const s = string(v, p);
  if (!s.startsWith('/')) throw configError(p, `must be an absolute path, got ${JSON.stringify(s)}`);
  return s;
}

export function boolean(v: Json | undefined, p: string): boolean {
  if (typeof v !== 'boolean') throw configError(p, `must be true or false, got ${kind(v)}`);
  return v;
}

export function oneOf(allowed: readonly string[]): Reader<string> {
  return (v, p) => {
    const s = string(v, p);
    if (!allowed.includes(s)) throw configError(p, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(s)}`);
    return s;
  };
}

/** A JSON object whose values all go through `read`; keys are checked like strings. */
export function mapOf<T>(read: Reader<T>): Reader<Record<string, T>> {
  return (v, p) => {
    const o = object(v, p);
    const keys = Object.keys(o);
    if (keys.length > MAX_ENTRIES)
      throw configError(p, `has ${keys.length} entries, more than the limit of ${MAX_ENTRIES}`);
    const out = Object.create(null) as Record<string, T>; // "__proto__" is a key like any other
    for (const k of keys) {
      checkText(k, `${p} key ${JSON.stringify(k)}`);
      out[k] = read(o[k], at(p, k));
    }
    return out;
  };
}

/** An integer in [min, max], exact (as a bigint) whatever its size. */
export function integer(v: Json | undefined, p: string, min: bigint, max: bigint): bigint {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'number') throw configError(p, `must be an integer, got ${v}`);
  else throw configError(p, `must be an integer, got ${kind(v)}`);
  if (n < min || n > max) throw configError(p, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A reader for an integer in [min, max] as a number (the range must fit in 2^53). */
export function intIn(min: number, max: number): Reader<number> {
  return (v, p) => Number(integer(v, p, BigInt(min), BigInt(max)));
}

export const u16: Reader<number> = intIn(0, 0xffff);
export const u32: Reader<number> = intIn(0, 0xffffffff);
export const i64: Reader<bigint> = (v, p) => integer(v, p, -(1n << 63n), (1n << 63n) - 1n);
export const u64: Reader<bigint> = (v, p) => integer(v, p, 0n, (1n << 64n) - 1n);

/** Keeps a value as parsed, for fields that other modules judge. */
export const raw: Reader<unknown> = (v) => v;
