import type { TicketBlock, TicketDocument } from '@printermaster/protocol';
import { describe, expect, it } from 'vitest';
import { bytes, indexOfBytes } from '../test/byte-stream.js';
import { BLACK, makePngBase64, TRANSPARENT, WHITE } from '../test/make-png.js';
import { decodeEscPos } from './decode-esc-pos.js';
import { DEFAULT_PRINTER_PROFILE } from './default-printer-profile.js';
import { encodeTicket } from './encode-ticket.js';

const ESC = 0x1b;
const GS = 0x1d;
const LF = 0x0a;

function doc(...blocks: TicketBlock[]): TicketDocument {
  return { blocks };
}

function decodeOne(encoded: Uint8Array) {
  const tickets = decodeEscPos(encoded);
  expect(tickets).toHaveLength(1);
  const [ticket] = tickets;
  if (ticket === undefined) throw new Error('no ticket');
  return ticket;
}

function occurrences(haystack: Uint8Array, needle: ArrayLike<number>): number {
  let count = 0;
  for (let at = indexOfBytes(haystack, needle); at >= 0; at = indexOfBytes(haystack, needle, at + 1)) count++;
  return count;
}

describe('encodeTicket', () => {
  it('starts with ESC @, selects PC437 and sets the print area for 80 mm by default', () => {
    const out = encodeTicket(doc({ type: 'text', text: 'hi' }));
    expect(Array.from(out.subarray(0, 10))).toEqual([ESC, 0x40, ESC, 0x74, 0, ESC, 0x52, 0, GS, 0x57]);
    expect(Array.from(out.subarray(10, 12))).toEqual([576 & 0xff, 576 >> 8]);
  });

  it('sets a 384-dot print area and wraps at 32 columns on 58 mm paper', () => {
    const out = encodeTicket({ paperWidth: 58, blocks: [{ type: 'text', text: 'word '.repeat(10).trim() }] });
    expect(indexOfBytes(out, [GS, 0x57, 0x80, 0x01])).toBeGreaterThan(0);
    expect(decodeOne(out).text).toBe('word word word word word word\nword word word word');
  });

  it('appends a feed and a full cut when the document does not end with a cut', () => {
    const out = encodeTicket(doc({ type: 'text', text: 'hi' }));
    expect(Array.from(out.subarray(-7))).toEqual([ESC, 0x64, 3, GS, 0x56, 65, 0]);
    expect(decodeOne(out).cut).toBe('full');
  });

  it('does not add a second cut when the document ends with one', () => {
    const out = encodeTicket(doc({ type: 'text', text: 'hi' }, { type: 'cut', partial: true }));
    expect(Array.from(out.subarray(-4))).toEqual([GS, 0x56, 66, 0]);
    expect(occurrences(out, [GS, 0x56])).toBe(1);
    expect(decodeOne(out).cut).toBe('partial');
  });

  it('appends a cut when a cut in the middle is followed by more content', () => {
    const out = encodeTicket(doc({ type: 'text', text: 'a' }, { type: 'cut' }, { type: 'text', text: 'b' }));
    const tickets = decodeEscPos(out);
    expect(tickets.map((t) => [t.text, t.cut])).toEqual([
      ['a', 'full'],
      ['b', 'full'],
    ]);
  });

  it('emits style commands before the text and resets them for the next block', () => {
    const out = encodeTicket(
      doc(
        { type: 'text', text: 'STYLED', bold: true, underline: true, invert: true, align: 'right', size: 'double' },
        { type: 'text', text: 'plain' },
      ),
    );
    const styled = indexOfBytes(out, bytes('STYLED'));
    const prefix = out.subarray(0, styled);
    for (const command of [
      [ESC, 0x61, 2],
      [ESC, 0x45, 1],
      [ESC, 0x2d, 1],
      [GS, 0x42, 1],
      [GS, 0x21, 0x11],
    ]) {
      expect(indexOfBytes(prefix, command), `command ${command}`).toBeGreaterThanOrEqual(0);
    }
    const [styledLine, plainLine] = decodeOne(out).lines;
    expect(styledLine).toEqual({
      text: `${' '.repeat(36)}STYLED`,
      bold: true,
      underline: true,
      invert: true,
      align: 'right',
      size: 'double',
    });
    expect(plainLine).toEqual({
      text: 'plain',
      bold: false,
      underline: false,
      invert: false,
      align: 'left',
      size: 'normal',
    });
  });

  it('maps each size to GS ! and halves the columns for double width', () => {
    const sizes = { 'double-width': 0x10, 'double-height': 0x01, double: 0x11 } as const;
    for (const [size, n] of Object.entries(sizes)) {
      const out = encodeTicket(doc({ type: 'text', text: 'x', size: size as keyof typeof sizes }));
      expect(indexOfBytes(out, [GS, 0x21, n]), size).toBeGreaterThan(0);
    }
    const wide = encodeTicket(doc({ type: 'text', text: 'abcdefghij '.repeat(3).trim(), size: 'double-width' }));
    expect(decodeOne(wide).text).toBe('abcdefghij abcdefghij\nabcdefghij');
    const tall = encodeTicket(doc({ type: 'text', text: 'abcdefghij '.repeat(5).trim(), size: 'double-height' }));
    expect(decodeOne(tall).text).toBe('abcdefghij abcdefghij abcdefghij abcdefghij\nabcdefghij');
  });

  it('prints columns on one line with the right side flush right', () => {
    const out = encodeTicket(doc({ type: 'columns', left: 'Burger', right: '12.50', bold: true }));
    const [line] = decodeOne(out).lines;
    expect(line?.text).toBe(`Burger${' '.repeat(48 - 6 - 5)}12.50`);
    expect(line?.bold).toBe(true);
  });

  it('repeats the separator character across the line', () => {
    expect(decodeOne(encodeTicket(doc({ type: 'separator' }))).text).toBe('-'.repeat(48));
    expect(decodeOne(encodeTicket({ paperWidth: 58, blocks: [{ type: 'separator', char: '═' }] })).text).toBe(
      '═'.repeat(32),
    );
  });

  it('encodes text in the first code page that holds the line and, without raster, prints what none holds as ?', () => {
    const out = encodeTicket(doc({ type: 'text', text: 'Café € 😀\tok' }), {
      profile: { codePages: DEFAULT_PRINTER_PROFILE.codePages, raster: false },
    });
    // PC858 (ESC t 19): é is 0x82 as in PC437, € is 0xD5.
    expect(indexOfBytes(out, bytes([ESC, 0x74, 19], 'Caf', 0x82, ' ', 0xd5, ' ? ok', LF))).toBeGreaterThan(0);
    expect(decodeOne(out).text).toBe('Café € ? ok');
  });

  it('encodes code128, code39, ean13 and upca with GS k function B', () => {
    const cases: [TicketBlock, number[]][] = [
      [{ type: 'barcode', data: 'A{1' }, [GS, 0x6b, 73, 6, ...bytes('{BA{{1')]],
      [{ type: 'barcode', data: 'AB-12', symbology: 'code39' }, [GS, 0x6b, 69, 5, ...bytes('AB-12')]],
      [{ type: 'barcode', data: '400638133393', symbology: 'ean13' }, [GS, 0x6b, 67, 12, ...bytes('400638133393')]],
      [{ type: 'barcode', data: '03600029145', symbology: 'upca' }, [GS, 0x6b, 65, 11, ...bytes('03600029145')]],
    ];
    for (const [block, expected] of cases) {
      const out = encodeTicket(doc(block));
      expect(indexOfBytes(out, expected), JSON.stringify(block)).toBeGreaterThan(0);
    }
    const decoded = decodeOne(encodeTicket(doc(...cases.map(([block]) => block))));
    expect(decoded.barcodes).toEqual([
      { symbology: 'code128', data: 'A{1' },
      { symbology: 'code39', data: 'AB-12' },
      { symbology: 'ean13', data: '400638133393' },
      { symbology: 'upca', data: '03600029145' },
    ]);
  });

  it('sets barcode height, HRI and centering before the barcode', () => {
    const out = encodeTicket(doc({ type: 'barcode', data: '123', height: 60, hri: false }));
    const barcodeAt = indexOfBytes(out, [GS, 0x6b]);
    const before = out.subarray(0, barcodeAt);
    expect(indexOfBytes(before, [GS, 0x68, 60])).toBeGreaterThan(0);
    expect(indexOfBytes(before, [GS, 0x48, 0])).toBeGreaterThan(0);
    expect(indexOfBytes(before, [ESC, 0x61, 1])).toBeGreaterThan(0);
    const withHri = encodeTicket(doc({ type: 'barcode', data: '123' }));
    expect(indexOfBytes(withHri, [GS, 0x68, 80])).toBeGreaterThan(0);
    expect(indexOfBytes(withHri, [GS, 0x48, 2])).toBeGreaterThan(0);
  });

  it('narrows the barcode modules when the symbol would not fit the paper', () => {
    const short = encodeTicket({ paperWidth: 58, blocks: [{ type: 'barcode', data: '12345' }] });
    const long = encodeTicket({ paperWidth: 58, blocks: [{ type: 'barcode', data: 'ABCDEFGHIJKLMNOP' }] });
    expect(indexOfBytes(short, [GS, 0x77, 2])).toBeGreaterThan(0);
    expect(indexOfBytes(long, [GS, 0x77, 1])).toBeGreaterThan(0);
  });

  it('rejects barcode data the symbology cannot carry', () => {
    expect(() => encodeTicket(doc({ type: 'barcode', data: '12AB', symbology: 'ean13' }))).toThrow(RangeError);
    expect(() => encodeTicket(doc({ type: 'barcode', data: 'lower', symbology: 'code39' }))).toThrow(RangeError);
    expect(() => encodeTicket(doc({ type: 'barcode', data: 'naïve' }))).toThrow(RangeError);
    expect(() => encodeTicket(doc({ type: 'barcode', data: '123', symbology: 'upca' }))).toThrow(RangeError);
  });

  it('encodes a QR code as model 2, module size, error correction M, store and print', () => {
    const out = encodeTicket(doc({ type: 'qr', data: 'AB', size: 4, align: 'left' }));
    const expected = [
      ...[GS, 0x28, 0x6b, 4, 0, 49, 65, 50, 0],
      ...[GS, 0x28, 0x6b, 3, 0, 49, 67, 4],
      ...[GS, 0x28, 0x6b, 3, 0, 49, 69, 49],
      ...[GS, 0x28, 0x6b, 5, 0, 49, 80, 48, 0x41, 0x42],
      ...[GS, 0x28, 0x6b, 3, 0, 49, 81, 48],
    ];
    expect(indexOfBytes(out, expected)).toBeGreaterThan(0);
    expect(decodeOne(encodeTicket(doc({ type: 'qr', data: 'https://x.example/ä' }))).qrCodes).toEqual([
      'https://x.example/ä',
    ]);
  });

  it('refuses QR data longer than a QR code holds at error correction M (2,331 bytes of UTF-8)', () => {
    // 777 three-byte characters: 2,331 bytes, the most a version-40 code holds; one more is refused.
    expect(decodeOne(encodeTicket(doc({ type: 'qr', data: '拉'.repeat(777) }))).qrCodes).toHaveLength(1);
    expect(() => encodeTicket(doc({ type: 'qr', data: '拉'.repeat(778) }))).toThrow(RangeError);
    expect(() => encodeTicket(doc({ type: 'qr', data: 'a'.repeat(2_332) }))).toThrow(/holds at most 2331/);
  });

  it('prints a PNG as a GS v 0 raster, black below 50 % luminance and transparent as white', () => {
    // 10×2: row 0 alternates black/white, row 1 is dark grey then transparent.
    const png = makePngBase64(10, 2, (x, y) => {
      if (y === 0) return x % 2 === 0 ? BLACK : WHITE;
      return x < 5 ? [100, 100, 100, 255] : TRANSPARENT;
    });
    const out = encodeTicket(doc({ type: 'image', png }));
    const header = [GS, 0x76, 0x30, 0, 2, 0, 2, 0];
    const at = indexOfBytes(out, header);
    expect(at).toBeGreaterThan(0);
    expect(Array.from(out.subarray(at + 8, at + 12))).toEqual([0b1010_1010, 0b1000_0000, 0b1111_1000, 0b0000_0000]);
    expect(decodeOne(out).images).toEqual([{ widthDots: 16, heightDots: 2 }]);
  });

  it('scales an image wider than the paper down to the paper width', () => {
    const png = makePngBase64(800, 100, (x) => (x < 400 ? BLACK : WHITE));
    const decoded = decodeOne(encodeTicket({ paperWidth: 58, blocks: [{ type: 'image', png }] }));
    expect(decoded.images).toEqual([{ widthDots: 384, heightDots: 48 }]);
  });

  it('rejects data that is not a PNG', () => {
    expect(() => encodeTicket(doc({ type: 'image', png: Buffer.from('GIF89a....').toString('base64') }))).toThrow(
      RangeError,
    );
  });

  it('feeds with ESC d and kicks the drawer with ESC p on pin 2 or 5', () => {
    const out = encodeTicket(doc({ type: 'feed', lines: 4 }, { type: 'drawer' }, { type: 'drawer', pin: 5 }));
    expect(indexOfBytes(out, [ESC, 0x64, 4])).toBeGreaterThan(0);
    expect(indexOfBytes(out, [ESC, 0x70, 0, 25, 250])).toBeGreaterThan(0);
    expect(indexOfBytes(out, [ESC, 0x70, 1, 25, 250])).toBeGreaterThan(0);
    expect(decodeOne(out).drawerKicks).toBe(2);
  });

  it('prints the banner first: centered, double size, inverted, bold, then a rule', () => {
    const out = encodeTicket(doc({ type: 'text', text: 'TABLE 4' }), { banner: 'REPRINT' });
    expect(indexOfBytes(out, bytes('REPRINT'))).toBeLessThan(indexOfBytes(out, bytes('TABLE 4')));
    const ticket = decodeOne(out);
    const [banner, rule, content] = ticket.lines;
    expect(banner?.text.trim()).toBe('REPRINT');
    expect(banner).toMatchObject({ bold: true, invert: true, align: 'center', size: 'double' });
    expect(rule?.text).toBe('='.repeat(48));
    expect(content?.text).toBe('TABLE 4');
    expect(content).toMatchObject({ bold: false, invert: false, align: 'left', size: 'normal' });
  });

  it('prints no banner for a blank banner option', () => {
    const plain = encodeTicket(doc({ type: 'text', text: 'x' }));
    expect(encodeTicket(doc({ type: 'text', text: 'x' }), { banner: '  ' })).toEqual(plain);
  });

  it('is deterministic', () => {
    const document = doc(
      { type: 'text', text: 'Hello', bold: true },
      { type: 'qr', data: 'q' },
      { type: 'image', png: makePngBase64(3, 3, () => BLACK) },
    );
    expect(encodeTicket(document, { banner: 'REPRINT' })).toEqual(encodeTicket(document, { banner: 'REPRINT' }));
  });
});

describe('encodeBanner', () => {
  it('prints the banner before raw content without cutting, so one ticket carries both', async () => {
    const { encodeBanner } = await import('./encode-ticket.js');
    const { decodeEscPos } = await import('./decode-esc-pos.js');
    const raw = encodeTicket({ blocks: [{ type: 'text', text: 'Table 7: 2x Burger' }] });
    const banner = encodeBanner('REPRINT');
    const combined = new Uint8Array(banner.length + raw.length);
    combined.set(banner);
    combined.set(raw, banner.length);
    const tickets = decodeEscPos(combined);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]?.text).toMatch(/REPRINT[\s\S]*Table 7: 2x Burger/);
    expect(decodeEscPos(banner).every((t) => t.cut === null)).toBe(true);
  });
});
