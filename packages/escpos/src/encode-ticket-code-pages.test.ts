import type { TicketBlock } from '@printermaster/protocol';
import { describe, expect, it } from 'vitest';
import { indexOfBytes } from '../test/byte-stream.js';
import { decodeEscPos } from './decode-esc-pos.js';
import { DEFAULT_PRINTER_PROFILE } from './default-printer-profile.js';
import { encodeBanner, encodeTicket, encodeTicketWithReport } from './encode-ticket.js';

const ESC = 0x1b;

function codeTablesSelected(out: Uint8Array): number[] {
  const tables: number[] = [];
  for (let at = indexOfBytes(out, [ESC, 0x74]); at >= 0; at = indexOfBytes(out, [ESC, 0x74], at + 1)) {
    tables.push(out[at + 2] ?? -1);
  }
  return tables;
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
    const lines = decodeEscPos(bytes)[0]?.text.split('\n') ?? [];
    // The banner (double size: 24 × 2 dots per character, 48 high and a 6-dot gap), its rule, Борщ as text, then
    // one picture per line: Arabic (6 × 12 dots), CJK with emoji (24 + 24 + 12 + 24, rounded up to whole bytes), and the columns row drawn whole at paper width.
    expect(lines[0]).toMatch(/^\[IMAGE \d+x54\]$/);
    expect(lines.slice(1)).toEqual(['='.repeat(48), 'Борщ', '[IMAGE 72x30]', '[IMAGE 88x30]', '[IMAGE 576x30]']);
    expect(lines.join('\n')).not.toContain('?');
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
