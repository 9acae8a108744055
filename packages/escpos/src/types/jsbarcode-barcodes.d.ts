// jsbarcode ships no type declarations for its encoders; this covers the ones the preview draws.
declare module 'jsbarcode/bin/barcodes/index.js' {
  /** One run of modules: `data` is a string of `1` (bar) and `0` (space), one character per module. */
  export interface EncodedPart {
    data: string;
    text?: string;
  }
  export interface BarcodeEncoder {
    valid(): boolean;
    /** One part, or several (EAN/UPC guard bars and halves). */
    encode(): EncodedPart | EncodedPart[];
  }
  export type BarcodeEncoderClass = new (data: string, options: object) => BarcodeEncoder;
  const barcodes: { default: Readonly<Record<string, BarcodeEncoderClass>> };
  export default barcodes;
}
