import { type CommandBytes, done, IGNORED, UNKNOWN } from './command-bytes.js';
import { ControlCode } from './control-code.js';
import type { ReadCommand } from './read-command.js';

const { EOT, ENQ, DC4 } = ControlCode;

/** Reads a real-time `DLE …` command (status requests, drawer pulse); see `readCommand`. */
export function readDle(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(2)) return undefined;
  switch (b.at(1)) {
    case EOT: {
      // DLE EOT n: real-time status; n = 7 and 8 take one more parameter (ink / paper sensor on some models)
      if (!b.has(3)) return undefined;
      const n = b.at(2);
      if (n === 1 || n === 2 || n === 3 || n === 4) return done({ kind: 'status-request', n }, 3);
      if (n === 7 || n === 8) return b.fixed(4);
      return done(UNKNOWN, 3);
    }
    case ENQ: // DLE ENQ n: real-time request (recover / clear buffer)
      return b.fixed(3);
    case DC4: {
      if (!b.has(3)) return undefined;
      switch (b.at(2)) {
        case 1: // DLE DC4 1 m t: real-time drawer pulse
          return b.fixed(5, { kind: 'drawer-kick' });
        case 2: // DLE DC4 2 1 8: power off
        case 3: // DLE DC4 3 a b: buzzer
          return b.fixed(5);
        case 7: // DLE DC4 7 m: transmit specified status
          return b.fixed(4);
        case 8: // DLE DC4 8 d1…d7: clear buffers
          return b.fixed(10);
        default:
          return done(UNKNOWN, 3);
      }
    }
    default:
      // A lone DLE prints nothing; let the next byte be read on its own.
      return done(IGNORED, 1);
  }
}
