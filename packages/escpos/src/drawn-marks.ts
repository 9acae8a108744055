import { cellKey, type DrawnLinePicture, UNKNOWN } from './drawn-cell.js';
import { codePointsWithKey } from './drawn-glyph-table.js';
import { PIXEL_FONT_HEIGHT, PixelFont } from './pixel-font.js';

/** Combining marks the reader looks for over a letter: Latin, Cyrillic, Hebrew points, Arabic vowel signs, Thai. */
export const MARK_RANGES: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x0483, 0x0487],
  [0x0591, 0x05c7],
  [0x0610, 0x061a],
  [0x064b, 0x065f],
  [0x0670, 0x0670],
  [0x06d6, 0x06ed],
  [0x0e31, 0x0e31],
  [0x0e34, 0x0e3a],
  [0x0e47, 0x0e4e],
];

/** Dots of the largest mark at normal width, read as in a cell: no mark draws more (checked by a test). */
export const MAX_MARK_DOTS = 32;

/** How many dots of `cell` `letter` lacks. */
function lacking(cell: Uint8Array, letter: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < cell.length; i++) if (cell[i] === 1 && letter[i] === 0) count++;
  return count;
}

/** A cell with more candidate marks than this is no letter with marks (a logo, or noise). */
const MAX_CANDIDATES = 80;

let markOverlays: { codePoint: number; overlay: Uint8Array }[] | undefined;

/** The marks' dots (8 wide), rasterised on first need: about 240 glyphs. */
function marks(): { codePoint: number; overlay: Uint8Array }[] {
  if (markOverlays === undefined) {
    const font = PixelFont.shared();
    markOverlays = [];
    for (const [first, last] of MARK_RANGES) {
      for (let codePoint = first; codePoint <= last; codePoint++) {
        const { overlay } = font.glyph(codePoint);
        if (overlay?.includes(1)) markOverlays.push({ codePoint, overlay });
      }
    }
  }
  return markOverlays;
}

/** A mark laid over a `fontWidth` cell as the rasteriser lays it: over the middle of a wide glyph. */
function placed(overlay: Uint8Array, fontWidth: number): Uint8Array {
  const dots = new Uint8Array(fontWidth * PIXEL_FONT_HEIGHT);
  const left = fontWidth > 8 ? 4 : 0;
  for (let row = 0; row < PIXEL_FONT_HEIGHT; row++) {
    for (let col = 0; col < 8; col++) dots[row * fontWidth + left + col] = overlay[row * 8 + col] ?? 0;
  }
  return dots;
}

function covers(cell: Uint8Array, shown: Uint8Array): boolean {
  for (let i = 0; i < cell.length; i++) if (shown[i] === 1 && cell[i] === 0) return false;
  return true;
}

/** Letters that take marks, tried one by one when a mark's dots fall on the letter's own. */
const MARKED_LETTER_RANGES: readonly (readonly [number, number])[] = [
  [0x0041, 0x005a],
  [0x0061, 0x007a],
  [0x0391, 0x03c9],
  [0x0410, 0x044f],
  [0x05d0, 0x05ea],
  [0x0e01, 0x0e2e],
  [0xfb50, 0xfbff],
  [0xfe70, 0xfefc],
];

/** Which marks go with which letters, so that a look-alike mark of another script is not chosen. */
function family(codePoint: number): string {
  if (codePoint >= 0x0590 && codePoint <= 0x05ff) return 'hebrew';
  if (codePoint >= 0x0e00 && codePoint <= 0x0e7f) return 'thai';
  if ((codePoint >= 0x0600 && codePoint <= 0x077f) || (codePoint >= 0xfb50 && codePoint <= 0xfeff)) return 'arabic';
  return 'latin';
}

type Mark = { codePoint: number; dots: Uint8Array };

/**
 * Dots as a picture shows them depend only on bold and the width multiplier: marks and letters are
 * worked out once for each, not once per picture (a logo is tried in many styles).
 */
const asShown = new Map<string, { marks: Mark[]; letters: Map<number, Uint8Array | undefined> }>();

function shownIn(picture: DrawnLinePicture, fontWidth: number) {
  const key = `${picture.style.bold}/${picture.style.widthMultiplier}/${fontWidth}`;
  let shown = asShown.get(key);
  if (shown === undefined) {
    const marksShown = marks().map((mark) => ({
      codePoint: mark.codePoint,
      dots: picture.expected(placed(mark.overlay, fontWidth), fontWidth),
    }));
    shown = { marks: marksShown, letters: new Map() };
    asShown.set(key, shown);
  }
  return shown;
}

/** A letter's dots as this picture would show them, if it is `fontWidth` wide. */
function letterAsShown(picture: DrawnLinePicture, fontWidth: number, codePoint: number): Uint8Array | undefined {
  const { letters } = shownIn(picture, fontWidth);
  if (!letters.has(codePoint)) {
    const glyph = PixelFont.shared().glyph(codePoint);
    letters.set(codePoint, glyph.width === fontWidth ? picture.expected(glyph.dots, fontWidth) : undefined);
  }
  return letters.get(codePoint);
}
type Reading = { codePoints: number[]; marks: Mark[] };

