import { cellKey, type DrawnLinePicture } from './drawn-cell.js';
import { codePointsWithKey } from './drawn-glyph-table.js';
import { PixelFont } from './pixel-font.js';
import { readHexBox } from './read-hex-box.js';

/** A stretch of a drawn line, left to right: a character cell, a blank cell (a space), or blank dots off the cell grid. */
export type DrawnCell =
  | { kind: 'glyph'; x: number; width: number; codePoints: readonly number[] }
  | { kind: 'space'; x: number; width: number }
  | { kind: 'shift'; x: number; width: number };

const HALF = 8;
const FULL = 16;
/** `GS v 0` rows are whole bytes: up to 7 blank dots after the drawing. */
const PADDING_DOTS = 8;

/**
 * Cuts a drawn line's picture into cells, left to right. Every character is drawn in a cell 12 or 24
 * dots wide (times the width multiplier) starting where the previous one ends, so cells are found by
 * trying both widths at each position and keeping a split where every cell is a glyph of the font (or
 * a hex box, or blank), backtracking where a guess leads nowhere. Once, after a blank cell, the grid
 * may move by less than a cell: the right side of a columns row is flush with the paper's edge, which
 * need not be a whole number of cells away. Returns undefined when no split works (not drawn text).
 */
export function splitDrawnCells(picture: DrawnLinePicture): DrawnCell[] | undefined {
  const font = PixelFont.shared();
  const half = picture.cellWidth(HALF);
  const failed = new Set<string>();
  const lookups = new Map<string, readonly number[]>();

  const glyphsAt = (x: number, fontWidth: number): readonly number[] => {
    const id = `${x}/${fontWidth}`;
    let found = lookups.get(id);
    if (found === undefined) {
      const cell = picture.readCell(x, fontWidth);
      const box = fontWidth === FULL ? readHexBox(picture, x) : undefined;
      found =
        box !== undefined
          ? [box]
          : codePointsWithKey(cellKey(cell, fontWidth)).filter((codePoint) => {
              const glyph = font.glyph(codePoint);
              return glyph.width === fontWidth && picture.matches(cell, glyph.dots, fontWidth);
            });
      lookups.set(id, found);
    }
    return found;
  };

  const from = (x: number, shifted: boolean, afterSpace: boolean): DrawnCell[] | undefined => {
    const remaining = picture.width - x;
    if (remaining < PADDING_DOTS && picture.blank(x, remaining)) return [];
    const id = `${x}/${shifted}/${afterSpace}`;
    if (failed.has(id)) return undefined;
    const attempts: { cell: DrawnCell; next: () => DrawnCell[] | undefined }[] = [];
    if (x + half <= picture.width && picture.blank(x, half)) {
      attempts.push({ cell: { kind: 'space', x, width: half }, next: () => from(x + half, shifted, true) });
    } else {
      for (const fontWidth of [HALF, FULL]) {
        const width = picture.cellWidth(fontWidth);
        if (x + width > picture.width) continue;
        const codePoints = glyphsAt(x, fontWidth);
        if (codePoints.length === 0) continue;
        attempts.push({ cell: { kind: 'glyph', x, width, codePoints }, next: () => from(x + width, shifted, false) });
      }
    }
    if (!shifted && afterSpace) {
      for (let dots = 1; dots < half && x + dots <= picture.width && picture.blank(x, dots); dots++) {
        attempts.push({ cell: { kind: 'shift', x, width: dots }, next: () => from(x + dots, true, false) });
      }
    }
    for (const { cell, next } of attempts) {
      const rest = next();
      if (rest !== undefined) return [cell, ...rest];
    }
    failed.add(id);
    return undefined;
  };

  return from(0, false, false);
}
