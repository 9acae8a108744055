import { createRequire } from 'node:module';
import type { ArabicShaper as ArabicShaperType } from 'arabic-persian-reshaper';
import { MonoBitmap } from './mono-bitmap.js';
import { PIXEL_FONT_HEIGHT, PixelFont, type PixelGlyph } from './pixel-font.js';
import { bidi, reorderByLevels } from './reorder-by-levels.js';

/** How text is drawn: font dots become 1.5 printer dots, so a character is 12 × 24 like font A. */
export interface TextRasterStyle {
  bold: boolean;
  /** `GS !` magnification, 1–8. */
  widthMultiplier: number;
  heightMultiplier: number;
}

/** Printer dots per pixel-font dot, times two: 8 × 16 font cells become font A's 12 × 24. */
const SCALE_TWICE = 3;

// A CommonJS module whose type declarations describe it as ESM; required, it is what it says.
const require = createRequire(import.meta.url);

// Built on first use, not at import: the segmenter (ICU's break data, 70–80 ms) and the shaper are
// needed only for a line no code page covers, and the gateway imports this module at every start.
let arabicShaper: typeof ArabicShaperType | undefined;
let graphemeSegmenter: Intl.Segmenter | undefined;
function shapeArabic(text: string): string {
  arabicShaper ??= (require('arabic-persian-reshaper') as { ArabicShaper: typeof ArabicShaperType }).ArabicShaper;
  return arabicShaper.convertArabic(text);
}
function graphemes(): Intl.Segmenter {
  graphemeSegmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return graphemeSegmenter;
}
const ARABIC = /[\u0600-\u06FF\u0750-\u077F]/u;
/** Format characters (joiners, variation selectors, direction marks) take no room and draw nothing. */
const INVISIBLE = /^(?:\p{Cf}|\p{Variation_Selector})$/u;

/** One cluster of a line as it is drawn: a base glyph with the marks over it. */
interface DrawnCluster {
  glyph: PixelGlyph;
  overlays: Uint8Array[];
}

/** Emoji sequences and flags: one picture of several characters, drawn as their first. */
const EMOJI_SEQUENCE = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;

/**
 * How one grapheme cluster is drawn: each spacing character in a cell of its own with the marks
 * that follow it laid over it (a Thai consonant, its tone mark, then sara am in the next cell); an
 * emoji sequence or flag shows its first character only, since the font has no picture of the whole.
 */
function clusterCells(text: string, rightToLeft: boolean): DrawnCluster[] {
  const font = PixelFont.shared();
  const cells: DrawnCluster[] = [];
  const firstOnly = EMOJI_SEQUENCE.test(text);
  let current: DrawnCluster | undefined;
  let overlays: Uint8Array[] = [];
  for (const char of text) {
    if (INVISIBLE.test(char)) continue;
    const mirrored = rightToLeft ? bidi().getMirroredCharacter(char) : null;
    const glyph = font.glyph((mirrored ?? char).codePointAt(0) ?? 0x20);
    if (glyph.overlay !== undefined) {
      (current?.overlays ?? overlays).push(glyph.overlay);
    } else if (!firstOnly || current === undefined) {
      current = { glyph, overlays };
      overlays = [];
      cells.push(current);
    }
  }
  // Marks with no letter before them (a line starting with one) sit over a space.
  if (cells.length === 0 && overlays.length > 0) cells.push({ glyph: font.glyph(0x20), overlays });
  return cells;
}

/**
 * The clusters of one line in the order they appear on paper: Arabic joined into its contextual
 * forms, then the Unicode bidirectional algorithm's levels applied (rule L2: from the highest level
 * down to the lowest odd one, every run at that level or above is reversed), with mirrored brackets
 * in right-to-left runs.
 */
function visualClusters(line: string): DrawnCluster[] {
  const shaped = ARABIC.test(line) ? shapeArabic(line.normalize('NFC')) : line.normalize('NFC');
  const { levels } = bidi().getEmbeddingLevels(shaped);
  const parts = [...graphemes().segment(shaped)].map(({ segment, index }) => ({ segment, level: levels[index] ?? 0 }));
  reorderByLevels(parts);
  return parts.flatMap((part) => clusterCells(part.segment, part.level % 2 === 1));
}

/** Width in printer dots of a glyph `width` font dots wide. */
function scaledWidth(width: number, style: TextRasterStyle): number {
  return Math.round((width * SCALE_TWICE) / 2) * style.widthMultiplier;
}

/** How many dots wide `line` prints in `style`. */
export function measureTextDots(line: string, style: TextRasterStyle): number {
  return visualClusters(line).reduce((sum, drawn) => sum + scaledWidth(drawn.glyph.width, style), 0);
}

/**
 * Breaks `text` into lines of at most `maxDots`: at spaces where it can, inside a word where a word
 * alone is wider. Lines are broken in logical order, before reordering, as the bidirectional
 * algorithm requires.
 */
export function wrapTextToDots(text: string, maxDots: number, style: TextRasterStyle): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (measureTextDots(candidate, style) <= maxDots) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      line = '';
      for (const { segment } of graphemes().segment(word)) {
        if (line !== '' && measureTextDots(line + segment, style) > maxDots) {
          lines.push(line);
          line = '';
        }
        line += segment;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Draws one line of text as a printer would print it in font A at `style`, in any script the pixel
 * font covers, right-to-left where the text is. The picture is as wide as the text and
 * 24 × `heightMultiplier` dots tall; bold adds each dot's right neighbour, as printers embolden.
 */
export function rasterizeTextLine(line: string, style: TextRasterStyle): MonoBitmap {
  const clusters = visualClusters(line);
  const width = clusters.reduce((sum, drawn) => sum + scaledWidth(drawn.glyph.width, style), 0);
  const height = ((PIXEL_FONT_HEIGHT * SCALE_TWICE) / 2) * style.heightMultiplier;
  const picture = new MonoBitmap(Math.max(width, 1), height);
  let left = 0;
  for (const { glyph, overlays } of clusters) {
    const cellWidth = scaledWidth(glyph.width, style);
    const overlayLeft = glyph.width > 8 ? 4 : 0;
    for (let y = 0; y < height; y++) {
      const sourceRow = Math.floor((y * 2) / (SCALE_TWICE * style.heightMultiplier));
      for (let x = 0; x < cellWidth; x++) {
        const sourceCol = Math.floor((x * 2) / (SCALE_TWICE * style.widthMultiplier));
        let ink = glyph.dots[sourceRow * glyph.width + sourceCol] === 1;
        const overlayCol = sourceCol - overlayLeft;
        if (!ink && overlayCol >= 0 && overlayCol < 8) {
          ink = overlays.some((overlay) => overlay[sourceRow * 8 + overlayCol] === 1);
        }
        if (ink) {
          picture.set(left + x, y);
          if (style.bold) picture.set(left + x + 1, y);
        }
      }
    }
    left += cellWidth;
  }
  return picture;
}
