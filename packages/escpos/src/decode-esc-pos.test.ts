import { transform } from 'receiptline';
import { describe, expect, it } from 'vitest';
import { bytes, concatBytes, seededRandom } from '../test/byte-stream.js';
import { decodeEscPos } from './decode-esc-pos.js';
import { encodeTicket } from './encode-ticket.js';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const LF = 0x0a;

describe('decodeEscPos', () => {
  it.each([
    ['GS V 0', [GS, 0x56, 0], 'full'],
    ['GS V 48', [GS, 0x56, 48], 'full'],
    ['GS V 1', [GS, 0x56, 1], 'partial'],
    ['GS V 49', [GS, 0x56, 49], 'partial'],
    ['GS V 65 n', [GS, 0x56, 65, 3], 'full'],
    ['GS V 66 n', [GS, 0x56, 66, 0x41], 'partial'],
    ['ESC i', [ESC, 0x69], 'partial'],
    ['ESC m', [ESC, 0x6d], 'partial'],
  ] as const)('splits tickets at %s', (_name, cut, kind) => {
    const first = bytes('first', LF, cut);
    const stream = concatBytes(first, bytes('second', LF, cut));
    const tickets = decodeEscPos(stream);
    expect(tickets.map((t) => [t.text, t.cut, t.byteLength])).toEqual([
      ['first', kind, first.length],
      ['second', kind, stream.length - first.length],
    ]);
  });

  it('decodes several encoded tickets from one stream', () => {
    const a = encodeTicket({ blocks: [{ type: 'text', text: 'Ticket A' }] });
    const b = encodeTicket({
      blocks: [
        { type: 'text', text: 'Ticket B' },
        { type: 'cut', partial: true },
      ],
    });
    const c = encodeTicket({ paperWidth: 58, blocks: [{ type: 'columns', left: 'C', right: '1.00' }] });
    const tickets = decodeEscPos(concatBytes(a, b, c));
    expect(tickets.map((t) => [t.text, t.cut, t.byteLength])).toEqual([
      ['Ticket A', 'full', a.length],
      ['Ticket B', 'partial', b.length],
      [`C${' '.repeat(27)}1.00`, 'full', c.length],
    ]);
  });

  it('returns trailing content without a cut as a ticket with cut null', () => {
    const tickets = decodeEscPos(bytes('cut one', LF, GS, 0x56, 0, 'left over', LF, ESC, 0x64, 3));
    expect(tickets.map((t) => [t.text, t.cut])).toEqual([
      ['cut one', 'full'],
      ['left over', null],
    ]);
    expect(tickets[1]?.byteLength).toBe(13);
  });

  it('keeps an unterminated last line', () => {
    expect(decodeEscPos(bytes('no newline')).map((t) => t.text)).toEqual(['no newline']);
  });

  it('drops a trailing part that prints nothing', () => {
    const tickets = decodeEscPos(bytes('job', LF, GS, 0x56, 0, ESC, 0x40, ESC, 0x64, 5, LF, '   ', LF, GS, 0x72, 1));
    expect(tickets.map((t) => t.text)).toEqual(['job']);
    expect(decodeEscPos(new Uint8Array(0))).toEqual([]);
  });

  it('keeps a trailing drawer kick without a cut', () => {
    const tickets = decodeEscPos(bytes(ESC, 0x40, ESC, 0x70, 0, 25, 250));
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ text: '', drawerKicks: 1, cut: null, byteLength: 7 });
  });

  it('keeps an empty ticket between two cuts', () => {
    const tickets = decodeEscPos(bytes('a', LF, GS, 0x56, 0, GS, 0x56, 1));
    expect(tickets.map((t) => [t.text, t.cut])).toEqual([
      ['a', 'full'],
      ['', 'partial'],
    ]);
  });

  it('understands the common commands without losing sync', () => {
    const stream = bytes(
      [ESC, 0x40],
      [ESC, 0x74, 0],
      [ESC, 0x52, 0],
      [ESC, 0x32],
      [ESC, 0x33, 0x0a], // line spacing parameter looks like LF
      [ESC, 0x4d, 0],
      [GS, 0x4c, 0x0a, 0],
      [GS, 0x57, 0x40, 0x02],
      [GS, 0x61, 0],
      'L1',
      LF,
      [ESC, 0x45, 1],
      'L2',
      [ESC, 0x45, 0],
      0x0d,
      LF,
      [ESC, 0x2d, 1],
      'L3',
      [ESC, 0x2d, 0],
      LF,
      [ESC, 0x61, 1],
      'L4',
      LF,
      [ESC, 0x61, 0],
      [ESC, 0x21, 0x38], // bold + double height + double width
      'L5',
      LF,
      [ESC, 0x21, 0],
      [GS, 0x21, 0x01],
      'L6',
      LF,
      [GS, 0x21, 0],
      [GS, 0x42, 1],
      'L7',
      LF,
      [GS, 0x42, 0],
      [ESC, 0x64, 1],
      [ESC, 0x4a, 0x1b], // feed-by-dots parameter looks like ESC
      'A',
      0x09,
      'B',
      LF,
      [GS, 0x68, 0x0a],
      [GS, 0x77, 2],
      [GS, 0x48, 2],
      [GS, 0x66, 0],
      [GS, 0x6b, 4, ...bytes('AB12'), 0], // function A, NUL terminated
      [GS, 0x6b, 73, 4, ...bytes('{B1', 0x0a)], // data contains LF
      [GS, 0x28, 0x6b, 3, 0, 49, 67, 6],
      [GS, 0x28, 0x6b, 6, 0, 49, 80, 48, 0x1b, 0x0a, 0x1d],
      [GS, 0x28, 0x6b, 3, 0, 49, 81, 48],
      [GS, 0x76, 0x30, 0, 1, 0, 2, 0, 0x1d, 0x56], // raster data looks like GS V
      [ESC, 0x2a, 33, 2, 0, ...[0x0a, 0x1b, 0x40, 0x1d, 0x56, 0x00]], // 24-dot band data looks like commands
      LF,
      [ESC, 0x70, 0, 25, 250],
      [DLE, 0x04, 1],
      [DLE, 0x14, 1, 0, 1],
      [GS, 0x72, 1],
      'L8',
      LF,
      [GS, 0x56, 66, 0],
    );
    const tickets = decodeEscPos(stream);
    expect(tickets).toHaveLength(1);
    const [ticket] = tickets;
    expect(ticket?.text).toBe(
      [
        'L1',
        'L2',
        'L3',
        `${' '.repeat(23)}L4`,
        'L5',
        'L6',
        'L7',
        '',
        'A       B',
        '[BARCODE code39: AB12]',
        '[BARCODE code128: 1\\n]',
        '[QR: \u001b\\n\u001d]',
        '[IMAGE 8x2]',
        '[IMAGE 2x24]',
        'L8',
      ].join('\n'),
    );
    expect(ticket?.lines.slice(0, 7).map(({ text, ...style }) => style)).toEqual([
      { bold: false, underline: false, invert: false, align: 'left', size: 'normal' },
      { bold: true, underline: false, invert: false, align: 'left', size: 'normal' },
      { bold: false, underline: true, invert: false, align: 'left', size: 'normal' },
      { bold: false, underline: false, invert: false, align: 'center', size: 'normal' },
      { bold: true, underline: false, invert: false, align: 'left', size: 'double' },
      { bold: false, underline: false, invert: false, align: 'left', size: 'double-height' },
      { bold: false, underline: false, invert: true, align: 'left', size: 'normal' },
    ]);
    expect(ticket).toMatchObject({ cut: 'partial', drawerKicks: 2, unknownCommands: 0, byteLength: stream.length });
  });

  it('counts unknown commands and skips only their two prefix bytes', () => {
    const tickets = decodeEscPos(bytes('a', [ESC, 0xf0], [GS, 0x01], [FS, 0x99], 'b', LF, [GS, 0x56, 0x07], 'c', LF));
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ text: 'ab\nc', unknownCommands: 4, cut: null });
  });

  it('wraps like the printer when a line does not fit the print area', () => {
    expect(decodeEscPos(bytes('x'.repeat(50), LF))[0]?.text).toBe(`${'x'.repeat(48)}\nxx`);
    expect(decodeEscPos(bytes([GS, 0x57, 0x80, 0x01], 'y'.repeat(33)))[0]?.text).toBe(`${'y'.repeat(32)}\ny`);
    expect(decodeEscPos(bytes([GS, 0x21, 0x10], 'z'.repeat(25)))[0]?.text).toBe(`${'z'.repeat(24)}\nz`);
    // Exactly full: the LF prints the line, no extra blank line.
    expect(decodeEscPos(bytes('w'.repeat(48), LF, 'next', LF))[0]?.text).toBe(`${'w'.repeat(48)}\nnext`);
  });

  it('indents centered and right-aligned lines by the free space in font A columns', () => {
    const [ticket] = decodeEscPos(
      bytes([ESC, 0x61, 1], 'ab', LF, [ESC, 0x61, 2], 'ab', LF, [ESC, 0x61, 1, GS, 0x21, 0x11], 'ab', LF),
    );
    expect(ticket?.text).toBe(`${' '.repeat(23)}ab\n${' '.repeat(46)}ab\n${' '.repeat(22)}ab`);
  });

  it('drops trailing blank lines from the text but keeps them in lines', () => {
    const [ticket] = decodeEscPos(bytes(LF, 'a', LF, LF, 'b', LF, [ESC, 0x64, 3], [GS, 0x56, 0]));
    expect(ticket?.text).toBe('\na\n\nb');
    expect(ticket?.lines.map((line) => line.text)).toEqual(['', 'a', '', 'b', '', '', '']);
  });

  it('honours absolute and relative positions', () => {
    const [ticket] = decodeEscPos(bytes('a', [ESC, 0x24, 120, 0], 'b', [ESC, 0x5c, 24, 0], 'c', LF));
    expect(ticket?.text).toBe('a         b  c');
  });

  it('discards an unfinished line on ESC @', () => {
    expect(decodeEscPos(bytes('lost', [ESC, 0x40], 'kept', LF))[0]?.text).toBe('kept');
  });

  it('decodes code page 437 bytes above 0x7F', () => {
    expect(decodeEscPos(bytes('Cr', 0x8a, 'me br', 0x96, 'l', 0x82, 'e ', 0x9c, 0xcd, LF))[0]?.text).toBe(
      'Crème brûlée £═',
    );
  });

  it('decodes bytes above 0x7F in the code table selected by ESC t, back to PC437 after ESC @', () => {
    const [ticket] = decodeEscPos(
      bytes([ESC, 0x74, 17], 0x81, 0xae, 0xe0, 0xe9, LF, [ESC, 0x74, 47], 0xd3, 0xe1, LF, [ESC, 0x40], 0x9c, LF),
    );
    expect(ticket?.text).toBe('Борщ\nΣα\n£');
  });

  it('shows bytes above 0x7F of an unknown code table as U+FFFD and goes on decoding', () => {
    const [ticket] = decodeEscPos(bytes([ESC, 0x74, 255], 'a', 0x80, 0xff, LF, [ESC, 0x74, 0], 0x80, LF));
    expect(ticket?.text).toBe('a\ufffd\ufffd\nÇ');
    expect(ticket?.unknownCommands).toBe(0);
  });

  it('merges consecutive ESC * bands into one image', () => {
    const band = [ESC, 0x2a, 33, 100, 0, ...new Array<number>(300).fill(0xff)];
    const [ticket] = decodeEscPos(bytes(band, LF, band, LF, band, LF, 'after', LF, band, LF));
    expect(ticket?.images).toEqual([
      { widthDots: 100, heightDots: 72 },
      { widthDots: 100, heightDots: 24 },
    ]);
    expect(ticket?.text).toBe('[IMAGE 100x72]\nafter\n[IMAGE 100x24]');
  });

  it('reports graphics stored with GS ( L / GS 8 L when they are printed', () => {
    const store = [GS, 0x28, 0x4c, 14, 0, 48, 112, 48, 1, 1, 49, 16, 0, 2, 0, 0, 0, 0, 0];
    const storeLarge = [GS, 0x38, 0x4c, 14, 0, 0, 0, 48, 112, 48, 2, 2, 49, 8, 0, 2, 0, 0, 0, 0, 0];
    const print = [GS, 0x28, 0x4c, 2, 0, 48, 50];
    const [ticket] = decodeEscPos(bytes(store, print, storeLarge, print, print));
    expect(ticket?.images).toEqual([
      { widthDots: 16, heightDots: 2 },
      { widthDots: 16, heightDots: 4 },
    ]);
  });

  it('decodes ESC/POS produced by another encoder (receiptline) without unknown commands', () => {
    const markup = ['^^^KITCHEN', '"Table 12"', 'Burger | 12.50', '-', '{code:12345; option:code128,hri}', '=', 'next'];
    const stream = Buffer.from(transform(markup.join('\n'), { command: 'escpos', cpl: 48 }), 'binary');
    const tickets = decodeEscPos(stream);
    expect(tickets.map((t) => [t.cut, t.unknownCommands])).toEqual([
      ['partial', 0],
      ['partial', 0],
    ]);
    const lines = tickets[0]?.text.split('\n') ?? [];
    expect(lines[0]?.trim()).toBe('KITCHEN');
    expect(lines[0]).toMatch(/^ {10,}KITCHEN$/);
    expect(lines).toContain(`Burger${' '.repeat(37)}12.50`);
    expect(tickets[0]?.barcodes).toEqual([{ symbology: 'code128', data: '12345' }]);
    expect(tickets[1]?.text.trim()).toBe('next');
  });

  it('never throws on random bytes and accounts for at most the input', () => {
    const random = seededRandom(0x5eed);
    // Bias towards command prefixes so the parser's edge cases are exercised, not just text.
    const interesting = [ESC, GS, FS, DLE, LF, 0x00, 0x04, 0x14, 0x28, 0x56, 0x6b, 0x76, 0x30, 0x2a, 0xff];
    for (let round = 0; round < 2000; round++) {
      const length = Math.floor(random() * 600);
      const input = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        input[i] =
          random() < 0.4 ? (interesting[Math.floor(random() * interesting.length)] ?? 0) : Math.floor(random() * 256);
      }
      let tickets: ReturnType<typeof decodeEscPos> = [];
      expect(() => {
        tickets = decodeEscPos(input);
      }).not.toThrow();
      const accounted = tickets.reduce((sum, ticket) => sum + ticket.byteLength, 0);
      expect(accounted).toBeLessThanOrEqual(length);
      for (const ticket of tickets) expect(ticket.text).toBe(ticket.text.trimEnd());
    }
  });
});
