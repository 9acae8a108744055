import { describeBarcode } from './barcode-symbology.js';
import { codePageForTable, decodeByte } from './code-page.js';
import type { DecodedBarcode, DecodedImage, DecodedLine, DecodedTicket } from './decoded-ticket.js';
import { type DrawnText, readDrawnText } from './drawn-text-reader.js';
import { applyMotion, isMotionCommand, type LineBuffer } from './line-motion.js';
import { applyMode, charDots, currentStyle, FONT_A_DOTS, initialPrinterState, isModeCommand } from './printer-state.js';
import type { EscPosCommand } from './read-command.js';
import { sizeFromMultipliers, type TextStyle } from './text-style.js';

/** Keeps a marker on one line: control characters in QR data would otherwise split it. */
function escapeControl(text: string): string {
  return text.replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t');
}

const utf8 = new TextDecoder('utf-8');

/**
 * Models what a printer does with decoded commands: keeps its modes, fills the line buffer,
 * wraps like the printer does when a character no longer fits the print area, and collects the
 * printed lines, codes and images of the current ticket.
 */
export class TicketAssembler {
  #state = initialPrinterState();
  #lines: DecodedLine[] = [];
  #barcodes: DecodedBarcode[] = [];
  #qrCodes: string[] = [];
  #images: DecodedImage[] = [];
  #drawerKicks = 0;
  #unknownCommands = 0;

