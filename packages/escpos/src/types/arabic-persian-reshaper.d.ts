// arabic-persian-reshaper ships no type declarations; this covers the one call the text rasteriser makes.
declare module 'arabic-persian-reshaper' {
  /** Replaces each Arabic letter with its contextual presentation form (U+FB50–U+FEFF). */
  export const ArabicShaper: { convertArabic(text: string): string };
}
