import { ControlCode } from './control-code.js';
import type { StatusRequestKind } from './printer-status.js';
import type { TextAlign } from './text-style.js';

const { NUL, EOT, ENQ, HT, LF, DLE, DC4, ESC, FS, GS } = ControlCode;

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

/** Data that never legitimately runs this long is treated as a garbled command. */
const MAX_NUL_TERMINATED = 256;

const ALIGNS: readonly TextAlign[] = ['left', 'center', 'right', 'left'];

function done(command: EscPosCommand, length: number, payload = 0): ReadCommand {
  return { command, length, payload };
}

const IGNORED: EscPosCommand = { kind: 'ignored' };
const UNKNOWN: EscPosCommand = { kind: 'unknown' };

/** Unknown or garbled command: skip the prefix and function byte only, so little data is lost. */
const skipUnknown = (): ReadCommand => done(UNKNOWN, 2);

/** Reads bytes relative to a command start; out-of-range reads give 0 (callers check lengths first). */
class CommandBytes {
  constructor(
    readonly buf: Uint8Array,
    readonly start: number,
  ) {}

  get available(): number {
    return this.buf.length - this.start;
  }

  has(count: number): boolean {
    return this.available >= count;
  }

  at(index: number): number {
    return this.buf[this.start + index] ?? 0;
  }

  word(index: number): number {
    return this.at(index) | (this.at(index + 1) << 8);
  }

  slice(from: number, to: number): Uint8Array {
    return this.buf.subarray(this.start + from, this.start + to);
  }

  /** Index (relative) of the first NUL at or after `from` within `limit` bytes, -1 if none is present yet. */
  findNul(from: number, limit: number): number {
    const end = Math.min(this.available, from + limit);
    for (let i = from; i < end; i++) if (this.at(i) === NUL) return i;
    return -1;
  }
}

/** A command of `total` bytes with no decodable effect, or incomplete. */
function fixed(b: CommandBytes, total: number, command: EscPosCommand = IGNORED): ReadCommand | undefined {
  return b.has(total) ? done(command, total) : undefined;
}

/** `<prefix> <fn> pL pH <p bytes>`: the generic "function" layout of ESC (, GS ( and FS (. */
function withParameterLength(b: CommandBytes, command: EscPosCommand = IGNORED): ReadCommand | undefined {
  if (!b.has(5)) return undefined;
  return fixed(b, 5 + b.word(3), command);
}

/** `ESC & y c1 c2 [x d1…d(y×x)]…` and `FS q n [xL xH yL yH d…]…`: repeated variable-size records. */
function repeatedRecords(
  b: CommandBytes,
  headerLength: number,
  count: number,
  recordLength: (offset: number) => number | undefined,
): ReadCommand | undefined {
  let offset = headerLength;
  for (let i = 0; i < count; i++) {
    const length = recordLength(offset);
    if (length === undefined) return undefined;
    offset += length;
  }
  return fixed(b, offset);
}

