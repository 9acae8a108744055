import type { CodePageName } from '@printermaster/protocol';
import { HIGH_HALVES } from './code-page-tables.js';

/** A character code table a printer selects with `ESC t n`. */
export interface CodePage {
  name: CodePageName;
  /** `n` of `ESC t n` on Epson printers (ESC/POS Application Programming Guide, "ESC t"). */
  escPosTable: number;
  /** The byte for each character of bytes 0x80–0xFF. */
  readonly bytes: ReadonlyMap<string, number>;
  /** The characters of bytes 0x80–0xFF in byte order (U+FFFD where undefined). */
  readonly highHalf: string;
}

/** Epson's `ESC t` numbers; other vendors mostly follow them for these tables. */
const ESC_POS_TABLES: Readonly<Record<CodePageName, number>> = {
  cp437: 0,
  cp850: 2,
  cp737: 14,
  cp1252: 16,
  cp866: 17,
  cp858: 19,
  cp1251: 46,
  cp1253: 47,
};

/** What the decoder shows for a byte of an undefined position or of a table it does not know. */
export const UNKNOWN_CHAR = '\ufffd';

/** The byte printed for a character that no usable code page holds: `?`. */
export const REPLACEMENT_BYTE = 0x3f;

/** Byte 0x7F prints as a house glyph on Epson printers. */
const DEL_GLYPH = '⌂';

function buildCodePage(name: CodePageName): CodePage {
  const highHalf = (HIGH_HALVES[name] ?? []).join('');
  const bytes = new Map<string, number>();
  for (let i = 0; i < highHalf.length; i++) {
    const char = highHalf.charAt(i);
    if (char !== UNKNOWN_CHAR) bytes.set(char, 0x80 + i);
  }
  return { name, escPosTable: ESC_POS_TABLES[name], bytes, highHalf };
}

const BY_NAME = new Map<CodePageName, CodePage>(
  (Object.keys(ESC_POS_TABLES) as CodePageName[]).map((name) => [name, buildCodePage(name)]),
);
const BY_TABLE = new Map<number, CodePage>(Array.from(BY_NAME.values(), (page) => [page.escPosTable, page]));

/** The code page called `name`. */
export function codePage(name: CodePageName): CodePage {
  const page = BY_NAME.get(name);
  if (page === undefined) throw new RangeError(`unknown code page ${name}`);
  return page;
}

/** The code page `ESC t n` selects, or `undefined` for a table this package does not know. */
export function codePageForTable(n: number): CodePage | undefined {
  return BY_TABLE.get(n);
}

/** The byte for one character (a code point) in `page`, or `undefined` when the page lacks it. */
export function byteInCodePage(page: CodePage, char: string): number | undefined {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x20 && code <= 0x7e) return code;
  return page.bytes.get(char);
}

/** Whether `page` holds every character of `text`. */
export function coversText(page: CodePage, text: string): boolean {
  for (const char of text) if (byteInCodePage(page, char) === undefined) return false;
  return true;
}

/** Encodes `text` in `page`, one byte per code point; characters the page lacks become `?`. */
export function encodeInCodePage(page: CodePage, text: string): Uint8Array {
  const chars = Array.from(text);
  const out = new Uint8Array(chars.length);
  chars.forEach((char, i) => {
    out[i] = byteInCodePage(page, char) ?? REPLACEMENT_BYTE;
  });
  return out;
}

/**
 * The character a printer shows for `byte` with `page` selected: `''` for control bytes (below
 * 0x20), which print nothing; U+FFFD for a byte above 0x7F in an undefined position or when the
 * selected table is not one this package knows (`page` undefined).
 */
export function decodeByte(page: CodePage | undefined, byte: number): string {
  if (byte >= 0x20 && byte <= 0x7e) return String.fromCharCode(byte);
  if (byte === 0x7f) return DEL_GLYPH;
  if (byte >= 0x80 && byte <= 0xff) return page === undefined ? UNKNOWN_CHAR : page.highHalf.charAt(byte - 0x80);
  return '';
}
