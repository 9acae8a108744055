import { DRAWN_TEXT_DOTS, DrawnLinePicture, type DrawnStyle, type RasterBits } from './drawn-cell.js';
import { type DrawnCell, type DrawnReadBudget, splitDrawnCells } from './drawn-cells.js';
import { FONT_A_DOTS } from './printer-state.js';
import { drawColumnsRow, drawnLineRaster, drawTextLine } from './raster-text-lines.js';
import { sizeFromMultipliers } from './text-style.js';
import { chooseLookalikes, logicalReadings } from './visual-to-logical.js';

/** Width of a normal character cell. */
const DRAWN_CELL_DOTS = 12;
/** Blank rows the encoder puts under a drawn line (raster-text-lines.ts). */
const GAP_ROWS = 6;
/** Widest drawn line the reader looks at: 1024 dots, wider than any receipt printer's paper. */
export const MAX_DRAWN_LINE_BYTES_PER_ROW = 128;
/** The drawn line heights: normal and double height. */
export const DRAWN_LINE_ROWS: readonly number[] = [DRAWN_TEXT_DOTS + GAP_ROWS, 2 * DRAWN_TEXT_DOTS + GAP_ROWS];

/** The text a drawn line shows, as {@link readDrawnText} read it. */
export interface DrawnText {
  /**
   * In logical order. A columns row reads as its left text, spaces up to the font A column where its
   * right text starts on paper, and its right text.
   */
  text: string;
  style: DrawnStyle;
  /** Whether it was read as a columns row (two texts, the right one flush with the paper's edge). */
  columns: boolean;
}

function sameRaster(bits: RasterBits, drawn: ReturnType<typeof drawnLineRaster>): boolean {
  if (drawn.bytesPerRow !== bits.bytesPerRow || drawn.heightDots !== bits.rows) return false;
  for (let i = 0; i < drawn.data.length; i++) if (drawn.data[i] !== (bits.data[i] ?? 0)) return false;
  return true;
}

