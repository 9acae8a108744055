import type { DecodedImage } from './decoded-ticket.js';
import type { EscPosCommand } from './read-command.js';
import { sizeFromMultipliers, type TextAlign, type TextStyle } from './text-style.js';

/** Font A is 12 dots wide, font B 9 (203 dpi printers); text positions are reported in font A columns. */
export const FONT_A_DOTS = 12;
const FONT_B_DOTS = 9;
/** 80 mm paper, until `GS W` says otherwise. */
const DEFAULT_PRINT_AREA_DOTS = 576;

/** Printer modes that survive cuts (only `ESC @` resets them). */
export interface PrinterState {
  bold: boolean;
  underline: boolean;
  invert: boolean;
  align: TextAlign;
  widthMultiplier: number;
  heightMultiplier: number;
  fontB: boolean;
  /**
   * `n` of the last `ESC t n`. `ESC @` sets it back to 0 (PC437), the factory default; a printer
   * whose memory switch says otherwise would differ, which is why the encoder always sends `ESC t`.
   */
  codeTable: number;
  /** Width of a printed line in dots (`GS W`). */
  printAreaDots: number;
  /** QR data stored by `GS ( k` fn 80, printed by fn 81. */
  qrData: Uint8Array | undefined;
  /** Graphics stored by `GS ( L` fn 112, printed (once) by fn 50. */
  storedGraphics: DecodedImage | undefined;
}

/** The modes after power-on or `ESC @`. */
export function initialPrinterState(): PrinterState {
  return {
    bold: false,
    underline: false,
    invert: false,
    align: 'left',
    widthMultiplier: 1,
    heightMultiplier: 1,
    fontB: false,
    codeTable: 0,
    printAreaDots: DEFAULT_PRINT_AREA_DOTS,
    qrData: undefined,
    storedGraphics: undefined,
  };
}

/** Commands that only change a text mode: they print nothing and touch no line. */
export type ModeCommand = Extract<
  EscPosCommand,
  {
    kind:
      | 'bold'
      | 'underline'
      | 'invert'
      | 'align'
      | 'print-mode'
      | 'character-size'
      | 'font'
      | 'code-table'
      | 'print-area-width';
  }
>;

const MODE_KINDS: ReadonlySet<string> = new Set([
  'bold',
  'underline',
  'invert',
  'align',
  'print-mode',
  'character-size',
  'font',
  'code-table',
  'print-area-width',
]);

export function isModeCommand(command: EscPosCommand): command is ModeCommand {
  return MODE_KINDS.has(command.kind);
}

/** Applies a mode command to `state`. */
export function applyMode(state: PrinterState, command: ModeCommand): void {
  switch (command.kind) {
    case 'bold':
      state.bold = command.on;
      return;
    case 'underline':
      state.underline = command.on;
      return;
    case 'invert':
      state.invert = command.on;
      return;
    case 'align':
      state.align = command.align;
      return;
    case 'print-mode':
      state.fontB = (command.mode & 0x01) !== 0;
      state.bold = (command.mode & 0x08) !== 0;
      state.heightMultiplier = command.mode & 0x10 ? 2 : 1;
      state.widthMultiplier = command.mode & 0x20 ? 2 : 1;
      state.underline = (command.mode & 0x80) !== 0;
      return;
    case 'character-size':
      state.widthMultiplier = command.width;
      state.heightMultiplier = command.height;
      return;
    case 'font':
      state.fontB = command.fontB;
      return;
    case 'code-table':
      state.codeTable = command.n;
      return;
    case 'print-area-width':
      state.printAreaDots = command.dots;
      return;
  }
}

/** The style text printed now would have. */
export function currentStyle(state: PrinterState): TextStyle {
  return {
    bold: state.bold,
    underline: state.underline,
    invert: state.invert,
    align: state.align,
    size: sizeFromMultipliers(state.widthMultiplier, state.heightMultiplier),
  };
}

/** How many dots one character takes in the current font and width. */
export function charDots(state: PrinterState): number {
  return (state.fontB ? FONT_B_DOTS : FONT_A_DOTS) * state.widthMultiplier;
}
