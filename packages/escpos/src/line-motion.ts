import { FONT_A_DOTS } from './printer-state.js';
import type { EscPosCommand } from './read-command.js';

/** Default tab stops every 8 font A characters. */
const TAB_STOP_DOTS = 8 * FONT_A_DOTS;

/** The line buffer of a printer model (the decoder's assembler, the preview's renderer). */
export interface LineBuffer {
  /** Dots from the line's start to where the next character goes. */
  lineDots(): number;
  /** Prints the buffer (a blank line if it is empty) and feeds one line, as LF does. */
  endLine(): void;
  /** Prints the buffer if anything was put on the line; feeds nothing otherwise. */
  endLineIfStarted(): void;
  /** Moves the print position to `dots` from the line start, if that is further on. */
  moveTo(dots: number): void;
}

/** Commands that move along a line or end it. */
export type MotionCommand = Extract<
  EscPosCommand,
  { kind: 'line-feed' | 'feed-lines' | 'tab' | 'absolute-position' | 'relative-position' }
>;

const MOTION_KINDS: ReadonlySet<string> = new Set([
  'line-feed',
  'feed-lines',
  'tab',
  'absolute-position',
  'relative-position',
]);

export function isMotionCommand(command: EscPosCommand): command is MotionCommand {
  return MOTION_KINDS.has(command.kind);
}

/**
 * What a printer does with a motion command: LF and `ESC d n` print the line and feed (`ESC d 0`
 * prints without a blank line), HT goes to the next tab stop, `ESC $` / `ESC \` move the position;
 * a position beyond the print area is ignored, as printers ignore it.
 */
export function applyMotion(buffer: LineBuffer, command: MotionCommand, printAreaDots: number): void {
  switch (command.kind) {
    case 'line-feed':
      buffer.endLine();
      return;
    case 'feed-lines':
      if (command.lines === 0) buffer.endLineIfStarted();
      for (let i = 0; i < command.lines; i++) buffer.endLine();
      return;
    case 'tab': {
      const stop = (Math.floor(buffer.lineDots() / TAB_STOP_DOTS) + 1) * TAB_STOP_DOTS;
      if (stop <= printAreaDots) buffer.moveTo(stop);
      return;
    }
    case 'absolute-position':
      if (command.dots <= printAreaDots) buffer.moveTo(command.dots);
      return;
    case 'relative-position':
      if (buffer.lineDots() + command.dots <= printAreaDots) buffer.moveTo(buffer.lineDots() + command.dots);
      return;
  }
}
