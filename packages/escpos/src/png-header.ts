import { TicketImageError } from './ticket-image-error.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Signature (8 bytes), then the IHDR chunk: length (4), type (4), width (4), height (4). */
const HEADER_BYTES = 24;

/** Base64 characters that carry the first `HEADER_BYTES` bytes. */
const HEADER_BASE64_CHARS = Math.ceil(HEADER_BYTES / 3) * 4;

/** Declared dimensions of a PNG, from its header alone. */
export interface PngSize {
  width: number;
  height: number;
}

/**
 * The width and height a PNG declares in its IHDR chunk, read from the first 24 bytes without
 * decoding anything: the decoder allocates by these numbers, so they are what a limit must look at.
 *
 * @throws TicketImageError (`invalid`) when the bytes do not start like a PNG or declare a zero size.
 */
export function readPngSize(png: Uint8Array): PngSize {
  const isPng =
    png.length >= HEADER_BYTES &&
    PNG_SIGNATURE.every((byte, i) => png[i] === byte) &&
    String.fromCharCode(...png.subarray(12, 16)) === 'IHDR';
  if (!isPng) throw new TicketImageError('invalid', 'image is not a PNG file');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const size = { width: view.getUint32(16), height: view.getUint32(20) };
  if (size.width === 0 || size.height === 0) {
    throw new TicketImageError('invalid', `image size ${size.width}x${size.height} is not valid`);
  }
  return size;
}

/** `readPngSize` of a base64 PNG, decoding only the characters that hold the header. */
export function readPngSizeBase64(pngBase64: string): PngSize {
  return readPngSize(Buffer.from(pngBase64.slice(0, HEADER_BASE64_CHARS), 'base64'));
}

/** Bytes that `pngBase64` decodes to (padding aside), without decoding it. */
export function base64ByteLength(pngBase64: string): number {
  const padding = pngBase64.endsWith('==') ? 2 : pngBase64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((pngBase64.length * 3) / 4) - padding);
}