function readEsc(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(2)) return undefined;
  const fn = b.at(1);
  switch (fn) {
    case 0x40: // ESC @
      return done({ kind: 'initialize' }, 2);
    case 0x45: // ESC E n
      return b.has(3) ? done({ kind: 'bold', on: (b.at(2) & 1) === 1 }, 3) : undefined;
    case 0x2d: // ESC - n (0/48 off, 1/49 one dot, 2/50 two dots)
      return b.has(3) ? done({ kind: 'underline', on: (b.at(2) & 3) !== 0 }, 3) : undefined;
    case 0x61: // ESC a n
      return b.has(3) ? done({ kind: 'align', align: ALIGNS[b.at(2) & 3] ?? 'left' }, 3) : undefined;
    case 0x21: // ESC ! n
      return b.has(3) ? done({ kind: 'print-mode', mode: b.at(2) }, 3) : undefined;
    case 0x4d: // ESC M n (0/48 font A, 1/49 font B)
      return b.has(3) ? done({ kind: 'font', fontB: (b.at(2) & 3) === 1 }, 3) : undefined;
    case 0x64: // ESC d n
      return b.has(3) ? done({ kind: 'feed-lines', lines: b.at(2) }, 3) : undefined;
    case 0x4a: // ESC J n
      return b.has(3) ? done({ kind: 'feed-dots', dots: b.at(2) }, 3) : undefined;
    case 0x65: // ESC e n: reverse feed, prints the buffer first
      return b.has(3) ? done({ kind: 'feed-dots', dots: 0 }, 3) : undefined;
    case 0x24: // ESC $ nL nH
      return b.has(4) ? done({ kind: 'absolute-position', dots: b.word(2) }, 4) : undefined;
    case 0x5c: {
      // ESC \ nL nH: signed 16-bit relative position
      if (!b.has(4)) return undefined;
      const value = b.word(2);
      return done({ kind: 'relative-position', dots: value >= 0x8000 ? value - 0x10000 : value }, 4);
    }
    case 0x70: // ESC p m t1 t2
      return fixed(b, 5, { kind: 'drawer-kick' });
    case 0x69: // ESC i: partial cut (one point left)
    case 0x6d: // ESC m: partial cut (three points left)
      return done({ kind: 'cut', cut: 'partial' }, 2);
    case 0x32: // ESC 2: default line spacing
    case 0x3c: // ESC <: return home
    case 0x4c: // ESC L: page mode
    case 0x53: // ESC S: standard mode
    case 0x0c: // ESC FF: print page
    case 0x76: // ESC v: legacy paper sensor status
      return done(IGNORED, 2);
    case 0x20: // ESC SP n: right-side character spacing
    case 0x25: // ESC % n: user-defined characters on/off
    case 0x33: // ESC 3 n: line spacing
    case 0x3d: // ESC = n: select peripheral device
    case 0x3f: // ESC ? n: cancel user-defined character
    case 0x47: // ESC G n: double-strike
    case 0x52: // ESC R n: international character set
    case 0x54: // ESC T n: page mode print direction
    case 0x55: // ESC U n: unidirectional printing
    case 0x56: // ESC V n: 90° rotation
    case 0x72: // ESC r n: print color
    case 0x74: // ESC t n: character code table
    case 0x75: // ESC u n: legacy peripheral status
    case 0x7b: // ESC { n: upside-down printing
      return fixed(b, 3);
    case 0x63: // ESC c 3 n, ESC c 4 n, ESC c 5 n: panel / paper sensor settings
      return fixed(b, 4);
    case 0x57: // ESC W xL xH yL yH dxL dxH dyL dyH: page mode print area
      return fixed(b, 10);
    case 0x28: // ESC ( fn pL pH …
      return withParameterLength(b);
    case 0x44: {
      // ESC D n1 … nk NUL: horizontal tab positions (at most 32)
      const nul = b.findNul(2, 33);
      if (nul >= 0) return done(IGNORED, nul + 1);
      return b.has(2 + 33) ? skipUnknown() : undefined;
    }
    case 0x2a: {
      // ESC * m nL nH d…: bit image, 8-dot (m 0/1) or 24-dot (m 32/33) bands; single density doubles dots
      if (!b.has(5)) return undefined;
      const m = b.at(2);
      const columns = b.word(3);
      if (m !== 0 && m !== 1 && m !== 32 && m !== 33) return skipUnknown();
      const tall = m >= 32;
      const widthDots = m === 0 || m === 32 ? columns * 2 : columns;
      const command: EscPosCommand = { kind: 'bit-image-band', widthDots, heightDots: tall ? 24 : 8 };
      return done(command, 5, tall ? columns * 3 : columns);
    }
    case 0x26: {
      // ESC & y c1 c2 [x d1…d(y×x)]…: define user-defined characters
      if (!b.has(5)) return undefined;
      const y = b.at(2);
      const first = b.at(3);
      const last = b.at(4);
      if (y < 1 || y > 3 || first < 0x20 || last > 0x7e || last < first) return skipUnknown();
      return repeatedRecords(b, 5, last - first + 1, (offset) =>
        b.has(offset + 1) ? 1 + y * b.at(offset) : undefined,
      );
    }
    default:
      return skipUnknown();
  }
}

function readBarcode(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(3)) return undefined;
  const m = b.at(2);
  if (m <= 6) {
    // Function A: data terminated by NUL.
    const nul = b.findNul(3, MAX_NUL_TERMINATED);
    if (nul >= 0) return done({ kind: 'barcode', m, data: b.slice(3, nul) }, nul + 1);
    return b.has(3 + MAX_NUL_TERMINATED) ? skipUnknown() : undefined;
  }
  if (m >= 65 && m <= 79) {
    // Function B: one length byte, then the data.
    if (!b.has(4)) return undefined;
    const total = 4 + b.at(3);
    return b.has(total) ? done({ kind: 'barcode', m, data: b.slice(4, total) }, total) : undefined;
  }
  return skipUnknown();
}

