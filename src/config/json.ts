// A strict JSON parser (RFC 8259: no comments, no trailing commas, no BOM)
// that reads integers exactly: an integer literal beyond Number's safe range
// becomes a bigint instead of being rounded. Other numbers are JS numbers.
// Duplicate keys: the last wins, as with Go's encoding/json (runc's reader).
export type Json = null | boolean | number | bigint | string | Json[] | { [k: string]: Json };

export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    reason: string,
  ) {
    super(`invalid JSON at line ${line} column ${column}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

/** Deeper documents are refused rather than risking the stack. */
const MAX_DEPTH = 512;

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Line and column (in characters, from 1) of offset `at` in `text`. */
function position(text: string, at: number): { line: number; column: number } {
  const before = text.slice(0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let k = 0; k < lineStart; k++) if (text.charCodeAt(k) === 10) line++;
  return { line, column: Array.from(before.slice(lineStart)).length + 1 };
}

class Parser {
  private i = 0;

  constructor(private readonly text: string) {}

  parse(): Json {
    if (this.text.charCodeAt(0) === 0xfeff) this.fail('a byte order mark is not allowed');
    const v = this.value(0);
    this.ws();
    if (this.i < this.text.length) this.fail(`trailing data after the document, ${this.describe()}`);
    return v;
  }

  private fail(reason: string, at = this.i): never {
    const { line, column } = position(this.text, Math.min(at, this.text.length));
    throw new JsonSyntaxError(line, column, reason);
  }

  private describe(): string {
    return this.i >= this.text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(this.text[this.i])}`;
  }

  private ws(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else return;
    }
  }

  private value(depth: number): Json {
    if (depth > MAX_DEPTH) this.fail(`nested too deeply (more than ${MAX_DEPTH} levels)`);
    this.ws();
    const c = this.text[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    if (c === '-' || isDigit(c)) return this.number();
    return this.fail(this.describe());
  }

  private object(depth: number): { [k: string]: Json } {
    // No prototype: a "__proto__" key is an ordinary property.
    const obj = Object.create(null) as { [k: string]: Json };
    this.i++;
    this.ws();
    if (this.text[this.i] === '}') {
      this.i++;
      return obj;
    }
    for (;;) {
      this.ws();
      if (this.text[this.i] === '}') this.fail("a trailing comma before '}'");
      if (this.text[this.i] !== '"') this.fail(`expected a string key, ${this.describe()}`);
      const key = this.string();
      this.ws();
      if (this.text[this.i] !== ':') this.fail(`expected ':', ${this.describe()}`);
      this.i++;
      obj[key] = this.value(depth + 1);
      this.ws();
      if (this.text[this.i] === '}') {
        this.i++;
        return obj;
      }
      if (this.text[this.i] !== ',') this.fail(`expected ',' or '}', ${this.describe()}`);
      this.i++;
    }
  }

  private array(depth: number): Json[] {
    const arr: Json[] = [];
    this.i++;
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
      return arr;
    }
    for (;;) {
      this.ws();
      if (this.text[this.i] === ']') this.fail("a trailing comma before ']'");
      arr.push(this.value(depth + 1));
      this.ws();
      if (this.text[this.i] === ']') {
        this.i++;
        return arr;
      }
      if (this.text[this.i] !== ',') this.fail(`expected ',' or ']', ${this.describe()}`);
      this.i++;
    }
  }

  private literal(word: string, value: Json): Json {
    if (!this.text.startsWith(word, this.i)) this.fail(`expected ${word}, ${this.describe()}`);
    this.i += word.length;
    return value;
  }

  private digits(start: number): void {
    if (!isDigit(this.text[this.i])) this.fail('invalid number', start);
    while (isDigit(this.text[this.i])) this.i++;
  }

  private number(): number | bigint {
    const { text } = this;
    const start = this.i;
    if (text[this.i] === '-') this.i++;
    if (text[this.i] === '0') {
      this.i++;
      if (isDigit(text[this.i])) this.fail('a number must not have a leading zero', start);
    } else {
      this.digits(start);
    }
    let isInteger = true;
    if (text[this.i] === '.') {
      isInteger = false;
      this.i++;
      this.digits(start);
    }
    if (text[this.i] === 'e' || text[this.i] === 'E') {
      isInteger = false;
      this.i++;
      if (text[this.i] === '+' || text[this.i] === '-') this.i++;
      this.digits(start);
    }
    const literal = text.slice(start, this.i);
    const n = Number(literal);
    return isInteger && !Number.isSafeInteger(n) ? BigInt(literal) : n;
  }

  private string(): string {
    const { text } = this;
    const start = this.i;
    this.i++; // the opening quote
    let out = '';
    let run = this.i; // start of the characters not yet copied to `out`
    for (;;) {
      if (this.i >= text.length) this.fail('unterminated string', start);
      const c = text.charCodeAt(this.i);
      if (c === 0x22) {
        out += text.slice(run, this.i++);
        return out;
      }
      if (c < 0x20) this.fail(`a control character (U+${c.toString(16).padStart(4, '0')}) must be escaped in a string`);
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += text.slice(run, this.i) + this.escape();
      run = this.i;
    }
  }

  /** The escape sequence at the backslash at `i`; leaves `i` after it. */
  private escape(): string {
    const e = this.text[this.i + 1];
    if (e === 'u') {
      const hex = this.text.slice(this.i + 2, this.i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
      this.i += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    if (e === undefined || !Object.prototype.hasOwnProperty.call(ESCAPES, e)) this.fail('invalid escape');
    this.i += 2;
    return ESCAPES[e];
  }
}

export function parseJson(text: string): Json {
  return new Parser(text).parse();
}

/** JSON.stringify that writes bigints as plain numbers, so parseJson reads them back exactly. */
export function stringifyJson(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    marks.push(String(v));
    return `\u0000big${marks.length - 1}`;
  });
  return text.replace(/"\\u0000big(\d+)"/g, (_m, i: string) => marks[Number(i)]);
}
