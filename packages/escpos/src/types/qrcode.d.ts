// Covers the one call the preview makes; @types/qrcode would bring the browser and stream API too.
declare module 'qrcode' {
  export interface QrSymbol {
    modules: { size: number; get(row: number, col: number): number | boolean };
  }
  export function create(
    segments: { data: Uint8Array; mode: 'byte' }[],
    options: { errorCorrectionLevel: 'L' | 'M' | 'Q' | 'H' },
  ): QrSymbol;
  const qrcode: { create: typeof create };
  export default qrcode;
}