  /** Characters of the current line and how many dots they take. */
  #lineText = '';
  #lineDots = 0;
  /** This line buffer as the motion commands see it. */
  readonly #line: LineBuffer = {
    lineDots: () => this.#lineDots,
    endLine: () => this.#endLine(),
    endLineIfStarted: () => this.#endLineIfStarted(),
    moveTo: (dots) => this.#moveTo(dots),
  };
  /** Style when the first thing was put on the current line; undefined while it is empty. */
  #lineStyle: TextStyle | undefined;
  /** The current line holds an `ESC *` band: feeding it prints the band, not a blank line. */
  #lineHasBitImage = false;
  /** Consecutive `ESC *` bands make one image; this is the image being extended. */
  #bitImageRun: { image: DecodedImage; lineIndex: number } | undefined;

  /** Whether the current ticket printed anything (non-blank text, a code, an image) or kicked the drawer. */
  get hasContent(): boolean {
    return (
      this.#lineText.trim() !== '' ||
      this.#lineHasBitImage ||
      this.#lines.some((line) => line.text !== '') ||
      this.#drawerKicks > 0
    );
  }

  apply(command: EscPosCommand): void {
    const state = this.#state;
    if (isModeCommand(command)) {
      applyMode(state, command);
      return;
    }
    if (isMotionCommand(command)) {
      applyMotion(this.#line, command, state.printAreaDots);
      return;
    }
    switch (command.kind) {
      case 'text': {
        // A table this package does not know shows its bytes above 0x7F as U+FFFD.
        const page = codePageForTable(state.codeTable);
        for (const byte of command.bytes) this.#printChar(decodeByte(page, byte));
        return;
      }
      case 'feed-dots':
        // Dot feeds print the buffer but are not counted as blank lines.
        this.#endLineIfStarted();
        return;
      case 'initialize':
        // ESC @ also clears the print buffer: an unfinished line is lost, as on paper.
        this.#state = initialPrinterState();
        this.#resetLine();
        this.#bitImageRun = undefined;
        return;
      case 'barcode': {
        const barcode = describeBarcode(command.m, command.data);
        this.#barcodes.push(barcode);
        this.#addMarker(`[BARCODE ${barcode.symbology}: ${escapeControl(barcode.data)}]`);
        return;
      }
      case 'qr-store':
        // Copied: the command's bytes may be a view of a chunk the caller reuses before the print command.
        state.qrData = command.data.slice();
        return;
      case 'qr-print':
        if (state.qrData !== undefined) {
          const data = utf8.decode(state.qrData);
          this.#qrCodes.push(data);
          this.#addMarker(`[QR: ${escapeControl(data)}]`);
        }
        return;
      case 'image':
        this.#addImage({ widthDots: command.widthDots, heightDots: command.heightDots });
        return;
      case 'graphics-store':
        state.storedGraphics = { widthDots: command.widthDots, heightDots: command.heightDots };
        return;
      case 'graphics-print':
        if (state.storedGraphics !== undefined) this.#addImage(state.storedGraphics);
        state.storedGraphics = undefined;
        return;
      case 'bit-image-band':
        this.#addBitImageBand(command.widthDots, command.heightDots);
        return;
      case 'drawer-kick':
        this.#drawerKicks++;
        return;
      case 'unknown':
        this.#unknownCommands++;
        return;
      case 'cut':
      case 'status-request':
      case 'ignored':
        return;
    }
  }

  /**
   * A `GS v 0` image whose data the caller kept (`bytesPerRow` × `rows` bytes, not magnified): a line
   * of text the encoder drew is printed as that text, anything else as an image.
   */
  printRaster(bytesPerRow: number, rows: number, data: Uint8Array): void {
    let drawn: DrawnText | undefined;
    try {
      drawn = readDrawnText({ bytesPerRow, rows, data });
    } catch {
      // The decoder never throws: a font that cannot be loaded leaves the picture an image.
      drawn = undefined;
    }
    if (drawn === undefined) this.#addImage({ widthDots: bytesPerRow * 8, heightDots: rows });
    else this.#addDrawnLine(drawn, bytesPerRow * 8);
  }

  /**
   * Completes the current ticket (printing a pending line) and starts a new one; printer modes
   * carry over. `byteLength` is supplied by the caller, which sees the raw bytes.
   */
  finish(cut: DecodedTicket['cut'], byteLength: number): DecodedTicket {
    this.#endLineIfStarted();
    const texts = this.#lines.map((line) => line.text);
    while (texts.length > 0 && texts.at(-1) === '') texts.pop();
    const ticket: DecodedTicket = {
      text: texts.join('\n'),
      lines: this.#lines,
      barcodes: this.#barcodes,
      qrCodes: this.#qrCodes,
      images: this.#images,
      cut,
      drawerKicks: this.#drawerKicks,
      byteLength,
      unknownCommands: this.#unknownCommands,
    };
    this.#lines = [];
    this.#barcodes = [];
    this.#qrCodes = [];
    this.#images = [];
    this.#drawerKicks = 0;
    this.#unknownCommands = 0;
    this.#bitImageRun = undefined;
    return ticket;
  }

  #currentStyle(): TextStyle {
    return currentStyle(this.#state);
  }

  get #lineStarted(): boolean {
    return this.#lineStyle !== undefined || this.#lineHasBitImage;
  }

  #printChar(char: string): void {
    if (char === '') return;
    const width = charDots(this.#state);
    // Like the printer: a character that does not fit prints the line and starts the next one.
    if (this.#lineDots > 0 && this.#lineDots + width > this.#state.printAreaDots) this.#endLine();
    this.#lineStyle ??= this.#currentStyle();
    this.#lineText += char;
    this.#lineDots += width;
    this.#bitImageRun = undefined;
  }

  #moveTo(dots: number): void {
    if (dots <= this.#lineDots) return;
    this.#lineStyle ??= this.#currentStyle();
    this.#lineText += ' '.repeat(Math.round((dots - this.#lineDots) / FONT_A_DOTS));
    this.#lineDots = dots;
  }

  #endLineIfStarted(): void {
    if (this.#lineStarted) this.#endLine();
  }

  /** Prints the line buffer (a blank line if it is empty), as LF does. */
  #endLine(): void {
    if (this.#lineHasBitImage && this.#lineText === '') {
      this.#resetLine();
      return;
    }
    const style = this.#lineStyle ?? this.#currentStyle();
    const free = Math.max(0, this.#state.printAreaDots - this.#lineDots);
    let indent = 0;
    if (style.align === 'center') indent = Math.floor(free / 2 / FONT_A_DOTS);
    if (style.align === 'right') indent = Math.floor(free / FONT_A_DOTS);
    const text = this.#lineText === '' ? '' : (' '.repeat(indent) + this.#lineText).trimEnd();
    this.#lines.push({ ...style, text });
    if (text === '') this.#bitImageRun = undefined;
    this.#resetLine();
  }

  #resetLine(): void {
    this.#lineText = '';
    this.#lineDots = 0;
    this.#lineStyle = undefined;
    this.#lineHasBitImage = false;
  }

  /** Codes and images print on their own: a pending line is printed first. */
  #addMarker(text: string): number {
    if (this.#lineText !== '') this.#endLine();
    this.#bitImageRun = undefined;
    this.#lines.push({ ...this.#currentStyle(), text });
    return this.#lines.length - 1;
  }

  /** Indented like text, from where the printer puts the picture: as wide as its data, aligned by `ESC a`. */
  #addDrawnLine(drawn: DrawnText, widthDots: number): void {
    if (this.#lineText !== '') this.#endLine();
    this.#bitImageRun = undefined;
    const printed = this.#currentStyle();
    const free = Math.max(0, this.#state.printAreaDots - widthDots);
    let indent = 0;
    if (printed.align === 'center') indent = Math.floor(free / 2 / FONT_A_DOTS);
    if (printed.align === 'right') indent = Math.floor(free / FONT_A_DOTS);
    const { bold, underline, invert, widthMultiplier, heightMultiplier } = drawn.style;
    const size = sizeFromMultipliers(widthMultiplier, heightMultiplier);
    const text = (' '.repeat(indent) + drawn.text).trimEnd();
    this.#lines.push({ ...printed, bold, underline, invert, size, text, drawn: true });
  }

  #addImage(image: DecodedImage): void {
    this.#images.push(image);
    this.#addMarker(`[IMAGE ${image.widthDots}x${image.heightDots}]`);
  }

  #addBitImageBand(widthDots: number, heightDots: number): void {
    const run = this.#bitImageRun;
    if (run !== undefined && run.image.widthDots === widthDots) {
      run.image.heightDots += heightDots;
      const line = this.#lines[run.lineIndex];
      if (line !== undefined) line.text = `[IMAGE ${run.image.widthDots}x${run.image.heightDots}]`;
    } else {
      const image = { widthDots, heightDots };
      this.#images.push(image);
      const lineIndex = this.#addMarker(`[IMAGE ${widthDots}x${heightDots}]`);
      this.#bitImageRun = { image, lineIndex };
    }
    this.#lineHasBitImage = true;
  }
}