/** `GS ( k pL pH cn fn …`: 2D symbols; only QR Code (cn = 49) store and print matter here. */
function readSymbol(b: CommandBytes): ReadCommand | undefined {
  const read = withParameterLength(b);
  if (read === undefined) return undefined;
  const parameterLength = read.length - 5;
  const cn = b.at(5);
  const fn = b.at(6);
  if (cn === 49 && fn === 80 && parameterLength >= 3) {
    return done({ kind: 'qr-store', data: b.slice(8, read.length) }, read.length);
  }
  if (cn === 49 && fn === 81 && parameterLength >= 2) return done({ kind: 'qr-print' }, read.length);
  return read;
}

/** Parameters of graphics fn 112 start at `offset`: a bx by c xL xH yL yH. */
function graphicsStore(b: CommandBytes, offset: number): EscPosCommand {
  const widthDots = b.word(offset + 4) * Math.max(1, b.at(offset + 1));
  const heightDots = b.word(offset + 6) * Math.max(1, b.at(offset + 2));
  return { kind: 'graphics-store', widthDots, heightDots };
}

/** `GS ( L pL pH m fn …`: graphics; fn 112 stores raster data, fn 2 / 50 prints it. */
function readGraphics(b: CommandBytes): ReadCommand | undefined {
  const read = withParameterLength(b);
  if (read === undefined) return undefined;
  const fn = b.at(6);
  if (fn === 112 && read.length >= 5 + 10) return done(graphicsStore(b, 7), read.length);
  if ((fn === 2 || fn === 50) && read.length >= 7) return done({ kind: 'graphics-print' }, read.length);
  return read;
}

/** `GS 8 L p1 p2 p3 p4 m fn …`: graphics with a 32-bit parameter length. */
function readLargeGraphics(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(3)) return undefined;
  if (b.at(2) !== 0x4c) return skipUnknown();
  if (!b.has(7)) return undefined;
  const parameterLength = b.word(3) + b.word(5) * 0x10000;
  if (parameterLength >= 10) {
    if (!b.has(17)) return undefined;
    const command = b.at(8) === 112 ? graphicsStore(b, 9) : IGNORED;
    return done(command, 17, parameterLength - 10);
  }
  return done(IGNORED, 7, parameterLength);
}

function readGs(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(2)) return undefined;
  const fn = b.at(1);
  switch (fn) {
    case 0x21: {
      // GS ! n: width multiplier in the high nibble, height in the low one
      if (!b.has(3)) return undefined;
      const n = b.at(2);
      return done({ kind: 'character-size', width: ((n >> 4) & 7) + 1, height: (n & 7) + 1 }, 3);
    }
    case 0x42: // GS B n
      return b.has(3) ? done({ kind: 'invert', on: (b.at(2) & 1) === 1 }, 3) : undefined;
    case 0x57: // GS W nL nH
      return b.has(4) ? done({ kind: 'print-area-width', dots: b.word(2) }, 4) : undefined;
    case 0x56: {
      // GS V m [n]
      if (!b.has(3)) return undefined;
      const m = b.at(2);
      if (m === 0 || m === 48) return done({ kind: 'cut', cut: 'full' }, 3);
      if (m === 1 || m === 49) return done({ kind: 'cut', cut: 'partial' }, 3);
      if (m === 65 || m === 97 || m === 103) return fixed(b, 4, { kind: 'cut', cut: 'full' });
      if (m === 66 || m === 98 || m === 104) return fixed(b, 4, { kind: 'cut', cut: 'partial' });
      return skipUnknown();
    }
    case 0x6b: // GS k
      return readBarcode(b);
    case 0x28: {
      // GS ( fn pL pH …
      if (!b.has(3)) return undefined;
      const sub = b.at(2);
      if (sub === 0x6b) return readSymbol(b);
      if (sub === 0x4c) return readGraphics(b);
      return withParameterLength(b);
    }
    case 0x38: // GS 8 L
      return readLargeGraphics(b);
    case 0x76: {
      // GS v 0 m xL xH yL yH d…: raster bit image; m bit 0 doubles the width, bit 1 the height
      if (!b.has(3)) return undefined;
      if (b.at(2) !== 0x30) return skipUnknown();
      if (!b.has(8)) return undefined;
      const m = b.at(3);
      const bytesPerRow = b.word(4);
      const rows = b.word(6);
      const widthDots = bytesPerRow * 8 * (m & 1 ? 2 : 1);
      const heightDots = rows * (m & 2 ? 2 : 1);
      return done({ kind: 'image', widthDots, heightDots }, 8, bytesPerRow * rows);
    }
    case 0x2a: {
      // GS * x y d…: define downloaded bit image (x × y × 8 bytes)
      if (!b.has(4)) return undefined;
      return done(IGNORED, 4, b.at(2) * b.at(3) * 8);
    }
    case 0x3a: // GS : macro definition start/end
    case 0x63: // GS c: print counter
      return done(IGNORED, 2);
    case 0x2f: // GS / m: print downloaded bit image
    case 0x45: // GS E n: print density
    case 0x48: // GS H n: HRI position
    case 0x49: // GS I n: transmit printer ID
    case 0x54: // GS T n: print position to line start
    case 0x61: // GS a n: automatic status back
    case 0x62: // GS b n: smoothing
    case 0x66: // GS f n: HRI font
    case 0x68: // GS h n: bar code height
    case 0x6a: // GS j n: automatic ink status back
    case 0x72: // GS r n: transmit status
    case 0x77: // GS w n: bar code module width
      return fixed(b, 3);
    case 0x24: // GS $ nL nH: page mode vertical position
    case 0x4c: // GS L nL nH: left margin
    case 0x50: // GS P x y: motion units
    case 0x5c: // GS \ nL nH: page mode relative vertical position
      return fixed(b, 4);
    case 0x5e: // GS ^ r t m: execute macro
    case 0x7a: // GS z 0 t1 t2: online recovery wait time
      return fixed(b, 5);
    case 0x67: // GS g 0 m nL nH / GS g 2 m nL nH: maintenance counters
      return fixed(b, 6);
    default:
      return skipUnknown();
  }
}

