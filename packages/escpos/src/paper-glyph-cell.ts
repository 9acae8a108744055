import { MonoBitmap } from './mono-bitmap.js';
import { PixelFont } from './pixel-font.js';
import type { PrinterState } from './printer-state.js';

/** Printers underline with 1 or 2 dots; 2 reads better on a screen preview. */
const UNDERLINE_DOTS = 2;
const cells = new Map<string, MonoBitmap>();
/** Distinct styled characters kept; a ticket uses a few dozen, a hostile stream may not. */
const MAX_CELLS = 4096;

/**
 * One printed character as a `width` × `height` cell: the pixel font's glyph scaled to the cell, with
 * the printer's bold (each dot's right neighbour added), underline and white-on-black.
 */
export function glyphCell(
  char: string,
  width: number,
  height: number,
  style: Pick<PrinterState, 'bold' | 'underline' | 'invert'>,
): MonoBitmap {
  const key = `${char}|${width}|${height}|${style.bold ? 1 : 0}${style.underline ? 1 : 0}${style.invert ? 1 : 0}`;
  const cached = cells.get(key);
  if (cached !== undefined) return cached;
  const glyph = PixelFont.shared().glyph(char.codePointAt(0) ?? 0x20);
  const source = glyph.width === 0 ? { width: 8, dots: glyph.overlay ?? new Uint8Array(0) } : glyph;
  const cell = new MonoBitmap(width, height);
  const ink = style.invert ? 0 : 1;
  if (style.invert) cell.fill(0, 0, width, height);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * glyph.height) / height);
    for (let x = 0; x < width; x++) {
      const col = Math.floor((x * source.width) / width);
      if (source.dots[row * source.width + col] === 1) {
        cell.set(x, y, ink);
        if (style.bold && x + 1 < width) cell.set(x + 1, y, ink);
      }
    }
  }
  if (style.underline && !style.invert) cell.fill(0, height - UNDERLINE_DOTS, width, UNDERLINE_DOTS);
  if (cells.size >= MAX_CELLS) cells.clear();
  cells.set(key, cell);
  return cell;
}
