import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(data.length, 0);
  header.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([header.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([header, data, crc]);
}

function ihdr(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 8; // bit depth
  data[9] = 0; // greyscale
  return chunk('IHDR', data);
}

const cache = new Map<string, string>();

/**
 * A real 8-bit greyscale PNG of vertical stripes, base64: small on the wire (it compresses well) but
 * width × height pixels to decode, like a photo would be.
 */
export function stripedPngBase64(width: number, height: number): string {
  const key = `${width}x${height}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const stride = width + 1;
  const row = Buffer.alloc(stride);
  for (let x = 0; x < width; x++) row[x + 1] = x % 16 < 8 ? 0 : 255;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) row.copy(raw, y * stride);
  const png = Buffer.concat([
    SIGNATURE,
    ihdr(width, height),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
  const base64 = png.toString('base64');
  cache.set(key, base64);
  return base64;
}

/**
 * A PNG whose header declares width × height but whose data is one empty row: decoding it would fail
 * as truncated, so a refusal for its size proves the header was read and nothing was decoded.
 */
export function declaredPngBase64(width: number, height: number): string {
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height),
    chunk('IDAT', deflateSync(Buffer.alloc(1))),
    chunk('IEND', new Uint8Array(0)),
  ]).toString('base64');
}

/** Bytes that do not compress: a PNG of noise is about as large as its pixels. */
export function noisePngBase64(width: number, height: number, seed = 1): string {
  const stride = width + 1;
  const raw = Buffer.alloc(stride * height);
  let state = seed;
  for (let i = 0; i < raw.length; i++) {
    // xorshift: deterministic noise, so the test's sizes do not change between runs.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    raw[i] = i % stride === 0 ? 0 : state & 0xff;
  }
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]).toString('base64');
}
