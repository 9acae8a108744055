import { describe, expect, it } from 'vitest';
import { decodeCp437Byte, encodeCp437, toCp437Printable } from './code-page-437.js';

describe('code page 437', () => {
  it('passes ASCII through', () => {
    expect(Array.from(encodeCp437('Az ~'))).toEqual([0x41, 0x7a, 0x20, 0x7e]);
  });

  it('maps accented letters and symbols to their code page 437 bytes', () => {
    expect(Array.from(encodeCp437('éüñ£½°─═█'))).toEqual([0x82, 0x81, 0xa4, 0x9c, 0xab, 0xf8, 0xc4, 0xcd, 0xdb]);
  });

  it('normalises decomposed characters first', () => {
    expect(Array.from(encodeCp437('e\u0301'))).toEqual([0x82]);
    expect(toCp437Printable('e\u0301')).toBe('é');
  });

  it('replaces what code page 437 lacks with ?, one per code point', () => {
    expect(toCp437Printable('€ 😀 ж\n')).toBe('? ? ??');
    expect(Array.from(encodeCp437('€😀'))).toEqual([0x3f, 0x3f]);
  });

  it('decodes every byte back to the character it was encoded from', () => {
    for (let byte = 0x20; byte <= 0xff; byte++) {
      if (byte === 0x7f) continue;
      const char = decodeCp437Byte(byte);
      expect(char).toHaveLength(1);
      expect(Array.from(encodeCp437(char))).toEqual([byte]);
    }
    expect(decodeCp437Byte(0x7f)).toBe('⌂');
    expect(decodeCp437Byte(0x0a)).toBe('');
  });
});
