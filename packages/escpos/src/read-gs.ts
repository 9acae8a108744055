import { type CommandBytes, done, IGNORED, skipUnknown } from './command-bytes.js';
import type { EscPosCommand, ReadCommand } from './read-command.js';

/** Data that never legitimately runs this long is treated as a garbled command. */
const MAX_NUL_TERMINATED = 256;

/** Reads a `GS …` command; see `readCommand` for the contract. */
export function readGs(b: CommandBytes): ReadCommand | undefined {
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
    case 0x56:
      return readCut(b);
    case 0x6b: // GS k
      return readBarcode(b);
    case 0x28: {
      // GS ( fn pL pH …
      if (!b.has(3)) return undefined;
      const sub = b.at(2);
      if (sub === 0x6b) return readSymbol(b);
      if (sub === 0x4c) return readGraphics(b);
      return b.withParameterLength();
    }
    case 0x38: // GS 8 L
      return readLargeGraphics(b);
    case 0x76:
      return readRasterImage(b);
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
      return b.fixed(3);
    case 0x24: // GS $ nL nH: page mode vertical position
    case 0x4c: // GS L nL nH: left margin
    case 0x50: // GS P x y: motion units
    case 0x5c: // GS \ nL nH: page mode relative vertical position
      return b.fixed(4);
    case 0x5e: // GS ^ r t m: execute macro
    case 0x7a: // GS z 0 t1 t2: online recovery wait time
      return b.fixed(5);
    case 0x67: // GS g 0 m nL nH / GS g 2 m nL nH: maintenance counters
      return b.fixed(6);
    default:
      return skipUnknown();
  }
}

/** `GS V m [n]`: full or partial cut, with or without a feed to the cutting position first. */
function readCut(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(3)) return undefined;
  const m = b.at(2);
  if (m === 0 || m === 48) return done({ kind: 'cut', cut: 'full' }, 3);
  if (m === 1 || m === 49) return done({ kind: 'cut', cut: 'partial' }, 3);
  if (m === 65 || m === 97 || m === 103) return b.fixed(4, { kind: 'cut', cut: 'full' });
  if (m === 66 || m === 98 || m === 104) return b.fixed(4, { kind: 'cut', cut: 'partial' });
  return skipUnknown();
}

/** `GS k m …`: a bar code, in function A (NUL-terminated) or B (length-prefixed) form. */
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
  const read = b.withParameterLength();
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

/** `GS v 0 m xL xH yL yH d…`: raster bit image; m bit 0 doubles the width, bit 1 the height. */
function readRasterImage(b: CommandBytes): ReadCommand | undefined {
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

/** Parameters of graphics fn 112 start at `offset`: a bx by c xL xH yL yH. */
function graphicsStore(b: CommandBytes, offset: number): EscPosCommand {
  const widthDots = b.word(offset + 4) * Math.max(1, b.at(offset + 1));
  const heightDots = b.word(offset + 6) * Math.max(1, b.at(offset + 2));
  return { kind: 'graphics-store', widthDots, heightDots };
}

/** `GS ( L pL pH m fn …`: graphics; fn 112 stores raster data, fn 2 / 50 prints it. */
function readGraphics(b: CommandBytes): ReadCommand | undefined {
  const read = b.withParameterLength();
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
