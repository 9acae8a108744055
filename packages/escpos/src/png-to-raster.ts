import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { readPngSize } from './png-header.js';
import { TicketImageError } from './ticket-image-error.js';

/** A 1-bit image in ESC/POS raster order: rows top to bottom, 8 dots per byte, MSB leftmost, 1 = black. */
export interface MonochromeRaster {
  /** Width in dots, always a multiple of 8 (the last byte of a row is padded with white). */
  widthDots: number;
  heightDots: number;
  bytesPerRow: number;
  data: Uint8Array;
}

/** Chunks start after the 8-byte signature. */
const FIRST_CHUNK_OFFSET = 8;

/**
 * The most pixels any caller may allow. Decoding holds the inflated rows (up to 8 bytes a pixel, 16-bit
 * RGBA), the RGBA result (4) and the luminance (4): about 256 MB at this size. A small, highly
 * compressed PNG can declare huge dimensions, so the header is checked before anything is decoded.
 */
export const MAX_SOURCE_PIXELS = 16_000_000;

/** `GS v 0` carries the height in two bytes. */
const MAX_HEIGHT_DOTS = 0xffff;

/** Samples per pixel of each PNG colour type (grey, RGB, palette, grey + alpha, RGBA). */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Walks the chunk list up to IEND and inflates the image data once, to exactly the size the header
 * promises. pngjs fills a truncated image with zeros and lets a broken zlib stream through (a blank
 * or black block on paper), so completeness is checked here: a file without IEND, image data that
 * is not one whole zlib stream, or one that inflates to another size is `invalid`.
 */
function assertComplete(png: Uint8Array): void {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const idat: Uint8Array[] = [];
  let offset = FIRST_CHUNK_OFFSET;
  let ended = false;
  while (offset + 12 <= png.length) {
    const dataLength = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + dataLength);
    offset += 12 + dataLength;
    if (offset > png.length) break;
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ended) throw new TicketImageError('invalid', 'image is a truncated PNG file');
  // IHDR (checked by readPngSize): width, height, bit depth, colour type, …, interlace.
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitsPerPixel = (png[24] ?? 8) * (CHANNELS[png[25] ?? 0] ?? 4);
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8) + 1;
  const interlaced = png[28] === 1;
  // Adam7 splits the image into seven passes, each row with its own filter byte: at most 7 more a row.
  const expected = rowBytes * height;
  const most = interlaced ? expected + 7 * height : expected;
  let inflated: Buffer;
  try {
    inflated = inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(1, most) });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new TicketImageError('invalid', `image data is not a whole zlib stream: ${why}`);
  }
  if (interlaced ? inflated.length > most : inflated.length !== expected) {
    throw new TicketImageError(
      'invalid',
      `image data inflates to ${inflated.length} bytes where its header promises ${expected}`,
    );
  }
}

/** Luminance 0–255 per pixel with alpha composited over white paper (Rec. 601 weights). */
function toLuminance(image: { width: number; height: number; data: Uint8Array }): Float32Array {
  const luminance = new Float32Array(image.width * image.height);
  for (let i = 0; i < luminance.length; i++) {
    const r = image.data[i * 4] ?? 255;
    const g = image.data[i * 4 + 1] ?? 255;
    const b = image.data[i * 4 + 2] ?? 255;
    const alpha = (image.data[i * 4 + 3] ?? 255) / 255;
    const gray = 0.299 * r + 0.587 * g + 0.114 * b;
    luminance[i] = gray * alpha + 255 * (1 - alpha);
  }
  return luminance;
}

/**
 * Decodes a base64 PNG into a monochrome raster for `GS v 0`.
 *
 * Transparent pixels count as white paper; a pixel is black when its luminance is below 50 %.
 * Images wider than `maxWidthDots` (the paper's printable width) are scaled down, keeping the aspect
 * ratio, by averaging the source pixels each dot covers (a box filter, so thin lines survive better
 * than with nearest-neighbour sampling). Narrower images keep their size.
 *
 * `maxPixels` (at most `MAX_SOURCE_PIXELS`) bounds the declared width × height; it is checked from the
 * header, before decoding.
 *
 * @throws TicketImageError (a RangeError): `invalid` when the data is not a decodable PNG,
 * `image-too-large` when it declares more than `maxPixels` or would print taller than `GS v 0` allows.
 */
export function pngToRaster(
  pngBase64: string,
  maxWidthDots: number,
  maxPixels: number = MAX_SOURCE_PIXELS,
): MonochromeRaster {
  const png = Buffer.from(pngBase64, 'base64');
  const size = readPngSize(png);
  const pixels = size.width * size.height;
  const limit = Math.min(maxPixels, MAX_SOURCE_PIXELS);
  if (pixels > limit) {
    throw new TicketImageError(
      'image-too-large',
      `image size ${size.width}x${size.height} is not supported (more than ${limit} pixels)`,
      { width: size.width, height: size.height, pixels, maxImagePixels: limit },
    );
  }
  assertComplete(png);
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = PNG.sync.read(png);
  } catch (error) {
    throw new TicketImageError(
      'invalid',
      `image is not a valid PNG: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const luminance = toLuminance(decoded);

  const width = Math.min(decoded.width, Math.max(8, Math.floor(maxWidthDots)));
  const scale = decoded.width / width;
  const height = Math.max(1, Math.round(decoded.height / scale));
  if (height > MAX_HEIGHT_DOTS) {
    throw new TicketImageError('image-too-large', `image is too tall (${height} dots once scaled)`, {
      heightDots: height,
      maxHeightDots: MAX_HEIGHT_DOTS,
    });
  }

  const bytesPerRow = Math.ceil(width / 8);
  const data = new Uint8Array(bytesPerRow * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * scale);
    const y1 = Math.min(decoded.height, Math.max(y0 + 1, Math.floor((y + 1) * scale)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * scale);
      const x1 = Math.min(decoded.width, Math.max(x0 + 1, Math.floor((x + 1) * scale)));
      let sum = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) sum += luminance[sy * decoded.width + sx] ?? 255;
      }
      if (sum / ((y1 - y0) * (x1 - x0)) < 128) {
        const index = y * bytesPerRow + (x >> 3);
        data[index] = (data[index] ?? 0) | (0x80 >> (x & 7));
      }
    }
  }
  return { widthDots: bytesPerRow * 8, heightDots: height, bytesPerRow, data };
}
