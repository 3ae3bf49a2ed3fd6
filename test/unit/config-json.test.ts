import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJson } from '../../src/config/json';

function errorOf(text: string): string {
  try {
    parseJson(text);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonSyntaxError);
    return (e as Error).message;
  }
  return '(no error)';
}

describe('parseJson: numbers', () => {
  it('reads integers beyond 2^53 exactly, as bigint', () => {
    expect(parseJson('18446744073709551615')).toBe(18446744073709551615n);
    expect(parseJson('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(parseJson('9007199254740992')).toBe(9007199254740992n);
    expect(parseJson('123456789012345678901234567890')).toBe(123456789012345678901234567890n);
  });

  it('keeps safe integers as numbers, up to 2^53-1 either way', () => {
    expect(parseJson('9007199254740991')).toBe(9007199254740991);
    expect(parseJson('-9007199254740991')).toBe(-9007199254740991);
    expect(parseJson('[1024, -1, 0, -0]')).toEqual([1024, -1, 0, -0]);
  });

  it('reads fractions and exponents as numbers, whatever their size', () => {
    expect(parseJson('[1.5, 2e3, 1E-2, 1.0]')).toEqual([1.5, 2000, 0.01, 1]);
    expect(parseJson('1e30')).toBe(1e30);
  });
});

describe('parseJson: values', () => {
  it('parses strings with every escape, surrogate pairs and an escaped NUL', () => {
    expect(parseJson('"a\\tb\\u0041\\n\\"\\\\\\/\\b\\f\\r"')).toBe('a\tbA\n"\\/\b\f\r');
    expect(parseJson('"\\ud83d\\ude00 \u00e9"')).toBe('\u{1f600} \u00e9');
    expect(parseJson('"x\\u0000y"')).toBe('x\u0000y');
  });

  it('parses literals, nested containers and surrounding whitespace', () => {
    expect(parseJson(' \t\r\n{"a": [true, false, null, {}], "b": {"c": []}} \n')).toEqual({
      a: [true, false, null, {}],
      b: { c: [] },
    });
  });

  it('lets the last duplicate key win, as Go does', () => {
    expect(parseJson('{"a": 1, "b": 0, "a": 2}')).toEqual({ a: 2, b: 0 });
  });

  it('does not let __proto__ reach the prototype', () => {
    const o = parseJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(o)).toBeNull();
    expect(Object.keys(o)).toEqual(['__proto__']);
  });

  it('accepts 512 levels of nesting', () => {
    const text = `${'['.repeat(512)}${']'.repeat(512)}`;
    let v = parseJson(text);
    let depth = 0;
    while (Array.isArray(v) && v.length > 0) {
      v = v[0];
      depth++;
    }
    expect(depth).toBe(511);
  });

  it('refuses deeper nesting with a position instead of overflowing the stack', () => {
    expect(errorOf('['.repeat(514))).toBe(
      'invalid JSON at line 1 column 514: nested too deeply (more than 512 levels)',
    );
    expect(errorOf('{"a":'.repeat(100_000))).toMatch(/^invalid JSON at line 1 column \d+: nested too deeply/);
  });
});

describe('parseJson: errors name the line and column', () => {
  const bad: [string, string, string][] = [
    ['an empty document', '', 'line 1 column 1: unexpected end of input'],
    ['a trailing comma in an object', '{"a": 1,}', "line 1 column 9: a trailing comma before '}'"],
    ['a trailing comma in an array', '[1,\n 2,\n]', "line 3 column 1: a trailing comma before ']'"],
    ['a comment', '{\n  // note\n}', 'line 2 column 3: expected a string key, unexpected "/"'],
    ['a single-quoted string', "{'a': 1}", 'line 1 column 2: expected a string key, unexpected "\'"'],
    ['a missing colon', '{"a" 1}', 'line 1 column 6: expected \':\', unexpected "1"'],
    ['a missing comma', '[1 2]', "line 1 column 4: expected ',' or ']', unexpected \"2\""],
    ['an unclosed object', '{"a": 1', "line 1 column 8: expected ',' or '}', unexpected end of input"],
    ['a leading zero', '[01]', 'line 1 column 2: a number must not have a leading zero'],
    ['a lone minus', '-', 'line 1 column 1: invalid number'],
    ['a fraction without digits', '1.', 'line 1 column 1: invalid number'],
    ['an exponent without digits', '[1e+]', 'line 1 column 2: invalid number'],
    ['a leading dot', '.5', 'line 1 column 1: unexpected "."'],
    ['NaN', 'NaN', 'line 1 column 1: unexpected "N"'],
    ['a truncated literal', '{\n  "a": tru\n}', 'line 2 column 8: expected true, unexpected "t"'],
    ['an unterminated string', '{"a": "x', 'line 1 column 7: unterminated string'],
    [
      'a raw newline in a string',
      '"a\nb"',
      'line 1 column 3: a control character (U+000a) must be escaped in a string',
    ],
    ['a raw tab in a string', '["\t"]', 'line 1 column 3: a control character (U+0009) must be escaped in a string'],
    ['an unknown escape', '"\\q"', 'line 1 column 2: invalid escape'],
    ['a short \\u escape', '"\\u12G4"', 'line 1 column 2: invalid \\u escape'],
    ['trailing data', '{} {}', 'line 1 column 4: trailing data after the document, unexpected "{"'],
    ['a byte order mark', '\ufeff{}', 'line 1 column 1: a byte order mark is not allowed'],
    ['a column counted in characters, not UTF-16 units', '["\u{1f600}", x]', 'line 1 column 7: unexpected "x"'],
    ['CRLF line ends', '{\r\n"a": 1,\r\n"b": ]\r\n}', 'line 3 column 6: unexpected "]"'],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name}`, () => expect(errorOf(text)).toBe(`invalid JSON at ${message}`));
  }

  it('carries the line and column as properties', () => {
    try {
      parseJson('{\n  "a": [1,, 2]\n}');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect([(e as JsonSyntaxError).line, (e as JsonSyntaxError).column]).toEqual([2, 11]);
    }
  });
});
