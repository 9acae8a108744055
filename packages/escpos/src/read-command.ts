import { CommandBytes, done, IGNORED } from './command-bytes.js';
import { ControlCode } from './control-code.js';
import type { StatusRequestKind } from './printer-status.js';
import { readDle } from './read-dle.js';
import { readEsc } from './read-esc.js';
import { readFs } from './read-fs.js';
import { readGs } from './read-gs.js';
import type { TextAlign } from './text-style.js';

const { HT, LF, DLE, ESC, FS, GS } = ControlCode;

/** What one command means for a decoder; everything without a visible effect is `ignored`. */
export type EscPosCommand =
  | { kind: 'text'; bytes: Uint8Array }
  | { kind: 'line-feed' }
  | { kind: 'feed-lines'; lines: number }
  | { kind: 'feed-dots'; dots: number }
  | { kind: 'tab' }
  | { kind: 'initialize' }
  | { kind: 'bold'; on: boolean }
  | { kind: 'underline'; on: boolean }
  | { kind: 'invert'; on: boolean }
  | { kind: 'align'; align: TextAlign }
  /** `ESC !`: font, emphasis, double height/width and underline in one byte. */
  | { kind: 'print-mode'; mode: number }
  | { kind: 'character-size'; width: number; height: number }
  | { kind: 'font'; fontB: boolean }
  /** `ESC t n`: character code table for the bytes 0x80–0xFF that follow. */
  | { kind: 'code-table'; n: number }
  | { kind: 'print-area-width'; dots: number }
  | { kind: 'absolute-position'; dots: number }
  | { kind: 'relative-position'; dots: number }
  /** `GS k`; `m` as sent (0–6 or 65–79). */
  | { kind: 'barcode'; m: number; data: Uint8Array }
  | { kind: 'qr-store'; data: Uint8Array }
  | { kind: 'qr-print' }
  /** An image printed as soon as it is received (`GS v 0`). */
  | { kind: 'image'; widthDots: number; heightDots: number }
  /** One band of an `ESC *` bit image, printed with the line it is in. */
  | { kind: 'bit-image-band'; widthDots: number; heightDots: number }
  /** `GS ( L` / `GS 8 L` fn 112: raster graphics stored in the print buffer, printed by fn 50. */
  | { kind: 'graphics-store'; widthDots: number; heightDots: number }
  | { kind: 'graphics-print' }
  | { kind: 'cut'; cut: 'full' | 'partial' }
  | { kind: 'drawer-kick' }
  | { kind: 'status-request'; n: StatusRequestKind }
  | { kind: 'ignored' }
  | { kind: 'unknown' };

/** A command read from a buffer. */
export interface ReadCommand {
  command: EscPosCommand;
  /** Bytes of the command present in the buffer and consumed now. */
  length: number;
  /**
   * Further bytes that belong to the command but carry nothing the decoder needs (image data);
   * a streaming reader skips them as they arrive instead of buffering them.
   */
  payload: number;
}

/**
 * Reads the command that starts at `offset` in `buf`. Returns `undefined` when `buf` ends before the
 * command does (a streaming caller waits for more bytes), never throws.
 *
 * Runs of printable bytes (0x20–0xFF) come back as one `text` command. Control bytes other than LF,
 * HT and the command prefixes (CR included: printers default to ignoring it) are `ignored`. An
 * unrecognised ESC, GS or FS command, or a known one with impossible parameters, is reported as
 * `unknown` and only its two prefix bytes are consumed.
 */
export function readCommand(buf: Uint8Array, offset: number): ReadCommand | undefined {
  const first = buf[offset];
  if (first === undefined) return undefined;
  if (first >= 0x20) {
    let end = offset + 1;
    while (end < buf.length && (buf[end] ?? 0) >= 0x20) end++;
    return done({ kind: 'text', bytes: buf.subarray(offset, end) }, end - offset);
  }
  const bytes = new CommandBytes({ buf, start: offset });
  switch (first) {
    case LF:
      return done({ kind: 'line-feed' }, 1);
    case HT:
      return done({ kind: 'tab' }, 1);
    case ESC:
      return readEsc(bytes);
    case GS:
      return readGs(bytes);
    case FS:
      return readFs(bytes);
    case DLE:
      return readDle(bytes);
    default:
      return done(IGNORED, 1);
  }
}
