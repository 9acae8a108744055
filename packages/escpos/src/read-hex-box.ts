import type { DrawnLinePicture } from './drawn-cell.js';
import { HEX_BOX_SIZE, HEX_DIGITS, hexBoxGlyph } from './hex-box-glyph.js';

const SIZE = HEX_BOX_SIZE;
/** Digits per row of the box for 4-, 5- and 6-digit code points (see hexBoxGlyph). */
const LAYOUTS: readonly (readonly [number, number])[] = [
  [2, 2],
  [3, 2],
  [3, 3],
];

function frameShows(cell: Uint8Array): boolean {
  for (let i = 0; i < SIZE; i++) {
    // 0 only: the bottom row may be under an underline.
    if (cell[i] === 0 || cell[i * SIZE] === 0 || cell[i * SIZE + SIZE - 1] === 0) return false;
  }
  return true;
}

/**
 * The digits that may be shown in the 3 × 5 slot whose top left font dot is (left, top): usually one,
 * more in bold at normal width, where a one-dot column takes in its left neighbour and (say) A and 0
 * print alike.
 */
function digitsAt(picture: DrawnLinePicture, cell: Uint8Array, left: number, top: number): string[] {
  const found: string[] = [];
  HEX_DIGITS.forEach((pattern, digit) => {
    // The digit alone in an otherwise blank box, read as this picture would show it (bold spill included).
    const dots = new Uint8Array(SIZE * SIZE);
    pattern.forEach((bits, y) => {
      for (let x = 0; x < 3; x++) if (bits & (4 >> x)) dots[(top + y) * SIZE + left + x] = 1;
    });
    const want = picture.expected(dots, SIZE);
    let same = true;
    for (let y = top; y < top + 5 && same; y++) {
      for (let x = left; x < left + 3 && same; x++) same = cell[y * SIZE + x] === want[y * SIZE + x];
    }
    if (same) found.push(digit.toString(16).toUpperCase());
  });
  return found;
}

/** Every hex string the slots of one layout may show, at most `limit`. */
function readings(picture: DrawnLinePicture, cell: Uint8Array, counts: readonly [number, number], limit: number) {
  let strings = [''];
  counts.forEach((count, row) => {
    const left = Math.floor((SIZE - (count * 4 - 1)) / 2);
    for (let i = 0; i < count; i++) {
      const digits = digitsAt(picture, cell, left + i * 4, row === 0 ? 2 : 9);
      strings = strings.flatMap((start) => digits.map((digit) => start + digit)).slice(0, limit);
    }
  });
  return strings;
}

/**
 * The code point shown by the hex box drawn for a character the font lacks (most emoji), when the
 * wide cell read at `x` is one; checked by drawing the box again. Where bold makes two code points
 * print alike, the lower one.
 */
export function readHexBox(picture: DrawnLinePicture, x: number): number | undefined {
  const cell = picture.readCell(x, SIZE);
  if (!frameShows(cell)) return undefined;
  for (const counts of LAYOUTS) {
    for (const hex of readings(picture, cell, counts, 64)) {
      const codePoint = Number.parseInt(hex, 16);
      if (codePoint > 0x10ffff || codePoint.toString(16).toUpperCase().padStart(4, '0') !== hex) continue;
      if (picture.matches(cell, hexBoxGlyph(codePoint), SIZE)) return codePoint;
    }
  }
  return undefined;
}
