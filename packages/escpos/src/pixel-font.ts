import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Font, PathCommand, parse } from 'opentype.js';
import { HEX_BOX_SIZE, hexBoxGlyph } from './hex-box-glyph.js';

/** One character of the pixel font: `width` × `height` dots, one byte per dot (1 ink), rows top to bottom. */
export interface PixelGlyph {
  /** 8 for most characters, 16 for wide ones (CJK, the hex box); 0 for a combining mark. */
  width: number;
  height: number;
  dots: Uint8Array;
  /**
   * For a combining mark (width 0): its dots, 8 wide, to be laid over the character before it.
   */
  overlay?: Uint8Array;
  /** False when the font has no glyph and this is the hex box of the code point. */
  inFont: boolean;
}

/** The font's cell height in dots: GNU Unifont draws every glyph on a 16-dot-high grid. */
export const PIXEL_FONT_HEIGHT = 16;
const HALF_WIDTH = 8;

/** An edge of an outline, in font units. */
interface Edge {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Every outline segment as a straight edge: the font is drawn in whole dots, so its curves are degenerate. */
function outlineEdges(commands: readonly PathCommand[]): Edge[] {
  const edges: Edge[] = [];
  let startX = 0;
  let startY = 0;
  let x = 0;
  let y = 0;
  for (const command of commands) {
    if (command.type === 'M') {
      startX = command.x;
      startY = command.y;
    } else if (command.type === 'Z') {
      edges.push({ x0: x, y0: y, x1: startX, y1: startY });
      x = startX;
      y = startY;
      continue;
    } else {
      edges.push({ x0: x, y0: y, x1: command.x, y1: command.y });
    }
    x = command.x;
    y = command.y;
  }
  return edges;
}

/** Non-zero winding rule: whether (x, y) is inside the outline. */
function inside(edges: readonly Edge[], x: number, y: number): boolean {
  let winding = 0;
  for (const { x0, y0, x1, y1 } of edges) {
    if (y0 === y1) continue;
    const cross = (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0);
    if (y0 <= y && y < y1 && cross > 0) winding++;
    else if (y1 <= y && y < y0 && cross < 0) winding--;
  }
  return winding !== 0;
}

/**
 * GNU Unifont (shipped in `@fontsource/unifont`, SIL OFL 1.1), read from its WOFF outlines and turned
 * back into the dots it was drawn with. It covers the whole Basic Multilingual Plane: Latin, Greek,
 * Cyrillic, Hebrew, Arabic with its presentation forms, CJK. Characters it lacks (most emoji, outside
 * that plane) come back as a box showing the code point, never as `?`.
 *
 * Loading parses about 3 MB of font (0.7 s on the 2-core reference host), so it happens once per
 * thread, on first use; glyphs are rasterised once each and kept.
 */
export class PixelFont {
  static #shared: PixelFont | undefined;
  readonly #font: Font;
  readonly #dotUnits: number;
  readonly #glyphs = new Map<number, PixelGlyph>();

  private constructor(font: Font) {
    this.#font = font;
    this.#dotUnits = font.unitsPerEm / PIXEL_FONT_HEIGHT;
  }

  /** The font, loaded on first call and shared within the thread. */
  static shared(): PixelFont {
    if (PixelFont.#shared === undefined) {
      const require = createRequire(import.meta.url);
      // Required here, not imported: the parser is only needed once text is drawn (in a render thread).
      const opentype = require('opentype.js') as { parse: typeof parse };
      const file = require.resolve('@fontsource/unifont/files/unifont-latin-400-normal.woff');
      const bytes = readFileSync(file);
      const font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      PixelFont.#shared = new PixelFont(font);
    }
    return PixelFont.#shared;
  }

  /** The dots of one code point. */
  glyph(codePoint: number): PixelGlyph {
    let glyph = this.#glyphs.get(codePoint);
    if (glyph === undefined) {
      glyph = this.#rasterise(codePoint);
      this.#glyphs.set(codePoint, glyph);
    }
    return glyph;
  }

  #rasterise(codePoint: number): PixelGlyph {
    const source = this.#font.charToGlyph(String.fromCodePoint(codePoint));
    if (source.index === 0) {
      return { width: HEX_BOX_SIZE, height: HEX_BOX_SIZE, dots: hexBoxGlyph(codePoint), inFont: false };
    }
    const edges = outlineEdges(source.path.commands);
    const advance = Math.round((source.advanceWidth ?? 0) / this.#dotUnits);
    if (advance === 0) {
      // A combining mark: Unifont draws some to the left of the pen (over the previous character) and
      // some to the right; either way it belongs over the character before it.
      const left = edges.some((edge) => edge.x0 < 0 || edge.x1 < 0) ? -HALF_WIDTH : 0;
      const overlay = this.#sample(edges, left, HALF_WIDTH);
      return { width: 0, height: PIXEL_FONT_HEIGHT, dots: new Uint8Array(0), overlay, inFont: true };
    }
    return { width: advance, height: PIXEL_FONT_HEIGHT, dots: this.#sample(edges, 0, advance), inFont: true };
  }

  /** Samples the outline at the centre of each dot of a `width`-dot cell starting `left` dots from the pen. */
  #sample(edges: readonly Edge[], left: number, width: number): Uint8Array {
    const unit = this.#dotUnits;
    const dots = new Uint8Array(width * PIXEL_FONT_HEIGHT);
    for (let row = 0; row < PIXEL_FONT_HEIGHT; row++) {
      const y = this.#font.ascender - (row + 0.5) * unit;
      for (let col = 0; col < width; col++) {
        if (inside(edges, (left + col + 0.5) * unit, y)) dots[row * width + col] = 1;
      }
    }
    return dots;
  }
}
