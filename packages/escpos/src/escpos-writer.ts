import { ByteSink } from './byte-sink.js';
import { encodeCp437 } from './code-page-437.js';
import { escPosCommand } from './escpos-command.js';
import { DEFAULT_TEXT_STYLE, sizeMultipliers, type TextStyle } from './text-style.js';

/**
 * Writes ESC/POS commands into a byte buffer while tracking the printer's text style, so that
 * each style command is only sent when the style actually changes. The output depends only on
 * the sequence of calls (no clocks, no randomness).
 */
export class EscPosWriter {
  readonly #sink = new ByteSink(1024);
  #style: TextStyle = { ...DEFAULT_TEXT_STYLE };

  /**
   * Resets the printer (`ESC @`), selects code page 437 with U.S.A. characters and sets the print
   * area width, which lets a decoder (and the printer) wrap at the same column as the encoder.
   */
  initialize(printAreaDots: number): void {
    this.#write(escPosCommand.initialize());
    this.#write(escPosCommand.selectCodeTable(0));
    this.#write(escPosCommand.selectInternationalCharacterSet(0));
    this.#write(escPosCommand.printAreaWidth(printAreaDots));
    this.#style = { ...DEFAULT_TEXT_STYLE };
  }

  /** Switches to `style`; fields left out go back to their defaults. */
  setStyle(style: Partial<TextStyle>): void {
    const next: TextStyle = { ...DEFAULT_TEXT_STYLE, ...style };
    const current = this.#style;
    if (next.align !== current.align) this.#write(escPosCommand.align(next.align));
    if (next.bold !== current.bold) this.#write(escPosCommand.bold(next.bold));
    if (next.underline !== current.underline) this.#write(escPosCommand.underline(next.underline));
    if (next.invert !== current.invert) this.#write(escPosCommand.invert(next.invert));
    if (next.size !== current.size) {
      const { width, height } = sizeMultipliers(next.size);
      this.#write(escPosCommand.characterSize(width, height));
    }
    this.#style = next;
  }

  /** Prints one line of text (already laid out to fit) followed by LF. */
  printLine(text: string): void {
    this.#write(encodeCp437(text));
    this.#write(escPosCommand.lineFeed());
  }

  /** Appends pre-built command bytes that do not change the text style. */
  command(bytes: Uint8Array): void {
    this.#write(bytes);
  }

  /** The bytes written so far. */
  toBytes(): Uint8Array {
    return this.#sink.toUint8Array();
  }

  #write(bytes: Uint8Array): void {
    this.#sink.push(bytes);
  }
}