function union(marks: readonly Mark[], length: number): Uint8Array {
  const dots = new Uint8Array(length);
  for (const mark of marks) for (let i = 0; i < length; i++) dots[i] = (dots[i] ?? 0) | (mark.dots[i] ?? 0);
  return dots;
}

/** Whether `letter` with `over` laid on it shows exactly `cell` (a dot under the underline may be anything). */
function gives(cell: Uint8Array, letter: Uint8Array, over: Uint8Array): boolean {
  for (let i = 0; i < cell.length; i++) {
    if (cell[i] !== UNKNOWN && cell[i] !== ((letter[i] ?? 0) | (over[i] ?? 0))) return false;
  }
  return true;
}

/** The one or two of `shown` that laid over `letter` give `cell`: each pair's first mark has the first dot the letter lacks. */
function marksOver(cell: Uint8Array, letter: Uint8Array, shown: readonly Mark[], codePoint: number): Reading[] {
  const missing = (over: Uint8Array): number => {
    for (let i = 0; i < cell.length; i++) if (cell[i] === 1 && letter[i] === 0 && over[i] !== 1) return i;
    return -1;
  };
  const none = new Uint8Array(cell.length);
  const first = missing(none);
  if (first < 0) return [];
  const found: Reading[] = [];
  for (const mark of shown) {
    if (mark.dots[first] !== 1) continue;
    if (gives(cell, letter, mark.dots)) found.push({ codePoints: [codePoint], marks: [mark] });
    const second = missing(mark.dots);
    if (second < 0) continue;
    for (const other of shown) {
      if (other.codePoint <= mark.codePoint && other.dots[first] === 1) continue;
      if (other.dots[second] !== 1) continue;
      const both = union([mark, other], cell.length);
      if (gives(cell, letter, both))
        found.push({ codePoints: [codePoint], marks: [mark, other].sort((a, b) => a.codePoint - b.codePoint) });
    }
  }
  return found;
}

/**
 * A letter with one or two combining marks drawn over it (Hebrew points, Arabic vowel signs, Thai
 * vowels and tones, accents without a precomposed character), read from the cell at `x`. One mark:
 * its dots are taken away and the rest looked up as any letter of the index. Otherwise (two marks,
 * or a mark whose dots fall on the letter's own, as a qamats under a shin) each letter of the scripts
 * that take marks is tried with the marks that add what it lacks. Either way the letter with its
 * marks drawn again must give the cell. Of several readings, the one with fewer marks, then with
 * marks of the letter's script, wins. Returns the letter's candidates and the marks, in code point
 * order.
 */
export function markedGlyphAt(
  picture: DrawnLinePicture,
  x: number,
  fontWidth: number,
): { codePoints: number[]; marks: string } | undefined {
  const cell = picture.readCell(x, fontWidth);
  const shown = shownIn(picture, fontWidth).marks.filter((mark) => covers(cell, mark.dots));
  if (shown.length === 0 || shown.length > MAX_CANDIDATES) return undefined;
  const letterDots = (codePoint: number): Uint8Array | undefined => letterAsShown(picture, fontWidth, codePoint);
  // One mark over any letter the index holds; a letter of a marked script with one or two marks below.
  const readings: Reading[] = [];
  for (const mark of shown) {
    const rest = cell.map((dot, i) => (mark.dots[i] === 1 && dot !== UNKNOWN ? 0 : dot));
    const codePoints = codePointsWithKey(cellKey(rest, fontWidth)).filter((codePoint) => {
      const letter = letterDots(codePoint);
      return letter !== undefined && gives(cell, letter, mark.dots);
    });
    if (codePoints.length > 0) readings.push({ codePoints, marks: [mark] });
  }
  const fits = (reading: Reading): boolean =>
    reading.marks.every((mark) => family(mark.codePoint) === family(reading.codePoints[0] ?? 0));
  if (!readings.some(fits) && fontWidth === 8) {
    for (const [first, last] of MARKED_LETTER_RANGES) {
      for (let codePoint = first; codePoint <= last; codePoint++) {
        const letter = letterDots(codePoint);
        if (letter === undefined || !covers(cell, letter) || lacking(cell, letter) > 2 * MAX_MARK_DOTS) continue;
        readings.push(...marksOver(cell, letter, shown, codePoint));
      }
    }
  }
  const score = (reading: Reading): number => reading.marks.length * 2 - (fits(reading) ? 1 : 0);
  const best = readings.reduce<Reading | undefined>(
    (a, b) => (a === undefined || score(b) < score(a) ? b : a),
    undefined,
  );
  if (best === undefined) return undefined;
  return { codePoints: best.codePoints, marks: String.fromCodePoint(...best.marks.map((mark) => mark.codePoint)) };
}