function readFs(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(2)) return undefined;
  switch (b.at(1)) {
    case 0x26: // FS &: Kanji mode on
    case 0x2e: // FS .: Kanji mode off
      return done(IGNORED, 2);
    case 0x21: // FS ! n
    case 0x2d: // FS - n
    case 0x43: // FS C n
    case 0x57: // FS W n
      return fixed(b, 3);
    case 0x3f: // FS ? c1 c2
    case 0x53: // FS S n1 n2
    case 0x70: // FS p n m: print NV bit image (size unknown here)
      return fixed(b, 4);
    case 0x32: // FS 2 c1 c2 d1…d72: define a 24×24 Kanji character
      return fixed(b, 4 + 72);
    case 0x28: // FS ( fn pL pH …
      return withParameterLength(b);
    case 0x71: {
      // FS q n [xL xH yL yH d1…dk]1…n: define NV bit images (k = x × y × 8)
      if (!b.has(3)) return undefined;
      const images = b.at(2);
      if (images === 0) return skipUnknown();
      return repeatedRecords(b, 3, images, (offset) =>
        b.has(offset + 4) ? 4 + b.word(offset) * b.word(offset + 2) * 8 : undefined,
      );
    }
    default:
      return skipUnknown();
  }
}

function readDle(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(2)) return undefined;
  switch (b.at(1)) {
    case EOT: {
      // DLE EOT n: real-time status; n = 7 and 8 take one more parameter (ink / paper sensor on some models)
      if (!b.has(3)) return undefined;
      const n = b.at(2);
      if (n === 1 || n === 2 || n === 3 || n === 4) return done({ kind: 'status-request', n }, 3);
      if (n === 7 || n === 8) return fixed(b, 4);
      return done(UNKNOWN, 3);
    }
    case ENQ: // DLE ENQ n: real-time request (recover / clear buffer)
      return fixed(b, 3);
    case DC4: {
      if (!b.has(3)) return undefined;
      switch (b.at(2)) {
        case 1: // DLE DC4 1 m t: real-time drawer pulse
          return fixed(b, 5, { kind: 'drawer-kick' });
        case 2: // DLE DC4 2 1 8: power off
        case 3: // DLE DC4 3 a b: buzzer
          return fixed(b, 5);
        case 7: // DLE DC4 7 m: transmit specified status
          return fixed(b, 4);
        case 8: // DLE DC4 8 d1…d7: clear buffers
          return fixed(b, 10);
        default:
          return done(UNKNOWN, 3);
      }
    }
    default:
      // A lone DLE prints nothing; let the next byte be read on its own.
      return done(IGNORED, 1);
  }
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
  const bytes = new CommandBytes(buf, offset);
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
