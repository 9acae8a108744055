import { ControlCode } from './control-code.js';
import type { QrCorrection } from './paper-codes.js';

const { ESC, GS } = ControlCode;

/**
 * How codes and lines look on paper: what commands set that the decoder reads as having no visible
 * effect of their own (`GS h`, `GS w`, `GS H`, QR size and error correction, `ESC 2`/`ESC 3`).
 * Defaults are Epson's after `ESC @`.
 */
export interface PreviewSettings {
  barcodeHeight: number;
  barcodeModule: number;
  hriBelow: boolean;
  qrModule: number;
  qrCorrection: QrCorrection;
  /** Feed of one line, in dots. */
  lineSpacing: number;
}

export function defaultPreviewSettings(): PreviewSettings {
  return { barcodeHeight: 162, barcodeModule: 3, hriBelow: false, qrModule: 3, qrCorrection: 'L', lineSpacing: 30 };
}

const CORRECTIONS: readonly QrCorrection[] = ['L', 'M', 'Q', 'H'];

/**
 * Applies the setting the command at `raw[0…]` makes, if it is one of those; `raw` holds the command's
 * bytes as the decoder delimited them.
 */
export function applyPreviewSetting(settings: PreviewSettings, raw: Uint8Array): void {
  const [first, second, third = 0] = raw;
  if (first === GS && second === 0x68 && third > 0) settings.barcodeHeight = third;
  else if (first === GS && second === 0x77 && third >= 1 && third <= 6) settings.barcodeModule = third;
  else if (first === GS && second === 0x48) settings.hriBelow = (third & 0x0f) === 2 || (third & 0x0f) === 3;
  else if (first === ESC && second === 0x32) settings.lineSpacing = 30;
  else if (first === ESC && second === 0x33) settings.lineSpacing = third;
  else if (first === GS && second === 0x28 && third === 0x6b && raw[5] === 49) {
    const value = raw[7] ?? 0;
    if (raw[6] === 67 && value >= 1 && value <= 16) settings.qrModule = value;
    if (raw[6] === 69 && value >= 48 && value <= 51) settings.qrCorrection = CORRECTIONS[value - 48] ?? 'L';
  }
}