/** Dots in the text rows, and the last column that has any. */
function inkSummary(bits: RasterBits, textRows: number): { ink: number; lastColumn: number } {
  let ink = 0;
  let lastColumn = -1;
  for (let y = 0; y < textRows; y++) {
    for (let x = 0; x < bits.bytesPerRow * 8; x++) {
      if ((((bits.data[y * bits.bytesPerRow + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1) === 1) {
        ink++;
        lastColumn = Math.max(lastColumn, x);
      }
    }
  }
  return { ink, lastColumn };
}

/** Whether row `y` is inked from the left edge to `width` and blank after it, as an underline is. */
function ruled(picture: DrawnLinePicture, y: number, width: number): boolean {
  for (let x = 0; x < picture.width; x++) if (picture.raw(x, y) !== (x < width ? 1 : 0)) return false;
  return true;
}

/**
 * The styles worth trying, most likely first: what the picture suggests, then bold, then the other
 * width; for white on black, each width the black may have (its last columns can be a letter's ink,
 * paper now, as a hex box's frame is).
 */
function candidateStyles(bits: RasterBits, heightMultiplier: number): { style: DrawnStyle; inkWidth: number }[] {
  const textRows = DRAWN_TEXT_DOTS * heightMultiplier;
  const { ink, lastColumn } = inkSummary(bits, textRows);
  if (ink === 0) return [];
  // Letters cover well under half of their cells; white on black leaves well over half inked. Bold
  // hex boxes come close, so the other guess is tried too.
  const likelyInvert = ink > ((lastColumn + 1) * textRows) / 2;
  const probe = new DrawnLinePicture(bits, styleOf(false, false, false, 1, heightMultiplier), 0);
  const ruledUnder = ruled(probe, textRows - 1, lastColumn + 1) && ruled(probe, textRows - 2, lastColumn + 1);
  const styles: { style: DrawnStyle; inkWidth: number }[] = [];
  const ways = [true, false].flatMap((underline) =>
    [likelyInvert, !likelyInvert].map((invert) => ({ underline, invert })),
  );
  for (const { underline, invert } of ways.filter((way) => !way.underline || (ruledUnder && !way.invert))) {
    for (const widthMultiplier of heightMultiplier === 1 ? [1, 2] : [2, 1]) {
      for (const bold of [false, true]) {
        for (let inkWidth = lastColumn + 1; inkWidth <= (invert ? bits.bytesPerRow * 8 : lastColumn + 1); inkWidth++) {
          styles.push({ style: styleOf(bold, underline, invert, widthMultiplier, heightMultiplier), inkWidth });
        }
      }
    }
  }
  return styles;
}

function styleOf(bold: boolean, underline: boolean, invert: boolean, width: number, height: number): DrawnStyle {
  return { bold, underline, invert, widthMultiplier: width, heightMultiplier: height };
}

function visualChars(cells: readonly DrawnCell[]): string[] {
  const choices = cells.map((cell) => (cell.kind === 'glyph' ? cell.codePoints : []));
  return chooseLookalikes(choices).map((codePoint, i) => {
    const cell = cells[i];
    return String.fromCodePoint(codePoint) + (cell?.kind === 'glyph' ? cell.marks : '');
  });
}

/** Read as one line of text drawn by `drawTextLine`: the first logical reading that draws the same picture. */
function asLine(bits: RasterBits, cells: readonly DrawnCell[], style: DrawnStyle): string | undefined {
  if (cells.some((cell) => cell.kind === 'shift')) return undefined;
  const textStyle = {
    bold: style.bold,
    underline: style.underline,
    invert: style.invert,
    align: 'left' as const,
    size: sizeFromMultipliers(style.widthMultiplier, style.heightMultiplier),
  };
  return logicalReadings(visualChars(cells)).find((text) =>
    sameRaster(bits, drawnLineRaster(drawTextLine(text, textStyle))),
  );
}

/** The longest blank stretch between two characters, as [first cell, end cell) indices. */
function widestGap(cells: readonly DrawnCell[]): [number, number] | undefined {
  let best: [number, number] | undefined;
  let bestDots = 0;
  for (let start = 1; start < cells.length; start++) {
    if (cells[start]?.kind === 'glyph' || cells[start - 1]?.kind !== 'glyph') continue;
    let end = start;
    let dots = 0;
    while (end < cells.length && cells[end]?.kind !== 'glyph') dots += cells[end++]?.width ?? 0;
    if (end < cells.length && dots >= bestDots) [best, bestDots] = [[start, end], dots];
  }
  return best;
}

/** Read as a columns row drawn by `drawColumnsRow`: left text at the left edge, right text flush right. */
function asColumns(bits: RasterBits, cells: readonly DrawnCell[], style: DrawnStyle): string | undefined {
  const plain = !style.invert && !style.underline && style.widthMultiplier === 1 && style.heightMultiplier === 1;
  const gap = widestGap(cells);
  const last = cells.at(-1);
  if (!plain || gap === undefined || last === undefined) return undefined;
  const [start, end] = gap;
  const paperDots = last.x + last.width;
  const gapDots = cells.slice(start, end).reduce((sum, cell) => sum + cell.width, 0);
  for (const left of logicalReadings(visualChars(cells.slice(0, start)))) {
    for (const right of logicalReadings(visualChars(cells.slice(end)))) {
      if (sameRaster(bits, drawnLineRaster(drawColumnsRow(left, right, style.bold, paperDots)))) {
        return `${left}${' '.repeat(Math.max(1, Math.round(gapDots / FONT_A_DOTS)))}${right}`;
      }
    }
  }
  return undefined;
}

/**
 * The text of a `GS v 0` image when it is a line the encoder drew for text no code page holds
 * (raster-text-lines.ts), else undefined: a logo stays an image. The pixel font is exact, so the
 * picture is cut into character cells, each cell looked up by its dots, the visual order undone,
 * and the result accepted only if drawing it again gives the very same bytes. Reads normal and
 * double width and height, bold, underline, white on black, hex boxes (characters the font lacks)
 * and columns rows, and letters with one or two combining marks (Hebrew points, Arabic vowel signs,
 * Thai; see drawn-marks.ts).
 */
export function readDrawnText(bits: RasterBits): DrawnText | undefined {
  const heightMultiplier = DRAWN_LINE_ROWS.indexOf(bits.rows) + 1;
  const { bytesPerRow, rows, data } = bits;
  if (heightMultiplier === 0 || bytesPerRow < 1 || bytesPerRow > MAX_DRAWN_LINE_BYTES_PER_ROW) return undefined;
  if (data.length < bytesPerRow * rows) return undefined;
  for (let i = bytesPerRow * DRAWN_TEXT_DOTS * heightMultiplier; i < bytesPerRow * rows; i++) {
    if (data[i] !== 0) return undefined;
  }
  // A line takes a few lookups a cell in each style it is tried in, and at most one search for marks
  // per cell (and its wide neighbour), whatever style is tried first; noise gives up within as many.
  const cellCount = Math.ceil((bytesPerRow * 8) / DRAWN_CELL_DOTS);
  const budget: DrawnReadBudget = { lookups: 64 * cellCount + 256, markSearches: 2 * cellCount + 16 };
  for (const { style, inkWidth } of candidateStyles(bits, heightMultiplier)) {
    const cells = splitDrawnCells(new DrawnLinePicture(bits, style, inkWidth), budget);
    if (cells === undefined) continue;
    const gap = widestGap(cells);
    const gapCells = gap === undefined ? 0 : gap[1] - gap[0];
    // Two texts a wide gap apart are most likely a columns row; one space apart, one line.
    const columnsFirst = cells.some((cell) => cell.kind === 'shift') || gapCells >= 2;
    const readers = columnsFirst ? [asColumns, asLine] : [asLine, asColumns];
    for (const read of readers) {
      const text = read(bits, cells, style);
      if (text === undefined) continue;
      // A line of hex boxes alone has a full bottom row, as an underline: it is not one if the text
      // draws the same without.
      const plain = { ...style, underline: false };
      const underline = style.underline && !(read === asLine && asLine(bits, cells, plain) === text);
      return { text, style: { ...style, underline }, columns: read === asColumns };
    }
  }
  return undefined;
}
