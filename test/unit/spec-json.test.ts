import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJson } from '../../src/spec/json';

describe('parseJson', () => {
  it('reads 64-bit integers exactly', () => {
    expect(parseJson('18446744073709551615')).toBe(18446744073709551615n);
    expect(parseJson('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(parseJson('9007199254740993')).toBe(9007199254740993n);
  });

  it('keeps safe integers and fractions as numbers', () => {
    expect(parseJson('[1024, -1, 0, 1.5, 2e3]')).toEqual([1024, -1, 0, 1.5, 2000]);
  });

  it('parses strings with escapes, including an escaped NUL', () => {
    expect(parseJson('"a\\tb\\u0041\\n\\"\\\\\\/"')).toBe('a\tbA\n"\\/');
    expect(parseJson('"x\\u0000y"')).toBe('x\u0000y');
  });

  it('lets the last duplicate key win, as Go does', () => {
    expect(parseJson('{"a": 1, "a": 2}')).toEqual({ a: 2 });
  });

  it('does not let __proto__ reach the prototype', () => {
    const o = parseJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(o.__proto__).toEqual({ polluted: true });
  });

  const bad: [string, string, RegExp][] = [
    ['trailing comma', '{"a": 1,}', /line 1 column 9: expected a string key/],
    ['comment', '// x\n{}', /line 1 column 1/],
    ['leading zero', '01', /trailing data/],
    ['unterminated string', '{"a": "x', /unterminated string/],
    ['raw newline in a string', '"a\nb"', /control character/],
    ['bad escape', '"\\q"', /invalid escape/],
    ['trailing data', '{} {}', /line 1 column 4: trailing data/],
    ['empty document', '', /unexpected end of input/],
    ['position on a later line', '{\n  "a": tru\n}', /line 2 column 8/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name} with its position`, () => {
      expect(() => parseJson(text)).toThrow(JsonSyntaxError);
      expect(() => parseJson(text)).toThrow(message);
    });
  }

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(() => parseJson('['.repeat(100000))).toThrow(/nested too deeply/);
  });
});
