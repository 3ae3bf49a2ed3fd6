// Small typed readers for validation: each takes a JSON value and its path in
// config.json, and either returns the value typed or throws a configError
// naming that path.
import { configError } from '../errors';
import type { Json } from './json';

export type Obj = { [k: string]: Json };

export const MAX_ENTRIES = 10_000;
export const MAX_STRING = 1 << 20;
const U64_MAX = (1n << 64n) - 1n;

export function kind(v: Json | undefined): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'bigint') return 'a number';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function has(o: Obj, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;
}

export function object(v: Json | undefined, p: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw configError(p, `must be an object, got ${kind(v)}`);
  return v as Obj;
}

export function array(v: Json | undefined, p: string, max = MAX_ENTRIES): Json[] {
  if (!Array.isArray(v)) throw configError(p, `must be an array, got ${kind(v)}`);
  if (v.length > max) throw configError(p, `has ${v.length} entries, more than the limit of ${max}`);
  return v;
}

export function string(v: Json | undefined, p: string): string {
  if (typeof v !== 'string') throw configError(p, `must be a string, got ${kind(v)}`);
  if (v.length > MAX_STRING) throw configError(p, `is ${v.length} characters long, more than the limit of ${MAX_STRING}`);
  if (v.includes('\u0000')) throw configError(p, 'must not contain a NUL byte');
  return v;
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

/** An integer in [min, max]; returned as a bigint so that 64-bit values stay exact. */
export function integer(v: Json | undefined, p: string, min: bigint, max: bigint): bigint {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'number') throw configError(p, `must be an integer, got ${v}`);
  else throw configError(p, `must be an integer, got ${kind(v)}`);
  if (n < min || n > max) throw configError(p, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

export const u32 = (v: Json | undefined, p: string): number => Number(integer(v, p, 0n, 0xffffffffn));
export const i64 = (v: Json | undefined, p: string): bigint => integer(v, p, -(1n << 63n), (1n << 63n) - 1n);
export const u64 = (v: Json | undefined, p: string): bigint => integer(v, p, 0n, U64_MAX);

export function stringArray(v: Json | undefined, p: string): string[] {
  return array(v, p).map((s, i) => string(s, `${p}[${i}]`));
}

export function optional<T>(o: Obj, k: string, p: string, read: (v: Json, p: string) => T): T | undefined {
  return has(o, k) ? read(o[k], `${p}${p ? '.' : ''}${k}`) : undefined;
}

export function required<T>(o: Obj, k: string, p: string, read: (v: Json, p: string) => T): T {
  const where = `${p}${p ? '.' : ''}${k}`;
  if (!has(o, k)) throw configError(where, 'is required');
  return read(o[k], where);
}

export function oneOf(v: Json | undefined, p: string, allowed: readonly string[]): string {
  const s = string(v, p);
  if (!allowed.includes(s)) throw configError(p, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(s)}`);
  return s;
}
