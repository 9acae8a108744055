import { describeBarcode } from './barcode-symbology.js';
import { codePageForTable, decodeByte } from './code-page.js';
import { applyMotion, isMotionCommand, type LineBuffer } from './line-motion.js';
import { MonoBitmap } from './mono-bitmap.js';
import { drawBarcode, drawQrCode } from './paper-codes.js';
import { glyphCell } from './paper-glyph-cell.js';
import { bandPicture, rasterPicture } from './paper-images.js';
import { applyPreviewSetting, defaultPreviewSettings } from './preview-settings.js';
import { applyMode, charDots, FONT_A_DOTS, initialPrinterState, isModeCommand } from './printer-state.js';
import type { EscPosCommand } from './read-command.js';

/** Room a cut takes on the preview: the dashed line and paper on both sides of it. */
const CUT_DOTS = 24;

/** One thing on the line being filled: a character cell or an `ESC *` band, `x` dots from the line start. */
interface LineItem {
  x: number;
  picture: MonoBitmap;
}

/** A command with the bytes that came with it, as the renderer needs them. */
export interface PaperCommand {
  command: EscPosCommand;
  /** The command's own bytes (parameters included, as the decoder delimited them). */
  raw: Uint8Array;
  /** Data that followed the command (image rows), possibly cut short at the end of the stream. */
  payload: Uint8Array;
}

/**
 * Puts decoded ESC/POS commands on paper, the way the printer would: the same modes and line
 * buffer rules as the decoder's `TicketAssembler` (wrapping when a character does not fit, alignment
 * of whole lines, codes and images on their own lines), drawn dot for dot. Paper stops at
 * `maxHeight` dots; what comes after is not drawn and `truncated` says so.
 */
