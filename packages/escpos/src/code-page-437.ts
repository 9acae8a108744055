/**
 * Code page 437 (the ESC/POS default character table, selected with `ESC t 0`).
 * Bytes 0x20–0x7E are ASCII; this table holds the characters of bytes 0x80–0xFF in byte order.
 */
const HIGH_HALF =
  'ÇüéâäàåçêëèïîìÄÅ' +
  'ÉæÆôöòûùÿÖÜ¢£¥₧ƒ' +
  'áíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧' +
  '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩' +
  '≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** The byte printed for a character that code page 437 cannot represent: `?`. */
export const REPLACEMENT_BYTE = 0x3f;

/** Byte 0x7F prints as a house glyph in code page 437. */
const DEL_GLYPH = '⌂';

const BYTE_BY_CHAR = new Map<string, number>();
for (let i = 0; i < HIGH_HALF.length; i++) BYTE_BY_CHAR.set(HIGH_HALF.charAt(i), 0x80 + i);

function byteForCodePoint(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x20 && code <= 0x7e) return code;
  return BYTE_BY_CHAR.get(char) ?? REPLACEMENT_BYTE;
}

/**
 * Returns `text` as it will print in code page 437: NFC-normalised (so a decomposed `é` still maps),
 * with every code point that has no code page 437 byte replaced by `?`. Control characters (including
 * `\n` and `\t`) are replaced too, so callers split lines first. The result has exactly one UTF-16
 * unit per printed character, so `.length` is the width in character cells.
 */
export function toCp437Printable(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    out += byteForCodePoint(char) === REPLACEMENT_BYTE ? '?' : char;
  }
  return out;
}

/** Encodes `text` to code page 437 bytes, one byte per code point, unmappable ones as `?` (see {@link toCp437Printable}). */
export function encodeCp437(text: string): Uint8Array {
  const chars = Array.from(text.normalize('NFC'));
  const bytes = new Uint8Array(chars.length);
  chars.forEach((char, i) => {
    bytes[i] = byteForCodePoint(char);
  });
  return bytes;
}

/**
 * The character a printer shows for `byte` in code page 437, or `''` for control bytes (below 0x20),
 * which print nothing.
 */
export function decodeCp437Byte(byte: number): string {
  if (byte >= 0x20 && byte <= 0x7e) return String.fromCharCode(byte);
  if (byte === 0x7f) return DEL_GLYPH;
  if (byte >= 0x80 && byte <= 0xff) return HIGH_HALF.charAt(byte - 0x80);
  return '';
}
