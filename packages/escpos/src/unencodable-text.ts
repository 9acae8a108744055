/**
 * Text of a ticket that printed with `?` in place of some characters, because none of the printer's
 * code pages holds them (Arabic, Hebrew, CJK, emoji, control characters). A later step can print
 * such text as a raster image instead.
 */
export interface UnencodableText {
  /** Index of the document block the text is in; `null` for the banner. */
  blockIndex: number | null;
  /** The text as given (one paragraph of a text block, one side of a columns block, a separator's character). */
  text: string;
  /** The characters printed as `?`, each once, in order of appearance. */
  characters: string[];
}
