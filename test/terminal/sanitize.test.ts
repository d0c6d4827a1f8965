import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../src/config.js';
import { jsonSafe, terminalSafe } from '../../src/terminal/sanitize.js';

/** Every character a terminal acts on instead of showing. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('shows controls, bidi overrides and line separators as escapes, and leaves other text alone', () => {
    expect(terminalSafe('a\u001b[2Jb\u0007')).toBe('a\\x1b[2Jb\\x07');
    expect(terminalSafe('invoice\u202egnp.exe')).toBe('invoice\\u202egnp.exe');
    expect(terminalSafe('one\u2028two\u2029three')).toBe('one\\u2028two\\u2029three');
    expect(terminalSafe('\u009b31m\u2066x\u2069')).toBe('\\x9b31m\\u2066x\\u2069');
    expect(terminalSafe('Zürich — 東京 ✓')).toBe('Zürich — 東京 ✓');
    // Escaping twice changes nothing more: messages pass through more than one layer.
    expect(terminalSafe(terminalSafe('\u001b\u202e'))).toBe(terminalSafe('\u001b\u202e'));
  });
});

describe('jsonSafe', () => {
  it('writes what a terminal would act on as \\u escapes, and parses back to the same data', () => {
    const data = { name: 'x\u007f\u009b\u202e\u2028y', ok: 'Zürich', control: '\u001b' };
    const json = jsonSafe(JSON.stringify(data, null, 2));
    expect(json.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(JSON.parse(json)).toEqual(data);
  });
});

describe('firstInvalidUtf8', () => {
  it('finds the first byte that is not valid UTF-8', () => {
    expect(firstInvalidUtf8(Buffer.from('plain ascii\n'))).toBeUndefined();
    expect(firstInvalidUtf8(Buffer.from('Zürich 東京 𝄞'))).toBeUndefined();
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe9, 0x63]))).toBe(2); // latin-1 é
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong /
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1); // cut short
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
  });

  it('agrees with Node on random bytes', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let n = 0; n < 3000; n++) {
      const bytes = Buffer.from(
        Array.from({ length: 1 + Math.floor(random() * 12) }, () => (random() < 0.5 ? Math.floor(random() * 128) : 0x80 + Math.floor(random() * 128))),
      );
      expect({ bytes: [...bytes], valid: firstInvalidUtf8(bytes) === undefined }).toEqual({ bytes: [...bytes], valid: isUtf8(bytes) });
    }
  });
});
