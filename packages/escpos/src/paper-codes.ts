import { createRequire } from 'node:module';
import type { BarcodeEncoderClass, EncodedPart } from 'jsbarcode/bin/barcodes/index.js';
import type { create as createQr } from 'qrcode';
import { MonoBitmap } from './mono-bitmap.js';

const require = createRequire(import.meta.url);
// CommonJS modules, required so that their shapes are what the declarations say, and only when a
// preview draws a code: loading them takes 0.1-0.2 s that a gateway's start should not pay.
let encoders: Record<string, BarcodeEncoderClass> | undefined;
const barcodeEncoders = (): Record<string, BarcodeEncoderClass> =>
  (encoders ??= (require('jsbarcode/bin/barcodes/index.js') as { default: Record<string, BarcodeEncoderClass> })
    .default);
let qrModule: { create: typeof createQr } | undefined;
const qr = (): { create: typeof createQr } => (qrModule ??= require('qrcode') as { create: typeof createQr });

/** jsbarcode's encoder for each symbology name the decoder gives (`describeBarcode`). */
const ENCODER_NAMES: Readonly<Record<string, string>> = {
  code128: 'CODE128',
  'code128-auto': 'CODE128',
  'gs1-128': 'CODE128',
  code39: 'CODE39',
  ean13: 'EAN13',
  ean8: 'EAN8',
  upca: 'UPC',
  upce: 'UPCE',
  itf: 'ITF',
  codabar: 'codabar',
  code93: 'CODE93',
};

/** How a bar code is printed: `GS h`, `GS w`, and whether `GS H` puts the human-readable text below. */
export interface BarcodeLook {
  heightDots: number;
  moduleDots: number;
}

/**
 * The bars of a bar code as the printer draws them: `moduleDots` per module, `heightDots` tall, with
 * the quiet zones left to the paper. `undefined` when the data is not valid for the symbology (a
 * printer prints nothing then) or the symbology is one the preview cannot draw.
 */
export function drawBarcode(symbology: string, data: string, look: BarcodeLook): MonoBitmap | undefined {
  const name = ENCODER_NAMES[symbology];
  const Encoder = name === undefined ? undefined : barcodeEncoders()[name];
  if (Encoder === undefined) return undefined;
  let parts: EncodedPart[];
  try {
    const encoder = new Encoder(data, {});
    if (!encoder.valid()) return undefined;
    const encoded = encoder.encode();
    parts = Array.isArray(encoded) ? encoded : [encoded];
  } catch {
    return undefined;
  }
  const modules = parts.map((part) => part.data).join('');
  const picture = new MonoBitmap(modules.length * look.moduleDots, look.heightDots);
  for (let i = 0; i < modules.length; i++) {
    if (modules[i] === '1') picture.fill(i * look.moduleDots, 0, look.moduleDots, look.heightDots);
  }
  return picture;
}

/** Error correction level of `GS ( k` fn 69 (n 48–51). */
export type QrCorrection = 'L' | 'M' | 'Q' | 'H';

/**
 * A QR code (model 2) of `data` in byte mode, `moduleDots` per module, with no quiet zone (the printer
 * leaves none either). `undefined` when the data does not fit a QR code.
 */
export function drawQrCode(data: Uint8Array, moduleDots: number, correction: QrCorrection): MonoBitmap | undefined {
  let symbol: ReturnType<typeof createQr>;
  try {
    symbol = qr().create([{ data, mode: 'byte' }], { errorCorrectionLevel: correction });
  } catch {
    return undefined;
  }
  const { size } = symbol.modules;
  const picture = new MonoBitmap(size * moduleDots, size * moduleDots);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (symbol.modules.get(row, col)) picture.fill(col * moduleDots, row * moduleDots, moduleDots, moduleDots);
    }
  }
  return picture;
}
