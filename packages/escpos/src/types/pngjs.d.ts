// pngjs ships no type declarations; this covers the one synchronous call the encoder uses.
declare module 'pngjs' {
  /** A decoded image: `data` is RGBA, 8 bits per channel, rows top to bottom. */
  export interface DecodedPng {
    width: number;
    height: number;
    data: Uint8Array;
  }
  export const PNG: {
    sync: {
      read(buffer: Uint8Array): DecodedPng;
    };
  };
}
