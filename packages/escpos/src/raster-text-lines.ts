import { escPosCommand } from './escpos-command.js';
import type { EscPosWriter } from './escpos-writer.js';
import { MonoBitmap } from './mono-bitmap.js';
import { measureTextDots, rasterizeTextLine, type TextRasterStyle, wrapTextToDots } from './text-raster.js';
import { sizeMultipliers, type TextStyle } from './text-style.js';

/** A bold underline is as thick as the printer's 2-dot underline (`ESC - 2`); 1 otherwise is too faint to see. */
const UNDERLINE_DOTS = 2;

function rasterStyle(style: TextStyle): TextRasterStyle {
  const { width, height } = sizeMultipliers(style.size);
  return { bold: style.bold, widthMultiplier: width, heightMultiplier: height };
}

/** Adds what `GS B` and `ESC -` would do to printed text: black behind it, a rule under it. */
function decorate(line: MonoBitmap, style: TextStyle): MonoBitmap {
  if (!style.invert && !style.underline) return line;
  const out = new MonoBitmap(line.width, line.height);
  if (style.invert) out.fill(0, 0, line.width, line.height);
  for (let y = 0; y < line.height; y++) {
    for (let x = 0; x < line.width; x++) {
      if (line.get(x, y) === 1) out.set(x, y, style.invert ? 0 : 1);
    }
  }
  if (style.underline && !style.invert) out.fill(0, line.height - UNDERLINE_DOTS, line.width, UNDERLINE_DOTS);
  return out;
}

/**
 * Paper under a drawn line, so that drawn lines are as far apart as printed ones: the default line
 * spacing is 30 dots and font A is 24 tall. Without it a line of Arabic touches the next.
 */
const LINE_GAP_DOTS = 6;

/**
 * The `GS v 0` raster data a drawn line is sent as: the line with the paper gap under it. The decoder's
 * drawn-text reader compares what it read with this, so both sides share one definition.
 */
export function drawnLineRaster(line: MonoBitmap): { bytesPerRow: number; heightDots: number; data: Uint8Array } {
  const picture = new MonoBitmap(line.width, line.height + LINE_GAP_DOTS);
  picture.draw(line, 0, 0);
  return picture.toRaster();
}

function writePicture(writer: EscPosWriter, line: MonoBitmap): void {
  const raster = drawnLineRaster(line);
  writer.command(escPosCommand.rasterImage(raster.bytesPerRow, raster.heightDots, raster.data));
}

/** One line of text as it is drawn in `style`: bold, size, white-on-black and underline included. */
export function drawTextLine(line: string, style: TextStyle): MonoBitmap {
  return decorate(rasterizeTextLine(line, rasterStyle(style)), style);
}

/**
 * Prints text that no code page of the printer holds (Arabic, Hebrew, CJK, emoji) as raster images
 * of the text, one per printed line, wrapped at the paper width and aligned with `ESC a` like
 * text. Each image is as wide as its line, so a right-to-left line keeps its alignment.
 */
export function writeRasterText(writer: EscPosWriter, text: string, style: TextStyle, paperDots: number): void {
  writer.setStyle({ ...style, bold: false, underline: false, invert: false, size: 'normal' });
  const draw = rasterStyle(style);
  for (const line of wrapTextToDots(text, paperDots, draw)) {
    if (line.trim() === '') {
      writer.printLine('');
      continue;
    }
    writePicture(writer, drawTextLine(line, style));
  }
}

/**
 * A columns row with text no code page holds, drawn whole: the right side flush right and kept
 * intact, the left side cut where it would run into it (as the text layout truncates it).
 */
export function writeRasterColumns(
  writer: EscPosWriter,
  left: string,
  right: string,
  bold: boolean,
  paperDots: number,
): void {
  writer.setStyle({ bold: false, align: 'left' });
  writePicture(writer, drawColumnsRow(left, right, bold, paperDots));
}

/** The picture of a columns row {@link writeRasterColumns} prints, `paperDots` wide. */
export function drawColumnsRow(left: string, right: string, bold: boolean, paperDots: number): MonoBitmap {
  const draw: TextRasterStyle = { bold, widthMultiplier: 1, heightMultiplier: 1 };
  const rightPicture = rasterizeTextLine(right, draw);
  const gap = measureTextDots(' ', draw);
  const leftRoom = Math.max(0, paperDots - rightPicture.width - gap);
  const leftPicture = rasterizeTextLine(left, draw);
  const row = new MonoBitmap(paperDots, rightPicture.height);
  for (let y = 0; y < leftPicture.height; y++) {
    for (let x = 0; x < Math.min(leftRoom, leftPicture.width); x++) if (leftPicture.get(x, y)) row.set(x, y);
  }
  row.draw(rightPicture, paperDots - rightPicture.width, 0);
  return row;
}
