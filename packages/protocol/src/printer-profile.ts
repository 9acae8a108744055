import { type Static, Type } from '@sinclair/typebox';

/**
 * The character code tables the ticket encoder knows, by their common names. Each is one of Epson's
 * `ESC t n` tables; the encoder holds the number for each (`cp437` 0, `cp850` 2, `cp737` 14, `cp1252`
 * 16, `cp866` 17, `cp858` 19, `cp1251` 46, `cp1253` 47).
 */
export const CODE_PAGE_NAMES = ['cp437', 'cp850', 'cp858', 'cp1252', 'cp866', 'cp1251', 'cp737', 'cp1253'] as const;

/** One of {@link CODE_PAGE_NAMES}. */
export type CodePageName = (typeof CODE_PAGE_NAMES)[number];

export const CodePageNameSchema = Type.Union(CODE_PAGE_NAMES.map((name) => Type.Literal(name)));

/**
 * What a printer can do, as far as the ticket encoder is concerned.
 */
export const PrinterProfileSchema = Type.Object({
  /**
   * Printable width in dots: 576 for 80 mm paper and 384 for 58 mm on a 203 dpi head (512 and 360 on
   * 180 dpi models such as the TM-T88V).
   */
  paperWidthDots: Type.Integer({ minimum: 8, maximum: 4096 }),
  /**
   * The character code tables the printer has, in order of preference: each text line is printed in
   * the first one that holds every character of the line. Text that none of them holds cannot be
   * printed as characters.
   */
  codePages: Type.Array(CodePageNameSchema, { minItems: 1, maxItems: CODE_PAGE_NAMES.length, uniqueItems: true }),
  /** Whether the printer prints raster images (`GS v 0`), so that text in no code page can be drawn as one. */
  raster: Type.Boolean(),
});
export type PrinterProfile = Static<typeof PrinterProfileSchema>;
