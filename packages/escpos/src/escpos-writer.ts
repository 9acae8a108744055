import { ByteSink } from './byte-sink.js';
import { type CodePage, encodeInCodePage } from './code-page.js';
import type { CodePageChooser } from './code-page-chooser.js';
import { escPosCommand } from './escpos-command.js';
import { DEFAULT_TEXT_STYLE, sizeMultipliers, type TextStyle } from './text-style.js';

/**
 * Writes ESC/POS commands into a byte buffer while tracking the printer's text style, so that
 * each style command is only sent when the style actually changes. The output depends only on
 * the sequence of calls (no clocks, no randomness). The character code table is tracked the same way.
 */
export class EscPosWriter {
  readonly #sink = new ByteSink(1024);
  readonly #chooser: CodePageChooser;
  #style: TextStyle = { ...DEFAULT_TEXT_STYLE };
  #page: CodePage;

  constructor(chooser: CodePageChooser) {
    this.#chooser = chooser;
    this.#page = this.#firstPage();
  }

  /**
   * Resets the printer (`ESC @`), selects the printer's first code page with U.S.A. characters and
   * sets the print area width, which lets a decoder (and the printer) wrap at the same column as the
   * encoder. The table is selected even when it is the printer's default, since that default is a
   * memory switch setting.
   */
  initialize(printAreaDots: number): void {
    this.#page = this.#firstPage();
    this.#write(escPosCommand.initialize());
    this.#write(escPosCommand.selectCodeTable(this.#page.escPosTable));
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

  /**
   * Prints one line of text (already laid out to fit and made printable by the chooser) followed by
   * LF, switching code tables (`ESC t n`) where the chooser says so.
   */
  printLine(text: string): void {
    for (const segment of this.#chooser.segments(text, this.#page)) {
      if (segment.page !== this.#page) {
        this.#write(escPosCommand.selectCodeTable(segment.page.escPosTable));
        this.#page = segment.page;
      }
      this.#write(encodeInCodePage(segment.page, segment.text));
    }
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

  #firstPage(): CodePage {
    const page = this.#chooser.pages[0];
    if (page === undefined) throw new RangeError('a printer needs at least one code page');
    return page;
  }

  #write(bytes: Uint8Array): void {
    this.#sink.push(bytes);
  }
}
