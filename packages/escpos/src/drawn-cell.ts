import { glyphKey } from './drawn-glyph-key.js';
import { PIXEL_FONT_HEIGHT } from './pixel-font.js';

/** How a line was drawn, as far as reading its cells is concerned. */
export interface DrawnStyle {
  bold: boolean;
  underline: boolean;
  invert: boolean;
  widthMultiplier: number;
  heightMultiplier: number;
}

/** Font-A text height in printer dots at normal height (16 font rows × 1.5). */
export const DRAWN_TEXT_DOTS = 24;

/** The dots of a `GS v 0` image as sent: rows of `bytesPerRow` bytes, most significant bit leftmost. */
export interface RasterBits {
  bytesPerRow: number;
  rows: number;
  data: Uint8Array;
}

/** A font dot the picture no longer shows (under the underline). */
export const UNKNOWN = 2;

/**
 * One drawn line's picture read in a given style: ink with white-on-black undone, and where each font
 * dot of a cell is printed at this size.
 */
export class DrawnLinePicture {
  readonly width: number;
  readonly textRows: number;
  readonly #bits: RasterBits;
  readonly #style: DrawnStyle;
  /** Columns of the white-on-black background (the drawn line's width); ink is flipped inside it. */
  readonly #invertedWidth: number;
  readonly #columnMaps = new Map<number, { last: number[]; span: number[] }>();
  readonly #rowFirst: number[] = [];

  constructor(bits: RasterBits, style: DrawnStyle, invertedWidth: number) {
    this.#bits = bits;
    this.#style = style;
    this.width = bits.bytesPerRow * 8;
    this.textRows = DRAWN_TEXT_DOTS * style.heightMultiplier;
    this.#invertedWidth = style.invert ? invertedWidth : 0;
    const lost = style.underline ? this.textRows - 2 : this.textRows;
    for (let row = 0; row < PIXEL_FONT_HEIGHT; row++) {
      let first = -1;
      for (let y = 0; y < this.textRows && first < 0; y++) {
        if (Math.floor((y * 2) / (3 * style.heightMultiplier)) === row && y < lost) first = y;
      }
      this.#rowFirst.push(first);
    }
  }

  get style(): DrawnStyle {
    return this.#style;
  }

  /** The raw dot as sent. */
  raw(x: number, y: number): number {
    if (x < 0 || y < 0 || x >= this.width || y >= this.#bits.rows) return 0;
    return ((this.#bits.data[y * this.#bits.bytesPerRow + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1;
  }

  /** The dot as the text drew it, before white-on-black. */
  ink(x: number, y: number): number {
    const dot = this.raw(x, y);
    return x < this.#invertedWidth && y < this.textRows ? dot ^ 1 : dot;
  }

  /** Dots wide a cell of a `fontWidth`-dot glyph is printed. */
  cellWidth(fontWidth: number): number {
    return ((fontWidth * 3) / 2) * this.#style.widthMultiplier;
  }

  /** Whether the `width` columns from `x` hold no text ink (a space); rule rows and bold spill aside. */
  blank(x: number, width: number): boolean {
    const lost = this.#style.underline ? this.textRows - 2 : this.textRows;
    for (let col = x + (this.#style.bold ? 1 : 0); col < x + width; col++) {
      for (let y = 0; y < lost; y++) if (this.ink(col, y) === 1) return false;
    }
    return true;
  }

  #columns(fontWidth: number): { last: number[]; span: number[] } {
    let map = this.#columnMaps.get(fontWidth);
    if (map === undefined) {
      const last: number[] = new Array(fontWidth).fill(0);
      const span: number[] = new Array(fontWidth).fill(0);
      for (let x = 0; x < this.cellWidth(fontWidth); x++) {
        const col = Math.floor((x * 2) / (3 * this.#style.widthMultiplier));
        last[col] = x;
        span[col] = (span[col] ?? 0) + 1;
      }
      map = { last, span };
      this.#columnMaps.set(fontWidth, map);
    }
    return map;
  }

  /**
   * The font dots of the cell at `x` as printed: each column read at its last printer dot, so that at
   * normal width a one-dot column shows bold's spill from its left neighbour (see {@link expected}).
   */
  readCell(x: number, fontWidth: number): Uint8Array {
    const { last } = this.#columns(fontWidth);
    const grid = new Uint8Array(fontWidth * PIXEL_FONT_HEIGHT);
    for (let row = 0; row < PIXEL_FONT_HEIGHT; row++) {
      const y = this.#rowFirst[row] ?? -1;
      for (let col = 0; col < fontWidth; col++) {
        grid[row * fontWidth + col] = y < 0 ? UNKNOWN : this.ink(x + (last[col] ?? 0), y);
      }
    }
    return grid;
  }

  /** What {@link readCell} shows for a glyph of these font dots. */
  expected(dots: Uint8Array, fontWidth: number): Uint8Array {
    const { span } = this.#columns(fontWidth);
    const grid = new Uint8Array(fontWidth * PIXEL_FONT_HEIGHT);
    for (let row = 0; row < PIXEL_FONT_HEIGHT; row++) {
      for (let col = 0; col < fontWidth; col++) {
        const spill = this.#style.bold && col > 0 && span[col] === 1 ? (dots[row * fontWidth + col - 1] ?? 0) : 0;
        grid[row * fontWidth + col] = (dots[row * fontWidth + col] ?? 0) | spill;
      }
    }
    return grid;
  }

  /** Whether a cell read with {@link readCell} is a glyph of these font dots. */
  matches(cell: Uint8Array, dots: Uint8Array, fontWidth: number): boolean {
    const want = this.expected(dots, fontWidth);
    for (let i = 0; i < cell.length; i++) if (cell[i] !== UNKNOWN && cell[i] !== want[i]) return false;
    return true;
  }
}

/** The key of a cell read with {@link DrawnLinePicture.readCell}, to compare with the glyphs' keys. */
export function cellKey(cell: Uint8Array, fontWidth: number): number {
  return glyphKey(fontWidth, (row, col) => cell[row * fontWidth + col] ?? 0);
}
