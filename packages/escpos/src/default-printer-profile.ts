import { DEFAULT_CODE_PAGES, type PrinterProfile } from '@printermaster/protocol';

/**
 * An 80 mm, 203 dpi Epson TM-T20/TM-T88-class printer. Those have every table listed here (Epson's
 * code table matrix; escpos-printer-db's TM-T20III and TM-T88V profiles). CP437 comes first so that
 * text it holds prints exactly as before code pages were chosen; CP858 adds `€` to Western
 * European text, CP1252 what CP858 lacks (`Œ`, `š`, curly quotes), then Cyrillic and Greek, and
 * CP850 last for the dotless `ı` that CP858 gave up for `€`.
 */
export const DEFAULT_PRINTER_PROFILE: Readonly<PrinterProfile> = {
  paperWidthDots: 576,
  codePages: [...DEFAULT_CODE_PAGES],
  raster: true,
};
