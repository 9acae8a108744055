import type { TicketBlock } from '@printermaster/protocol';
import { describe, expect, it } from 'vitest';
import { indexOfBytes } from '../test/byte-stream.js';
import { decodeEscPos } from './decode-esc-pos.js';
import { DEFAULT_PRINTER_PROFILE } from './default-printer-profile.js';
import { encodeBanner, encodeTicket, encodeTicketWithReport } from './encode-ticket.js';
import { readCommand } from './read-command.js';

const ESC = 0x1b;

function codeTablesSelected(out: Uint8Array): number[] {
  const tables: number[] = [];
  for (let at = indexOfBytes(out, [ESC, 0x74]); at >= 0; at = indexOfBytes(out, [ESC, 0x74], at + 1)) {
    tables.push(out[at + 2] ?? -1);
  }
  return tables;
}

/** How many `GS v 0` images the bytes hold, read command by command. */
function countRasterImages(out: Uint8Array): number {
  let count = 0;
  for (let at = 0; at < out.length; ) {
    const read = readCommand(out, at);
    if (read === undefined) break;
    if (read.command.kind === 'image') count++;
    at += read.length + read.payload;
  }
  return count;
}

const MENU: TicketBlock[] = [
  { type: 'text', text: 'Crème brûlée €4.50' },
  { type: 'text', text: 'Борщ' },
  { type: 'columns', left: 'Σαλάτα', right: '€7.00' },
  { type: 'text', text: 'Œuf mayonnaise, “maison”' },
  { type: 'text', text: 'Total 12.50' },
  { type: 'separator', char: '═' },
];

describe('encodeTicket with code pages', () => {
  it('prints Western European, Cyrillic and Greek without ? and decodes back to the same text', () => {
    const { bytes, unencodable } = encodeTicketWithReport({ blocks: MENU });
    expect(unencodable).toEqual([]);
    expect(Array.from(bytes)).not.toContain(0x3f);
    const [ticket] = decodeEscPos(bytes);
    expect(ticket?.text).toBe(
      [
        'Crème brûlée €4.50',
        'Борщ',
        `Σαλάτα${' '.repeat(48 - 6 - 5)}€7.00`,
        'Œuf mayonnaise, “maison”',
        'Total 12.50',
        '═'.repeat(48),
      ].join('\n'),
    );
  });

  it('selects a code table only when the line needs another one', () => {
    const out = encodeTicket({ blocks: MENU });
    // PC437 at the start, PC858 for €, PC866, WPC1253 (Σαλάτα with €), WPC1252, and back to PC437 for ═;
    // the ASCII line prints in whatever is selected.
    expect(codeTablesSelected(out)).toEqual([0, 19, 17, 47, 16, 0]);
  });

  it('uses only the code pages of the given profile, in its order', () => {
    const { bytes, unencodable } = encodeTicketWithReport(
      { blocks: [{ type: 'text', text: 'Café €' }] },
      { profile: { codePages: ['cp1252', 'cp437'] } },
    );
    expect(codeTablesSelected(bytes)).toEqual([16]);
    expect(unencodable).toEqual([]);
    expect(decodeEscPos(bytes)[0]?.text).toBe('Café €');

    const only437 = encodeTicketWithReport(
      { blocks: [{ type: 'text', text: 'Café €' }] },
      { profile: { codePages: ['cp437'], raster: false } },
    );
    expect(decodeEscPos(only437.bytes)[0]?.text).toBe('Café ?');
    expect(only437.unencodable).toEqual([{ blockIndex: 0, text: 'Café €', characters: ['€'] }]);
  });

  const WORLD_MENU = [
    { type: 'text', text: 'Борщ' },
    { type: 'text', text: 'شاورما\n拉面 🍜' },
    { type: 'columns', left: 'Ramen 拉面', right: '€9' },
  ] as const;

  it('draws the lines no code page holds as raster images of the text, one per line, and lists none as lost', () => {
    const { bytes, unencodable } = encodeTicketWithReport({ blocks: [...WORLD_MENU] }, { banner: 'נוסף' });
    expect(unencodable).toEqual([]);
    const [ticket] = decodeEscPos(bytes);
    // The banner (double size, centered), its rule, Борщ as text, then one picture per line, each read
    // back as its text: Arabic, CJK with emoji, and the columns row drawn whole at paper width.
    expect(ticket?.text.split('\n')).toEqual([
      `${' '.repeat(19)}נוסף`,
      '='.repeat(48),
      'Борщ',
      'شاورما',
      '拉面 🍜',
      `Ramen 拉面${' '.repeat(48 - 10 - 2)}€9`,
    ]);
    expect(ticket?.lines.slice(0, 6).map((line) => line.drawn ?? false)).toEqual([
      true,
      false,
      false,
      true,
      true,
      true,
    ]);
    expect(ticket?.lines[0]).toMatchObject({ size: 'double', align: 'center', bold: true });
    expect(ticket?.images).toEqual([]);
    // The pictures are still in the bytes: one GS v 0 per drawn line.
    expect(countRasterImages(bytes)).toBe(4);
  });

  it('without raster, lists the text no code page holds, by block, and prints ? for it', () => {
    const { bytes, unencodable } = encodeTicketWithReport(
      { blocks: [...WORLD_MENU] },
      { banner: 'נוסף', profile: { codePages: DEFAULT_PRINTER_PROFILE.codePages, raster: false } },
    );
    expect(unencodable).toEqual([
      { blockIndex: null, text: ' נוסף ', characters: ['נ', 'ו', 'ס', 'ף'] },
      { blockIndex: 1, text: 'شاورما', characters: ['ش', 'ا', 'و', 'ر', 'م'] },
      { blockIndex: 1, text: '拉面 🍜', characters: ['拉', '面', '🍜'] },
      { blockIndex: 2, text: 'Ramen 拉面', characters: ['拉', '面'] },
    ]);
    // Still one ? per character cell, so the layout is unchanged.
    expect(decodeEscPos(bytes)[0]?.text.split('\n').slice(2)).toEqual([
      'Борщ',
      '??????',
      '?? ?',
      `Ramen ??${' '.repeat(48 - 8 - 2)}€9`,
    ]);
  });

  it('prints a banner in the code page it needs', () => {
    const out = encodeBanner('ПОВТОР');
    expect(codeTablesSelected(out)).toEqual([0, 17]);
    expect(decodeEscPos(out)[0]?.text.trim().split('\n')[0]?.trim()).toBe('ПОВТОР');
  });
});
