import { CODE_PAGE_NAMES } from '@printermaster/protocol';
import { describe, expect, it } from 'vitest';
import { codePage, codePageForTable, decodeByte, encodeInCodePage, UNKNOWN_CHAR } from './code-page.js';

describe('code pages', () => {
  it.each(CODE_PAGE_NAMES)('%s: every byte 0x20–0xFF decodes to a character that encodes back to it', (name) => {
    const page = codePage(name);
    expect(page.highHalf).toHaveLength(128);
    let defined = 0;
    for (let byte = 0x20; byte <= 0xff; byte++) {
      if (byte === 0x7f) continue;
      const char = decodeByte(page, byte);
      expect(char).toHaveLength(1);
      if (char === UNKNOWN_CHAR) continue;
      defined++;
      expect(Array.from(encodeInCodePage(page, char)), `${name} byte 0x${byte.toString(16)}`).toEqual([byte]);
    }
    expect(defined).toBeGreaterThan(0x5f + 100);
  });

  it('selects each page by its Epson ESC t number', () => {
    const tables = CODE_PAGE_NAMES.map((name) => [name, codePage(name).escPosTable]);
    expect(Object.fromEntries(tables)).toEqual({
      cp437: 0,
      cp850: 2,
      cp737: 14,
      cp1252: 16,
      cp866: 17,
      cp858: 19,
      cp1251: 46,
      cp1253: 47,
    });
    for (const name of CODE_PAGE_NAMES) expect(codePageForTable(codePage(name).escPosTable)?.name).toBe(name);
    expect(codePageForTable(1)).toBeUndefined();
    expect(codePageForTable(255)).toBeUndefined();
  });

  it.each([
    ['cp866', 'ibm866'],
    ['cp1251', 'windows-1251'],
    ['cp1253', 'windows-1253'],
  ] as const)('%s agrees with the WHATWG %s decoder built into Node on every defined byte', (name, label) => {
    const page = codePage(name);
    const high = Uint8Array.from({ length: 128 }, (_, i) => 0x80 + i);
    const expected = new TextDecoder(label).decode(high);
    for (let i = 0; i < 128; i++) {
      const char = page.highHalf.charAt(i);
      if (char !== UNKNOWN_CHAR) expect(char, `${name} byte 0x${(0x80 + i).toString(16)}`).toBe(expected.charAt(i));
    }
  });

  it('places the characters tickets need where the published tables put them', () => {
    const byteOf = (name: Parameters<typeof codePage>[0], char: string) => encodeInCodePage(codePage(name), char)[0];
    expect(byteOf('cp437', 'é')).toBe(0x82);
    expect(byteOf('cp858', '€')).toBe(0xd5);
    expect(byteOf('cp850', 'ı')).toBe(0xd5);
    expect(byteOf('cp1252', '€')).toBe(0x80);
    expect(byteOf('cp1252', 'é')).toBe(0xe9);
    expect(byteOf('cp1252', 'Œ')).toBe(0x8c);
    expect(byteOf('cp866', 'Б')).toBe(0x81);
    expect(byteOf('cp1251', 'Б')).toBe(0xc1);
    expect(byteOf('cp1251', '€')).toBe(0x88);
    expect(byteOf('cp737', 'Σ')).toBe(0x91);
    expect(byteOf('cp1253', 'Σ')).toBe(0xd3);
  });

  it('encodes what a page lacks as ? and decodes control bytes to nothing', () => {
    expect(Array.from(encodeInCodePage(codePage('cp437'), '€😀ж'))).toEqual([0x3f, 0x3f, 0x3f]);
    expect(decodeByte(codePage('cp437'), 0x0a)).toBe('');
    expect(decodeByte(codePage('cp1252'), 0x7f)).toBe('⌂');
    expect(decodeByte(codePage('cp1252'), 0x81)).toBe(UNKNOWN_CHAR);
    expect(decodeByte(undefined, 0x41)).toBe('A');
    expect(decodeByte(undefined, 0xe9)).toBe(UNKNOWN_CHAR);
  });
});
