import { cellKey, type DrawnLinePicture } from './drawn-cell.js';
import { codePointsWithKey } from './drawn-glyph-table.js';
import { markedGlyphAt } from './drawn-marks.js';
import { PixelFont } from './pixel-font.js';
import { readHexBox } from './read-hex-box.js';

/** How much work reading one picture may still do, shared by the styles it is tried in. */
export interface DrawnReadBudget {
  /** Cells looked up (about a microsecond each). */
  lookups: number;
  /** Cells searched for a letter with marks over it (about a millisecond each). */
  markSearches: number;
}

/** A stretch of a drawn line, left to right: a character cell, a blank cell (a space), or blank dots off the cell grid. */
export type DrawnCell =
  /** `codePoints`: the characters drawn so (look-alikes), best first; `marks`: combining marks drawn over it. */
  | { kind: 'glyph'; x: number; width: number; codePoints: readonly number[]; marks: string }
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
 * `budget` bounds the cells looked up, and those searched for marks (the costly part), so that no
 * picture costs more than some milliseconds.
 */
export function splitDrawnCells(picture: DrawnLinePicture, budget: DrawnReadBudget): DrawnCell[] | undefined {
  const font = PixelFont.shared();
  const half = picture.cellWidth(HALF);
  const failed = new Set<string>();
  const lookups = new Map<string, { codePoints: readonly number[]; marks: string }>();

  /** The glyph at `x`: a character of the font or a hex box, or (`withMarks`) a letter with marks over it. */
  const glyphsAt = (
    x: number,
    fontWidth: number,
    withMarks: boolean,
  ): { codePoints: readonly number[]; marks: string } => {
    const id = `${x}/${fontWidth}/${withMarks}`;
    let found = lookups.get(id);
    if (found === undefined) {
      found = { codePoints: [], marks: '' };
      if (budget.lookups-- <= 0) {
        // Out of budget: no more cells are read, so the picture stays an image.
      } else if (!withMarks) {
        const cell = picture.readCell(x, fontWidth);
        const plain = codePointsWithKey(cellKey(cell, fontWidth)).filter((codePoint) => {
          const glyph = font.glyph(codePoint);
          return glyph.width === fontWidth && picture.matches(cell, glyph.dots, fontWidth);
        });
        const box = plain.length === 0 && fontWidth === FULL ? readHexBox(picture, x) : undefined;
        if (plain.length > 0) found = { codePoints: plain, marks: '' };
        else if (box !== undefined) found = { codePoints: [box], marks: '' };
      } else if (budget.markSearches-- > 0) {
        found = markedGlyphAt(picture, x, fontWidth) ?? found;
      }
      lookups.set(id, found);
    }
    return found;
  };

  const then = (cell: DrawnCell, rest: DrawnCell[] | undefined): DrawnCell[] | undefined =>
    rest === undefined ? undefined : [cell, ...rest];

  const from = (x: number, shifted: boolean, afterSpace: boolean): DrawnCell[] | undefined => {
    const remaining = picture.width - x;
    if (remaining < PADDING_DOTS && picture.blank(x, remaining)) return [];
    const id = `${x}/${shifted}/${afterSpace}`;
    if (failed.has(id)) return undefined;
    // Tried in order, each only if those before lead nowhere: a wide cell is looked up only then.
    const attempts: (() => DrawnCell[] | undefined)[] = [];
    if (x + half <= picture.width && picture.blank(x, half)) {
      attempts.push(() => then({ kind: 'space', x, width: half }, from(x + half, shifted, true)));
    } else {
      // Plain characters of either width first: looking for marks is the slow part.
      for (const [fontWidth, withMarks] of [
        [HALF, false],
        [FULL, false],
        [HALF, true],
        [FULL, true],
      ] as const) {
        attempts.push(() => {
          const width = picture.cellWidth(fontWidth);
          if (x + width > picture.width) return undefined;
          const { codePoints, marks } = glyphsAt(x, fontWidth, withMarks);
          if (codePoints.length === 0) return undefined;
          return then({ kind: 'glyph', x, width, codePoints, marks }, from(x + width, shifted, false));
        });
      }
    }
    if (!shifted && afterSpace) {
      for (let dots = 1; dots < half && x + dots <= picture.width && picture.blank(x, dots); dots++) {
        attempts.push(() => then({ kind: 'shift', x, width: dots }, from(x + dots, true, false)));
      }
    }
    for (const attempt of attempts) {
      const cells = attempt();
      if (cells !== undefined) return cells;
    }
    failed.add(id);
    return undefined;
  };

  return from(0, false, false);
}
