import { describe, expect, it } from 'vitest';
import { hexBoxGlyph } from './hex-box-glyph.js';
import type { MonoBitmap } from './mono-bitmap.js';
import { PixelFont } from './pixel-font.js';
import { measureTextDots, rasterizeTextLine, wrapTextToDots } from './text-raster.js';

const NORMAL = { bold: false, widthMultiplier: 1, heightMultiplier: 1 };

/** The dots of columns [from, from + width) as rows of `#` and `.`, for comparing pictures. */
function slice(picture: MonoBitmap, from: number, width: number): string {
  const rows: string[] = [];
  for (let y = 0; y < picture.height; y++) {
    let row = '';
    for (let x = from; x < from + width; x++) row += picture.get(x, y) ? '#' : '.';
    rows.push(row);
  }
  return rows.join('\n');
}

function alone(char: string): string {
  const picture = rasterizeTextLine(char, NORMAL);
  return slice(picture, 0, picture.width);
}

describe('rasterizeTextLine', () => {
  it('draws font A sized cells: 12 × 24 dots per character, 24 wide for CJK', () => {
    expect(rasterizeTextLine('Ab', NORMAL).width).toBe(24);
    expect(rasterizeTextLine('拉面', NORMAL).width).toBe(48);
    expect(rasterizeTextLine('Ab', NORMAL).height).toBe(24);
    expect(rasterizeTextLine('Ab', { bold: false, widthMultiplier: 2, heightMultiplier: 2 })).toMatchObject({
      width: 48,
      height: 48,
    });
  });

  it('puts right-to-left text right to left: the first Hebrew letter is rightmost', () => {
    const line = rasterizeTextLine('אב', NORMAL);
    expect(slice(line, 12, 12)).toBe(alone('א'));
    expect(slice(line, 0, 12)).toBe(alone('ב'));
  });

  it('keeps a left-to-right run inside right-to-left text in its own order', () => {
    const line = rasterizeTextLine('א 12', NORMAL);
    // Visual order: "12 א" — the number reads left to right, the Hebrew letter is last on the right.
    expect(slice(line, 0, 12)).toBe(alone('1'));
    expect(slice(line, 12, 12)).toBe(alone('2'));
    expect(slice(line, 36, 12)).toBe(alone('א'));
  });

  it('joins Arabic letters in their contextual forms', () => {
    const line = rasterizeTextLine('شا', NORMAL);
    // Sheen takes its initial form (U+FEB7) and alef its final form (U+FE8E), drawn right to left.
    expect(slice(line, 12, 12)).toBe(alone('\uFEB7'));
    expect(slice(line, 0, 12)).toBe(alone('\uFE8E'));
    expect(alone('\uFEB7')).not.toBe(alone('ش'));
  });

  it('lays a combining mark over its letter, as the precomposed character', () => {
    expect(alone('e\u0301')).toBe(alone('é'));
  });

  it('draws each spacing character of a cluster in its own cell, an emoji sequence as its first', () => {
    // Thai sara am follows its consonant (and the consonant's tone mark) in one grapheme cluster.
    const thai = rasterizeTextLine('น้ำ', NORMAL);
    expect(thai.width).toBe(24);
    expect(slice(thai, 12, 12)).toBe(alone('ำ'));
    expect(slice(thai, 0, 12)).not.toBe(alone('น'));
    expect(rasterizeTextLine('🇫🇷', NORMAL).width).toBe(24);
    expect(rasterizeTextLine('👨‍👩‍👧', NORMAL).width).toBe(24);
  });

  it('reads a Thai dish back whole, sara am included', async () => {
    const { decodeEscPos } = await import('./decode-esc-pos.js');
    const { encodeTicket } = await import('./encode-ticket.js');
    expect(decodeEscPos(encodeTicket({ blocks: [{ type: 'text', text: 'ต้มยำกุ้ง' }] }))[0]?.text).toBe('ต้มยำกุ้ง');
  });

  it('draws a character the font lacks as a box with its code point, never as ?', () => {
    expect(PixelFont.shared().glyph(0x1f35c)).toMatchObject({ inFont: false, width: 16 });
    expect(PixelFont.shared().glyph(0x1f35c).dots).toEqual(hexBoxGlyph(0x1f35c));
    expect(alone('🍜')).not.toBe(alone('?'));
    expect(rasterizeTextLine('🍜', NORMAL).width).toBe(24);
  });

  it('emboldens by adding each dot’s right neighbour', () => {
    const plain = rasterizeTextLine('l', NORMAL);
    const bold = rasterizeTextLine('l', { ...NORMAL, bold: true });
    let plainInk = 0;
    let boldInk = 0;
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 12; x++) {
        plainInk += plain.get(x, y);
        boldInk += bold.get(x, y);
      }
    }
    expect(boldInk).toBeGreaterThan(plainInk);
  });
});

describe('wrapTextToDots', () => {
  it('breaks at spaces within the width, and inside a word only when the word alone is wider', () => {
    expect(wrapTextToDots('拉面 拉面 拉面', 120, NORMAL)).toEqual(['拉面 拉面', '拉面']);
    expect(wrapTextToDots('拉面拉面拉面', 96, NORMAL)).toEqual(['拉面拉面', '拉面']);
    expect(measureTextDots('拉面 拉面', NORMAL)).toBe(108);
  });
});
