import { type CommandBytes, done, IGNORED, skipUnknown } from './command-bytes.js';
import type { EscPosCommand, ReadCommand } from './read-command.js';
import type { TextAlign } from './text-style.js';

const ALIGNS: readonly TextAlign[] = ['left', 'center', 'right', 'left'];

/** Reads an `ESC …` command; see `readCommand` for the contract. */
export function readEsc(b: CommandBytes): ReadCommand | undefined {
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
    case 0x74: // ESC t n: character code table
      return b.has(3) ? done({ kind: 'code-table', n: b.at(2) }, 3) : undefined;
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
      return b.fixed(5, { kind: 'drawer-kick' });
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
    case 0x75: // ESC u n: legacy peripheral status
    case 0x7b: // ESC { n: upside-down printing
      return b.fixed(3);
    case 0x63: // ESC c 3 n, ESC c 4 n, ESC c 5 n: panel / paper sensor settings
      return b.fixed(4);
    case 0x57: // ESC W xL xH yL yH dxL dxH dyL dyH: page mode print area
      return b.fixed(10);
    case 0x28: // ESC ( fn pL pH …
      return b.withParameterLength();
    case 0x44: {
      // ESC D n1 … nk NUL: horizontal tab positions (at most 32)
      const nul = b.findNul(2, 33);
      if (nul >= 0) return done(IGNORED, nul + 1);
      return b.has(2 + 33) ? skipUnknown() : undefined;
    }
    case 0x2a:
      return readBitImageBand(b);
    case 0x26: {
      // ESC & y c1 c2 [x d1…d(y×x)]…: define user-defined characters
      if (!b.has(5)) return undefined;
      const y = b.at(2);
      const first = b.at(3);
      const last = b.at(4);
      if (y < 1 || y > 3 || first < 0x20 || last > 0x7e || last < first) return skipUnknown();
      return b.repeatedRecords(5, last - first + 1, (offset) => (b.has(offset + 1) ? 1 + y * b.at(offset) : undefined));
    }
    default:
      return skipUnknown();
  }
}

/** `ESC * m nL nH d…`: bit image, 8-dot (m 0/1) or 24-dot (m 32/33) bands; single density doubles dots. */
function readBitImageBand(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(5)) return undefined;
  const m = b.at(2);
  const columns = b.word(3);
  if (m !== 0 && m !== 1 && m !== 32 && m !== 33) return skipUnknown();
  const tall = m >= 32;
  const widthDots = m === 0 || m === 32 ? columns * 2 : columns;
  const command: EscPosCommand = { kind: 'bit-image-band', widthDots, heightDots: tall ? 24 : 8 };
  return done(command, 5, tall ? columns * 3 : columns);
}
