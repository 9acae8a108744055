import { MonoBitmap } from './mono-bitmap.js';

/** Pictures wider than the paper are cut at its edge, as the printer's head ends there. */
interface Bounds {
  maxWidth: number;
  maxHeight: number;
}

function bitAt(data: Uint8Array, index: number, bit: number): boolean {
  return ((data[index] ?? 0) & (0x80 >> bit)) !== 0;
}

/**
 * A raster picture: rows of `bytesPerRow` bytes, most significant bit leftmost, each dot drawn
 * `scaleX` × `scaleY` (`GS v 0` with m doubling). Data missing at the end of the stream is paper.
 */
export function rasterPicture(
  data: Uint8Array,
  bytesPerRow: number,
  rows: number,
  scale: { x: number; y: number },
  bounds: Bounds,
): MonoBitmap {
  const width = Math.min(bytesPerRow * 8 * scale.x, bounds.maxWidth);
  const height = Math.min(rows * scale.y, bounds.maxHeight);
  const picture = new MonoBitmap(Math.max(width, 1), height);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / scale.y);
    for (let x = 0; x < width; x++) {
      const col = Math.floor(x / scale.x);
      if (bitAt(data, row * bytesPerRow + (col >> 3), col & 7)) picture.set(x, y);
    }
  }
  return picture;
}

/**
 * One `ESC *` band: `columns` columns of 1 byte (8-dot modes) or 3 bytes (24-dot modes), most
 * significant bit at the top; single-density modes (m 0 and 32) print each column twice as wide.
 */
export function bandPicture(data: Uint8Array, m: number, columns: number, bounds: Bounds): MonoBitmap {
  const bytesPerColumn = m >= 32 ? 3 : 1;
  const scaleX = m === 0 || m === 32 ? 2 : 1;
  const height = bytesPerColumn * 8;
  const width = Math.min(columns * scaleX, bounds.maxWidth);
  const picture = new MonoBitmap(Math.max(width, 1), height);
  for (let x = 0; x < width; x++) {
    const col = Math.floor(x / scaleX);
    for (let y = 0; y < height; y++) {
      if (bitAt(data, col * bytesPerColumn + (y >> 3), y & 7)) picture.set(x, y);
    }
  }
  return picture;
}
