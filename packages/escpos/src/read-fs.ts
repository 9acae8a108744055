import { type CommandBytes, done, IGNORED, skipUnknown } from './command-bytes.js';
import type { ReadCommand } from './read-command.js';

/** Reads an `FS …` command (Kanji and NV images, none with a visible effect here); see `readCommand`. */
export function readFs(b: CommandBytes): ReadCommand | undefined {
  if (!b.has(2)) return undefined;
  switch (b.at(1)) {
    case 0x26: // FS &: Kanji mode on
    case 0x2e: // FS .: Kanji mode off
      return done(IGNORED, 2);
    case 0x21: // FS ! n
    case 0x2d: // FS - n
    case 0x43: // FS C n
    case 0x57: // FS W n
      return b.fixed(3);
    case 0x3f: // FS ? c1 c2
    case 0x53: // FS S n1 n2
    case 0x70: // FS p n m: print NV bit image (size unknown here)
      return b.fixed(4);
    case 0x32: // FS 2 c1 c2 d1…d72: define a 24×24 Kanji character
      return b.fixed(4 + 72);
    case 0x28: // FS ( fn pL pH …
      return b.withParameterLength();
    case 0x71: {
      // FS q n [xL xH yL yH d1…dk]1…n: define NV bit images (k = x × y × 8)
      if (!b.has(3)) return undefined;
      const images = b.at(2);
      if (images === 0) return skipUnknown();
      return b.repeatedRecords(3, images, (offset) =>
        b.has(offset + 4) ? 4 + b.word(offset) * b.word(offset + 2) * 8 : undefined,
      );
    }
    default:
      return skipUnknown();
  }
}
