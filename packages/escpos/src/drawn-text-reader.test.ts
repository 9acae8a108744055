import { describe, expect, it } from 'vitest';
import { seededRandom } from '../test/byte-stream.js';
import { BLACK, makePngBase64, WHITE } from '../test/make-png.js';
import { DRAWN_GLYPH_RANGES, glyphKey } from './drawn-glyph-key.js';
import { codePointsWithKey } from './drawn-glyph-table.js';
import { MARK_RANGES, MAX_MARK_DOTS } from './drawn-marks.js';
import { type DrawnText, readDrawnText } from './drawn-text-reader.js';
import type { MonoBitmap } from './mono-bitmap.js';
import { PixelFont } from './pixel-font.js';
import { pngToRaster } from './png-to-raster.js';
import { drawColumnsRow, drawnLineRaster, drawTextLine } from './raster-text-lines.js';
import type { TextStyle } from './text-style.js';

const PLAIN: TextStyle = { bold: false, underline: false, invert: false, align: 'left', size: 'normal' };

function bitsOf(picture: MonoBitmap): { bytesPerRow: number; rows: number; data: Uint8Array } {
  const raster = drawnLineRaster(picture);
  return { bytesPerRow: raster.bytesPerRow, rows: raster.heightDots, data: raster.data };
}

function readBack(text: string, style: Partial<TextStyle> = {}): DrawnText | undefined {
  return readDrawnText(bitsOf(drawTextLine(text, { ...PLAIN, ...style })));
}

const BY_SCRIPT = {
  arabic: ['شاورما', 'فلافل مع حمص', 'لحم بعجين', 'شاي بالنعناع ٣', 'كباب (حار)', 'سلطة، خبز؟', 'لا', 'شاورما 2x'],
  persian: ['پیتزا گوشت', 'چای'],
  hebrew: ['שלום עולם', 'פיצה 12', 'חומוס (גדול)', 'סלט ירקות', 'Pizza שלום'],
  cjk: ['拉面', '牛肉面 大碗', '（大）拉面', '拉面 🍜 x2', 'Борщ 拉面', 'Crème 拉面 €4.50', 'Phở bò tái 拉面'],
  kana: ['ラーメン', 'らーめん・ぎょうざ'],
  hangul: ['김치찌개', '비빔밥 2인분'],
  symbols: ['🍕', 'Pizza 🍕🍺', '☕ Café', '✓ ok ❤'],
  spacing: ['   拉面', 'a  拉面', '拉面 '],
};
const ALL = Object.values(BY_SCRIPT).flat();

const STYLES: Partial<TextStyle>[] = [
  {},
  { bold: true },
  { underline: true },
  { invert: true },
  { size: 'double' },
  { size: 'double-width' },
  { size: 'double-height' },
  { bold: true, size: 'double' },
  { bold: true, underline: true },
  { invert: true, size: 'double' },
];

