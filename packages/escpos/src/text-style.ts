/** Horizontal alignment of a printed line (`ESC a`). */
export type TextAlign = 'left' | 'center' | 'right';

/** Character size: `double` is double width and double height (`GS !`). */
export type TextSize = 'normal' | 'double-width' | 'double-height' | 'double';

/** Character attributes that apply to whole printed lines. */
export interface TextStyle {
  bold: boolean;
  underline: boolean;
  /** White on black (`GS B`). */
  invert: boolean;
  align: TextAlign;
  size: TextSize;
}

/** The style a printer is in after `ESC @`. */
export const DEFAULT_TEXT_STYLE: Readonly<TextStyle> = {
  bold: false,
  underline: false,
  invert: false,
  align: 'left',
  size: 'normal',
};

/** Horizontal and vertical magnification (1 or 2) of a text size. */
export function sizeMultipliers(size: TextSize): { width: number; height: number } {
  return {
    width: size === 'double-width' || size === 'double' ? 2 : 1,
    height: size === 'double-height' || size === 'double' ? 2 : 1,
  };
}

/**
 * The text size for printer magnifications; anything above 1 counts as doubled, so a 3× width
 * (`GS !` allows up to 8×) reports as `double-width`.
 */
export function sizeFromMultipliers(width: number, height: number): TextSize {
  if (width > 1 && height > 1) return 'double';
  if (width > 1) return 'double-width';
  if (height > 1) return 'double-height';
  return 'normal';
}
