import { ControlCode } from './control-code.js';
import type { TextAlign } from './text-style.js';

const { ESC, GS, LF } = ControlCode;

const ALIGN_CODE: Readonly<Record<TextAlign, number>> = { left: 0, center: 1, right: 2 };

function bytes(...parts: (number | Uint8Array)[]): Uint8Array {
  const length = parts.reduce<number>((sum, part) => sum + (typeof part === 'number' ? 1 : part.length), 0);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    if (typeof part === 'number') {
      out[offset++] = part;
    } else {
      out.set(part, offset);
      offset += part.length;
    }
  }
  return out;
}

function lowHigh(value: number): [number, number] {
  return [value & 0xff, (value >> 8) & 0xff];
}

/** QR Code function header: `GS ( k pL pH cn=49` followed by `fn` and its parameters. */
function qrFunction(fn: number, ...params: (number | Uint8Array)[]): Uint8Array {
  const body = bytes(49, fn, ...params);
  return bytes(GS, 0x28, 0x6b, ...lowHigh(body.length), body);
}

/**
 * Builders for the ESC/POS commands the encoder emits, byte values per the Epson ESC/POS reference.
 * Each returns a fresh array; numeric arguments are expected to be in the documented range.
 */
export const escPosCommand = {
  /** `ESC @`: reset modes and clear the print buffer. */
  initialize: (): Uint8Array => bytes(ESC, 0x40),
  /** `ESC t n`: character code table (0 PC437, 19 PC858, 46 WPC1251, …; see `code-page.ts`). */
  selectCodeTable: (table: number): Uint8Array => bytes(ESC, 0x74, table),
  /** `ESC R n`: international character set; 0 is U.S.A. */
  selectInternationalCharacterSet: (set: number): Uint8Array => bytes(ESC, 0x52, set),
  /** `GS W nL nH`: print area width in dots (horizontal motion units, 1 dot on 203 dpi printers). */
  printAreaWidth: (dots: number): Uint8Array => bytes(GS, 0x57, ...lowHigh(dots)),
  /** `ESC E n`: emphasized (bold). */
  bold: (on: boolean): Uint8Array => bytes(ESC, 0x45, on ? 1 : 0),
  /** `ESC - n`: one-dot underline. */
  underline: (on: boolean): Uint8Array => bytes(ESC, 0x2d, on ? 1 : 0),
  /** `GS B n`: white/black reverse. */
  invert: (on: boolean): Uint8Array => bytes(GS, 0x42, on ? 1 : 0),
  /** `ESC a n`: justification; only takes effect at the beginning of a line. */
  align: (align: TextAlign): Uint8Array => bytes(ESC, 0x61, ALIGN_CODE[align]),
  /** `GS ! n`: character width and height magnification, 1–8 each. */
  characterSize: (width: number, height: number): Uint8Array => bytes(GS, 0x21, ((width - 1) << 4) | (height - 1)),
  /** `LF`: print the line buffer and feed one line. */
  lineFeed: (): Uint8Array => bytes(LF),
  /** `ESC d n`: print the line buffer and feed `n` lines. */
  feedLines: (lines: number): Uint8Array => bytes(ESC, 0x64, lines),
  /**
   * `GS V 65 0` (full) / `GS V 66 0` (partial): feed to the cutting position, then cut, so the last
   * printed line is never cut through.
   */
  cut: (partial: boolean): Uint8Array => bytes(GS, 0x56, partial ? 66 : 65, 0),
  /** `ESC p m t1 t2`: drawer kick pulse on connector pin 2 (m = 0) or 5 (m = 1), 50 ms on, 500 ms off. */
  drawerKick: (pin: 2 | 5): Uint8Array => bytes(ESC, 0x70, pin === 5 ? 1 : 0, 25, 250),
  /** `GS h n`: bar code height in dots. */
  barcodeHeight: (dots: number): Uint8Array => bytes(GS, 0x68, dots),
  /** `GS w n`: bar code module width in dots. */
  barcodeModuleWidth: (dots: number): Uint8Array => bytes(GS, 0x77, dots),
  /** `GS H n`: human-readable text position, 0 none, 2 below. */
  barcodeTextPosition: (below: boolean): Uint8Array => bytes(GS, 0x48, below ? 2 : 0),
  /** `GS f n`: human-readable text in font A. */
  barcodeTextFontA: (): Uint8Array => bytes(GS, 0x66, 0),
  /** `GS k m n d1…dn`: print a bar code (function B, length-prefixed data). */
  barcode: (m: number, data: Uint8Array): Uint8Array => bytes(GS, 0x6b, m, data.length, data),
  /** `GS ( k … 49 65 50 0`: QR Code model 2. */
  qrModel2: (): Uint8Array => qrFunction(65, 50, 0),
  /** `GS ( k … 49 67 n`: QR module size in dots. */
  qrModuleSize: (dots: number): Uint8Array => qrFunction(67, dots),
  /** `GS ( k … 49 69 49`: QR error correction level M (15 %). */
  qrErrorCorrectionM: (): Uint8Array => qrFunction(69, 49),
  /** `GS ( k … 49 80 48 d…`: store QR data in the symbol storage area. */
  qrStore: (data: Uint8Array): Uint8Array => qrFunction(80, 48, data),
  /** `GS ( k … 49 81 48`: print the stored QR symbol. */
  qrPrint: (): Uint8Array => qrFunction(81, 48),
  /** `GS v 0 0 xL xH yL yH d…`: print a raster bit image at normal density. */
  rasterImage: (bytesPerRow: number, heightDots: number, data: Uint8Array): Uint8Array =>
    bytes(GS, 0x76, 0x30, 0, ...lowHigh(bytesPerRow), ...lowHigh(heightDots), data),
} as const;