export class PaperRenderer {
  readonly paper: MonoBitmap;
  truncated = false;
  #state = initialPrinterState();
  #settings = defaultPreviewSettings();
  #y = 0;
  #items: LineItem[] = [];
  #lineDots = 0;
  #lineStarted = false;
  #maxHeight: number;
  /** This line buffer as the motion commands see it. */
  readonly #line: LineBuffer = {
    lineDots: () => this.#lineDots,
    endLine: () => this.#endLine(),
    endLineIfStarted: () => this.#endLineIfStarted(),
    moveTo: (dots) => this.#moveTo(dots),
  };

  constructor(paperWidthDots: number, maxHeight: number) {
    this.paper = new MonoBitmap(paperWidthDots, 0);
    this.#maxHeight = maxHeight;
  }

  /** Whether there is room for more: once paper ran out, the caller can stop reading. */
  get full(): boolean {
    return this.truncated;
  }

  apply({ command, raw, payload }: PaperCommand): void {
    if (this.truncated) return;
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
        const page = codePageForTable(state.codeTable);
        for (const byte of command.bytes) this.#printChar(decodeByte(page, byte));
        return;
      }
      case 'feed-dots':
        this.#endLineIfStarted();
        this.#advance(command.dots);
        return;
      case 'initialize':
        this.#state = initialPrinterState();
        this.#settings = defaultPreviewSettings();
        this.#items = [];
        this.#lineDots = 0;
        this.#lineStarted = false;
        return;
      case 'barcode':
        this.#printBarcode(command.m, command.data);
        return;
      case 'qr-store':
        state.qrData = command.data.slice();
        return;
      case 'qr-print':
        if (state.qrData !== undefined) {
          const code = drawQrCode(state.qrData, this.#settings.qrModule, this.#settings.qrCorrection);
          if (code !== undefined) this.#printBlock(code);
        }
        return;
      case 'image': {
        const m = raw[3] ?? 0;
        const bytesPerRow = (raw[4] ?? 0) | ((raw[5] ?? 0) << 8);
        const rows = (raw[6] ?? 0) | ((raw[7] ?? 0) << 8);
        const scale = { x: m & 1 ? 2 : 1, y: m & 2 ? 2 : 1 };
        this.#printBlock(rasterPicture(payload, bytesPerRow, rows, scale, this.#bounds()));
        return;
      }
      case 'graphics-store': {
        // GS ( L keeps its data inside the command (from byte 15); GS 8 L sends it after 17 header bytes.
        const large = raw[1] === 0x38;
        const data = large ? payload : raw.subarray(15);
        const at = large ? 13 : 11;
        const bytesPerRow = Math.ceil(((raw[at] ?? 0) | ((raw[at + 1] ?? 0) << 8)) / 8);
        const rows = (raw[at + 2] ?? 0) | ((raw[at + 3] ?? 0) << 8);
        const scale = { x: Math.max(1, raw[at - 3] ?? 1), y: Math.max(1, raw[at - 2] ?? 1) };
        // Drawn when printed, within the paper left then: stored images that are never printed
        // (each replaces the last) cost nothing, so a document of many cannot hold a render thread.
        this.#stored = () => rasterPicture(data, bytesPerRow, rows, scale, this.#bounds());
        return;
      }
      case 'graphics-print':
        if (this.#stored !== undefined) this.#printBlock(this.#stored());
        this.#stored = undefined;
        return;
      case 'bit-image-band': {
        const band = bandPicture(payload, raw[2] ?? 0, (raw[3] ?? 0) | ((raw[4] ?? 0) << 8), this.#bounds());
        this.#lineStarted = true;
        this.#items.push({ x: this.#lineDots, picture: band });
        this.#lineDots += band.width;
        return;
      }
      case 'cut':
        this.#endLineIfStarted();
        this.#drawCut(command.cut === 'partial');
        return;
      case 'ignored':
        applyPreviewSetting(this.#settings, raw);
        return;
      case 'drawer-kick':
      case 'status-request':
      case 'unknown':
        return;
    }
  }

  /** Prints what is left in the line buffer and returns the paper. */
  finish(): MonoBitmap {
    this.#endLineIfStarted();
    return this.paper;
  }

  /** The image `GS ( L` / `GS 8 L` fn 112 stored last, drawn when a print command asks for it. */
  #stored: (() => MonoBitmap) | undefined;

  #bounds(): { maxWidth: number; maxHeight: number } {
    return { maxWidth: this.paper.width, maxHeight: Math.max(0, this.#maxHeight - this.#y) };
  }

  #printChar(char: string): void {
    if (char === '') return;
    const state = this.#state;
    const width = charDots(state);
    if (this.#lineDots > 0 && this.#lineDots + width > state.printAreaDots) this.#endLine();
    const height = (state.fontB ? 17 : 24) * state.heightMultiplier;
    this.#lineStarted = true;
    this.#items.push({ x: this.#lineDots, picture: glyphCell(char, width, height, state) });
    this.#lineDots += width;
  }

  #moveTo(dots: number): void {
    if (dots <= this.#lineDots) return;
    this.#lineStarted = true;
    this.#lineDots = dots;
  }

  #endLineIfStarted(): void {
    if (this.#lineStarted) this.#endLine();
  }

  #offset(width: number): number {
    const free = Math.max(0, this.#state.printAreaDots - width);
    if (this.#state.align === 'center') return Math.floor(free / 2);
    if (this.#state.align === 'right') return free;
    return 0;
  }

  #endLine(): void {
    const height = this.#items.reduce((max, item) => Math.max(max, item.picture.height), 0);
    const left = this.#offset(this.#lineDots);
    for (const item of this.#items) {
      this.#place(item.picture, left + item.x, this.#y + height - item.picture.height);
    }
    // A line taller than the line spacing (double height, a 24-dot band under ESC 3 n < 24) feeds its height.
    this.#advance(Math.max(this.#settings.lineSpacing, height));
    this.#items = [];
    this.#lineDots = 0;
    this.#lineStarted = false;
  }

  /** A code or image: on its own line, aligned as a line would be. */
  #printBlock(picture: MonoBitmap): void {
    this.#endLineIfStarted();
    this.#place(picture, this.#offset(picture.width), this.#y);
    this.#advance(picture.height);
  }

  #printBarcode(m: number, data: Uint8Array): void {
    const { symbology, data: text } = describeBarcode(m, data);
    const look = { heightDots: this.#settings.barcodeHeight, moduleDots: this.#settings.barcodeModule };
    const bars = drawBarcode(symbology, text, look);
    if (bars === undefined) return;
    this.#printBlock(bars);
    if (!this.#settings.hriBelow) return;
    const state = {
      ...this.#state,
      bold: false,
      underline: false,
      invert: false,
      widthMultiplier: 1,
      heightMultiplier: 1,
    };
    const hri = new MonoBitmap(Math.max(1, text.length * FONT_A_DOTS), 24);
    [...text].forEach((char, i) => {
      hri.draw(glyphCell(char, FONT_A_DOTS, 24, state), i * FONT_A_DOTS, 0);
    });
    this.#printBlock(hri);
  }

  #drawCut(partial: boolean): void {
    const y = this.#y + CUT_DOTS / 2;
    const width = this.paper.width;
    for (let x = 0; x < width; x += 12) {
      // A partial cut leaves the middle of the paper uncut.
      if (partial && Math.abs(x + 4 - width / 2) < width / 8) continue;
      this.#place(solid(8, 2), x, y);
    }
    this.#advance(CUT_DOTS);
  }

  #place(picture: MonoBitmap, x: number, y: number): void {
    if (y + picture.height > this.#maxHeight) {
      this.truncated = true;
      return;
    }
    this.paper.growTo(y + picture.height);
    this.paper.draw(picture, x, y);
  }

  #advance(dots: number): void {
    if (this.#y + dots > this.#maxHeight) {
      this.truncated = true;
      this.#y = this.#maxHeight;
      return;
    }
    this.#y += dots;
    this.paper.growTo(this.#y);
  }
}

function solid(width: number, height: number): MonoBitmap {
  const picture = new MonoBitmap(width, height);
  picture.fill(0, 0, width, height);
  return picture;
}
