// pngjs ships no type declarations; this covers the synchronous calls the encoder and the preview use.
declare module 'pngjs' {
  /** A decoded image: `data` is RGBA, 8 bits per channel, rows top to bottom. */
  export interface DecodedPng {
    width: number;
    height: number;
    data: Uint8Array;
  }
  /** What to write: `data` holds one value per dot for `inputColorType` 0 (greyscale). */
  export interface WritablePng {
    width: number;
    height: number;
    data: Uint8Array;
  }
  export interface WriteOptions {
    /** 0 greyscale, 2 RGB, 4 greyscale with alpha, 6 RGBA. */
    colorType: 0 | 2 | 4 | 6;
    inputColorType: 0 | 2 | 4 | 6;
    inputHasAlpha: boolean;
    bitDepth: 8 | 16;
    /** Row filter: 0 none; -1 (default) tries each per row. */
    filterType?: -1 | 0 | 1 | 2 | 3 | 4;
  }
  export const PNG: {
    sync: {
      read(buffer: Uint8Array): DecodedPng;
      write(png: WritablePng, options: WriteOptions): Uint8Array;
    };
  };
}
