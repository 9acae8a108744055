import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BLACK, makePngBase64, TRANSPARENT, WHITE } from '../test/make-png.js';
import { pngToRaster } from './png-to-raster.js';

describe('pngToRaster', () => {
  it('thresholds at 50 % luminance, MSB first, padding rows to whole bytes', () => {
    const shades = [0, 127, 128, 255, 60, 200, 10, 250, 0];
    const png = makePngBase64(shades.length, 1, (x) => {
      const v = shades[x] ?? 255;
      return [v, v, v, 255];
    });
    expect(pngToRaster(png, 576)).toEqual({
      widthDots: 16,
      heightDots: 1,
      bytesPerRow: 2,
      data: Uint8Array.of(0b1100_1010, 0b1000_0000),
    });
  });

  it('weights colours by luminance and composites transparency over white', () => {
    const colours = [
      [255, 0, 0, 255], // red: luminance 76, black
      [0, 255, 0, 255], // green: 150, white
      [0, 0, 255, 255], // blue: 29, black
      TRANSPARENT,
      [0, 0, 0, 100], // mostly transparent black: 155, white
      [0, 0, 0, 200], // mostly opaque black: 55, black
    ] as const;
    const png = makePngBase64(colours.length, 1, (x) => colours[x] ?? WHITE);
    expect(Array.from(pngToRaster(png, 576).data)).toEqual([0b1010_0100]);
  });

  it('scales down to the maximum width keeping the aspect ratio', () => {
    // Left half black, right half white, 4:1.
    const png = makePngBase64(1000, 250, (x) => (x < 500 ? BLACK : WHITE));
    const raster = pngToRaster(png, 384);
    expect(raster).toMatchObject({ widthDots: 384, heightDots: 96, bytesPerRow: 48 });
    const firstRow = Array.from(raster.data.subarray(0, 48));
    expect(firstRow).toEqual([...new Array<number>(24).fill(0xff), ...new Array<number>(24).fill(0)]);
  });

  it('rejects data that is not a PNG or a PNG that does not decode', () => {
    expect(() => pngToRaster('aGVsbG8=', 576)).toThrow(RangeError);
    const truncated = Buffer.from(
      makePngBase64(4, 4, () => BLACK),
      'base64',
    ).subarray(0, 40);
    expect(() => pngToRaster(truncated.toString('base64'), 576)).toThrow(RangeError);
  });

  it('rejects, every time, a PNG whose image data is not one whole zlib stream of the promised size', () => {
    const grey8x8 = (idat: Buffer) => pngWith(8, 8, idat);
    const good = grey8x8(deflateSync(Buffer.alloc(8 * 9)));
    const garbage = grey8x8(Buffer.from('not zlib at all'));
    const cut = grey8x8(deflateSync(Buffer.alloc(8 * 9)).subarray(0, 6));
    const short = grey8x8(deflateSync(Buffer.alloc(8 * 9 - 9)));
    for (let i = 0; i < 10; i++) {
      expect(() => pngToRaster(good, 576)).not.toThrow();
      for (const bad of [garbage, cut, short]) {
        expect(() => pngToRaster(bad, 576)).toThrow(expect.objectContaining({ problem: 'invalid' }));
      }
    }
  });

  it('rejects images with absurd declared dimensions before decoding them', () => {
    const png = Buffer.from(
      makePngBase64(1, 1, () => BLACK),
      'base64',
    );
    png.writeUInt32BE(100_000, 16);
    png.writeUInt32BE(100_000, 20);
    expect(() => pngToRaster(png.toString('base64'), 576)).toThrow(/not supported/);
  });

  it('refuses an image over the caller’s pixel limit before decoding it', () => {
    const png = Buffer.from(
      makePngBase64(1, 1, () => BLACK),
      'base64',
    );
    png.writeUInt32BE(2000, 16);
    png.writeUInt32BE(2001, 20);
    expect(() => pngToRaster(png.toString('base64'), 576, 4_000_000)).toThrow(
      expect.objectContaining({ problem: 'image-too-large', details: expect.objectContaining({ pixels: 4_002_000 }) }),
    );
  });

  it('refuses an image that would print taller than GS v 0 can say, as too large', () => {
    const png = makePngBase64(1, 70_000, () => BLACK);
    expect(() => pngToRaster(png, 576)).toThrow(
      expect.objectContaining({ problem: 'image-too-large', details: { heightDots: 70_000, maxHeightDots: 65_535 } }),
    );
  });
});

/** A greyscale 8-bit PNG of `width` × `height` with `idat` as its image data, written by hand. */
function pngWith(width: number, height: number, idat: Buffer): string {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]).toString(
    'base64',
  );
}
