import { inflateSync } from 'node:zlib';

/** A ticket preview read back: one value per dot, true for ink. */
export interface PreviewPicture {
  width: number;
  height: number;
  ink(x: number, y: number): boolean;
  /** Dots of ink in rows [top, bottom). */
  inkIn(top: number, bottom: number): number;
}

/**
 * Reads the greyscale PNG the gateway draws for a preview (8 bits, no row filters), from its chunks:
 * enough to check what is on the paper without a PNG library in the server's tests.
 */
export function readPreviewPng(png: Uint8Array): PreviewPicture {
  const buf = Buffer.from(png);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 0) throw new Error('not an 8-bit greyscale PNG');
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(idat));
  const stride = width + 1;
  for (let y = 0; y < height; y++) if (rows[y * stride] !== 0) throw new Error(`row ${y} is filtered`);
  const ink = (x: number, y: number) => (rows[y * stride + 1 + x] ?? 255) < 128;
  return {
    width,
    height,
    ink,
    inkIn(top, bottom) {
      let count = 0;
      for (let y = top; y < Math.min(bottom, height); y++) for (let x = 0; x < width; x++) if (ink(x, y)) count++;
      return count;
    },
  };
}