describe('readDrawnText', () => {
  it('reads back the issue’s strings exactly, in logical order, Arabic as letters', () => {
    for (const text of ['شاورما', '拉面', 'Crème brûlée €4.50', 'Борщ', 'Σαλάτα']) {
      expect(readBack(text)?.text, text).toBe(text);
    }
  });

  it.each(Object.entries(BY_SCRIPT))('round-trips %s lines', (_script, lines) => {
    for (const text of lines) expect(readBack(text)?.text, text).toBe(text);
  });

  it('round-trips every line in bold, underlined, white on black and at double width and height, and says so', () => {
    for (const style of STYLES) {
      for (const text of ALL) {
        // Bold at normal width merges a hex digit's middle column with its left one: A and 0 print alike.
        if (style.bold && style.size === undefined && text.includes('🍺')) continue;
        const read = readBack(text, style);
        expect(read?.text, `${text} ${JSON.stringify(style)}`).toBe(text);
        expect(read?.style, `${text} ${JSON.stringify(style)}`).toMatchObject({
          bold: style.bold ?? false,
          underline: style.underline ?? false,
        });
        expect(read?.style.invert).toBe(style.invert ?? false);
      }
    }
    expect(readBack('拉面', { size: 'double-width' })?.style).toMatchObject({
      widthMultiplier: 2,
      heightMultiplier: 1,
    });
  });

  it('gives a reading that draws the same picture where two texts draw alike', () => {
    // Both are drawn "2x" left of the Arabic: the line is read in the direction of most of its letters.
    expect(readBack('2x شاورما')?.text).toBe('شاورما 2x');
    expect(readBack('Menu: شاورما')?.text).toBe('شاورما :Menu');
    // In bold at normal width the hex boxes of U+1F37A and U+1F370 print alike.
    const bold = { ...PLAIN, bold: true };
    const read = readBack('🍺', bold)?.text ?? '';
    expect(bitsOf(drawTextLine(read, bold))).toEqual(bitsOf(drawTextLine('🍺', bold)));
  });

  it('reads look-alike letters in the script of their word', () => {
    expect(readBack('Борщ 拉面')?.text).toBe('Борщ 拉面');
    expect(readBack('opo 拉面')?.text).toBe('opo 拉面');
    expect(readBack('Σοφία 拉面')?.text).toBe('Σοφία 拉面');
  });

  it('reads a columns row as left text, spaces to where the right text prints, and right text', () => {
    for (const paper of [576, 384, 512]) {
      for (const bold of [false, true]) {
        for (const [left, right] of [
          ['شاورما', '4.50'],
          ['拉面 大碗', 'x2'],
          ['Pizza', '拉面'],
          ['كباب', '١٢'],
        ] as const) {
          const read = readDrawnText(bitsOf(drawColumnsRow(left, right, bold, paper)));
          expect(read?.columns).toBe(true);
          expect(read?.text.startsWith(left), `${left}|${right} at ${paper}`).toBe(true);
          expect(read?.text.endsWith(right)).toBe(true);
          expect(read?.text.slice(left.length, -right.length).trim()).toBe('');
          // One character a font A column, as the text layout would have it (ideographs take two).
          if (paper % 12 === 0 && !/[\u4e00-\u9fff]/u.test(left + right)) expect(read?.text.length).toBe(paper / 12);
        }
      }
    }
  });

  it('leaves a logo and a picture one dot off as images', () => {
    const logo = pngToRaster(
      makePngBase64(96, 30, (x, y) => (y < 24 && (x - 48) ** 2 + (y - 12) ** 2 < 100 ? BLACK : WHITE)),
      576,
    );
    expect(readDrawnText({ bytesPerRow: logo.bytesPerRow, rows: logo.heightDots, data: logo.data })).toBeUndefined();
    const text = bitsOf(drawTextLine('拉面', PLAIN));
    const data = text.data.slice();
    data[40] = (data[40] ?? 0) ^ 0x10;
    expect(readDrawnText({ ...text, data })).toBeUndefined();
  });

  it('reads letters with marks drawn over them: Hebrew points, Arabic vowel signs, Thai, accents', () => {
    const marked = ['שָׁלוֹם', 'שָׁלוֹם עֲלֵיכֶם', 'شَاوَرْمَا', 'مُحَمَّد', 'ผัดไทย', 'Zoë 拉面', 'e\u0301\u0323'];
    for (const style of [{}, { bold: true }, { size: 'double' as const }]) {
      for (const text of marked)
        expect(readBack(text, style)?.text, `${text} ${JSON.stringify(style)}`).toBe(text.normalize('NFC'));
    }
    expect(readBack('שָׁלוֹם', { underline: true })?.text).toBe('שָׁלוֹם');
  });

  it('bounds the dots a mark draws, as the search for marks assumes', () => {
    const font = PixelFont.shared();
    let most = 0;
    for (const [first, last] of MARK_RANGES) {
      for (let codePoint = first; codePoint <= last; codePoint++) {
        const ink = font.glyph(codePoint).overlay?.reduce((sum, dot) => sum + dot, 0) ?? 0;
        // Bold at normal width can add a dot beside each.
        most = Math.max(most, 2 * ink);
      }
    }
    expect(most).toBeLessThanOrEqual(MAX_MARK_DOTS);
  });

  it('never throws on random dots of a drawn line’s size', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 100; round++) {
      const bytesPerRow = 1 + Math.floor(random() * 40);
      const rows = random() < 0.5 ? 30 : 54;
      const density = random();
      const data = Uint8Array.from({ length: bytesPerRow * rows }, (_, i) =>
        i < bytesPerRow * (rows - 6) && random() < density ? Math.floor(random() * 256) : 0,
      );
      expect(() => readDrawnText({ bytesPerRow, rows, data })).not.toThrow();
    }
  });

  it('finds each glyph by the key the generated index holds for it (samples every block)', () => {
    const font = PixelFont.shared();
    for (const [first, last] of DRAWN_GLYPH_RANGES) {
      for (let codePoint = first; codePoint <= last; codePoint += 1 + Math.floor((last - first) / 24)) {
        const glyph = font.glyph(codePoint);
        if (!glyph.inFont || glyph.width === 0 || !glyph.dots.includes(1)) continue;
        const key = glyphKey(glyph.width, (row, col) => glyph.dots[row * glyph.width + col] ?? 0);
        expect(codePointsWithKey(key), codePoint.toString(16)).toContain(codePoint);
      }
    }
  });
});
