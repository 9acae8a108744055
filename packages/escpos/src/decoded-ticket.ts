import type { TextAlign, TextSize } from './text-style.js';

/**
 * One printed line of a decoded ticket. The style is the one in effect when the first character
 * of the line was printed (or, for an empty line, when it was fed); a style change in the middle
 * of a line is not reflected.
 */
export interface DecodedLine {
  /**
   * The characters as printed, trailing spaces removed. Bytes above 0x7F are read in the code table
   * selected by the last `ESC t n` (PC437 after `ESC @`); U+FFFD stands for a byte of an undefined
   * position or of a table the decoder does not know. Centered and right-aligned
   * lines are indented with spaces counted in normal-width font A columns, so the text starts where
   * it would on paper (a double-width character still appears once). Barcode, QR code and image lines
   * are the markers described on {@link DecodedTicket.text}, without indentation.
   */
  text: string;
  bold: boolean;
  underline: boolean;
  invert: boolean;
  align: TextAlign;
  /** Any magnification above 1 counts as doubled. */
  size: TextSize;
  /**
   * Present (true) when the line was printed as a `GS v 0` picture of its text, as the encoder draws
   * text no code page holds (Arabic, Hebrew, CJK, emoji), and read back from the picture. Its `text`
   * is in logical order, Arabic as letters (not presentation forms), a character the font lacks as
   * the code point its hex box shows; bold, underline, invert and size are how it was drawn. Indented
   * like other text from where the picture prints. A columns row reads as its left text, spaces up to
   * the font A column where its right text starts, and its right text.
   */
  drawn?: true;
}

/** A bar code printed with `GS k`. */
export interface DecodedBarcode {
  /** `code128`, `code39`, `ean13`, `upca`, `ean8`, `itf`, … or `unknown-<m>`. */
  symbology: string;
  /** The encoded data (CODE128 code set selectors removed). */
  data: string;
}

/** An image printed with `GS v 0`, `ESC *` (consecutive bands merged) or `GS ( L` graphics. */
export interface DecodedImage {
  /** Width in dots; `GS v 0` images are a whole number of bytes wide, so a multiple of 8. */
  widthDots: number;
  heightDots: number;
}

/** One ticket (the content between two cuts) decoded from an ESC/POS byte stream. */
export interface DecodedTicket {
  /**
   * The printed text: the `text` of each line joined with `\n`, trailing blank lines (the feed before
   * the cut) dropped. Barcodes and QR codes appear as lines `[BARCODE code128: 12345]` and
   * `[QR: data]` (with `\n`, `\r` and `\t` in the data shown as `\n`, `\r`, `\t`), images as
   * `[IMAGE 384x120]` (width x height in dots). A line of drawn text (see {@link DecodedLine.drawn})
   * appears as its text.
   */
  text: string;
  /** Every printed line, including blank ones. */
  lines: DecodedLine[];
  barcodes: DecodedBarcode[];
  /** Data of each QR code printed, decoded as UTF-8. */
  qrCodes: string[];
  /** Images printed, not counting drawn lines of text read back as text. */
  images: DecodedImage[];
  /** How the ticket was cut; `null` for content at the end of the stream that was never cut. */
  cut: 'full' | 'partial' | null;
  /** Cash drawer pulses (`ESC p`, `DLE DC4 1`). */
  drawerKicks: number;
  /** Bytes of the stream that belong to this ticket, up to and including its cut command. */
  byteLength: number;
  /** ESC/GS/FS/DLE commands the decoder did not recognise (or with invalid parameters) and skipped. */
  unknownCommands: number;
}
