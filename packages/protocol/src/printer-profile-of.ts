import type { CodePageName, PrinterProfile } from './printer-profile.js';

/**
 * The code pages of an Epson TM-T20/TM-T88-class printer, in the encoder's order of preference:
 * CP437 first (so ASCII tickets keep their bytes), then `€`, Western European, Cyrillic, Greek.
 */
export const DEFAULT_CODE_PAGES: readonly CodePageName[] = [
  'cp437',
  'cp858',
  'cp1252',
  'cp866',
  'cp1251',
  'cp737',
  'cp1253',
  'cp850',
];

/**
 * The profile tickets for a printer are encoded for: its own when it has one, else the default
 * for its paper width in millimetres (384 dots for 58 mm paper or narrower, 576 otherwise, 203 dpi),
 * with the default code pages and raster.
 */
export function printerProfileOf(printer: {
  profile: PrinterProfile | null;
  paperWidth: number | null;
}): PrinterProfile {
  if (printer.profile !== null) return printer.profile;
  const paperWidthDots = printer.paperWidth !== null && printer.paperWidth <= 58 ? 384 : 576;
  return { paperWidthDots, codePages: [...DEFAULT_CODE_PAGES], raster: true };
}
