/** Symbologies a ticket document can ask for. */
export type BarcodeSymbology = 'code128' | 'code39' | 'ean13' | 'upca';

/** A barcode as carried by `GS k m n d1…dn` (function B, m ≥ 65): the `m` byte and the data bytes. */
export interface BarcodeCommandData {
  m: number;
  data: Uint8Array;
}

/** `GS k` function B limits the data length to one byte. */
const MAX_DATA_BYTES = 255;

const CODE39_DATA = /^[0-9A-Z $%+\-./]+$/;

/**
 * Names for the `m` byte of `GS k`. Function A (m = 0–6, NUL-terminated data) and function B
 * (m = 65–79, length-prefixed) name the same symbologies 65 apart.
 */
const SYMBOLOGY_NAMES: Readonly<Record<number, string>> = {
  65: 'upca',
  66: 'upce',
  67: 'ean13',
  68: 'ean8',
  69: 'code39',
  70: 'itf',
  71: 'codabar',
  72: 'code93',
  73: 'code128',
  74: 'gs1-128',
  75: 'gs1-databar-omnidirectional',
  76: 'gs1-databar-truncated',
  77: 'gs1-databar-limited',
  78: 'gs1-databar-expanded',
  79: 'code128-auto',
};

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/**
 * Converts document barcode data to `GS k` function B bytes.
 *
 * - `code128`: printable ASCII (0x20–0x7E); sent in code set B (`{B` prefix) with `{` escaped as `{{`.
 * - `code39`: digits, upper-case letters, space and `$ % + - . /`; the printer adds the `*` start/stop.
 * - `ean13`: 12 or 13 digits (with 13 the last is the check digit), `upca`: 11 or 12 digits.
 *
 * @throws RangeError when the data is not valid for the symbology (the printer would silently print
 * nothing, so failing loudly is the only way the sender learns about it).
 */
export function toBarcodeCommandData(symbology: BarcodeSymbology, data: string): BarcodeCommandData {
  switch (symbology) {
    case 'code128': {
      if (!/^[\x20-\x7e]+$/.test(data)) {
        throw new RangeError('code128 barcode data must be printable ASCII');
      }
      const payload = ascii(`{B${data.replaceAll('{', '{{')}`);
      if (payload.length > MAX_DATA_BYTES) throw new RangeError('code128 barcode data is too long');
      return { m: 73, data: payload };
    }
    case 'code39':
      if (!CODE39_DATA.test(data)) {
        throw new RangeError('code39 barcode data must be digits, upper-case letters, space or $%+-./');
      }
      return { m: 69, data: ascii(data) };
    case 'ean13':
      if (!/^\d{12,13}$/.test(data)) throw new RangeError('ean13 barcode data must be 12 or 13 digits');
      return { m: 67, data: ascii(data) };
    case 'upca':
      if (!/^\d{11,12}$/.test(data)) throw new RangeError('upca barcode data must be 11 or 12 digits');
      return { m: 65, data: ascii(data) };
  }
}

/**
 * Rough width of the symbol in modules (narrow bar units), used to pick a module width that fits
 * the paper. Upper bounds: Code 39 assumes a 3:1 wide-to-narrow ratio.
 */
export function estimateBarcodeModules(symbology: BarcodeSymbology, data: string): number {
  switch (symbology) {
    case 'code128':
      // Start, data, check (11 modules each), stop (13), plus 10-module quiet zones.
      return 11 * (data.length + 2) + 13 + 20;
    case 'code39':
      // 16 modules per character including the gap, plus start and stop characters.
      return 16 * (data.length + 2);
    case 'ean13':
    case 'upca':
      return 95 + 18;
  }
}

/** Removes the code set selectors and escapes the printer interprets in `GS k` CODE128 data. */
function decodeCode128(bytes: Uint8Array): string {
  let codeSet: 'A' | 'B' | 'C' = 'B';
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    if (byte === 0x7b && i + 1 < bytes.length) {
      const next = String.fromCharCode(bytes[i + 1] ?? 0);
      i++;
      if (next === 'A' || next === 'B' || next === 'C') codeSet = next;
      else if (next === '{') out += '{';
      // {S (shift) and {1…{4 (FNC1–4) print no character.
      continue;
    }
    out += codeSet === 'C' ? String(byte).padStart(2, '0') : String.fromCharCode(byte);
  }
  return out;
}

/**
 * Describes a `GS k` barcode for a decoded ticket: a symbology name (`code128`, `ean13`, …, or
 * `unknown-<m>`) and the data as the human-readable text would show it (CODE128 escapes resolved,
 * CODE39 start/stop `*` removed).
 */
export function describeBarcode(m: number, data: Uint8Array): { symbology: string; data: string } {
  const normalized = m <= 6 ? m + 65 : m;
  const symbology = SYMBOLOGY_NAMES[normalized] ?? `unknown-${m}`;
  if (normalized === 73) return { symbology, data: decodeCode128(data) };
  let text = String.fromCharCode(...data);
  if (normalized === 69) text = text.replace(/^\*/, '').replace(/\*$/, '');
  return { symbology, data: text };
}
