import type { CodePageName } from '@printermaster/protocol';
import { type CodePage, codePage } from './code-page.js';

/** Text made printable: what will be laid out, and what could not be kept. */
export interface PrintableText {
  /** One UTF-16 unit per character cell; characters no code page holds are `?`. */
  text: string;
  /** The characters replaced by `?`, each once, in order of appearance. */
  missing: string[];
}

/** A run of a line printed with one code page selected. */
export interface LineSegment {
  page: CodePage;
  text: string;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7e) return false;
  return true;
}

/** Bit `i` set: page `i` of the list holds the character. */
type PageMask = number;

const MAX_CACHED_CHOOSERS = 64;
const CHOOSERS = new Map<string, CodePageChooser>();

/**
 * Picks, for the text of a ticket, the code pages of the printer's list (in its order of preference)
 * to print it with. Every character of a printable text is held by at least one of the pages, and
 * each page holds only characters of the Basic Multilingual Plane, so one UTF-16 unit is one cell.
 */
export class CodePageChooser {
  readonly pages: readonly CodePage[];
  /** Which pages hold each character above ASCII; one lookup per character instead of one per page. */
  readonly #masks = new Map<string, PageMask>();
  readonly #allPages: PageMask;

  /**
   * The chooser for `names`, built once per list: building one indexes every character of every
   * page, which would otherwise cost more than encoding a ticket.
   */
  static for(names: readonly CodePageName[]): CodePageChooser {
    const key = names.join(',');
    let chooser = CHOOSERS.get(key);
    if (chooser === undefined) {
      chooser = new CodePageChooser(names);
      // Lists come from printer profiles, so there are few; the bound only guards against misuse.
      if (CHOOSERS.size >= MAX_CACHED_CHOOSERS) CHOOSERS.clear();
      CHOOSERS.set(key, chooser);
    }
    return chooser;
  }

  constructor(names: readonly CodePageName[]) {
    if (names.length === 0) throw new RangeError('a printer needs at least one code page');
    this.pages = names.map(codePage);
    this.#allPages = (1 << this.pages.length) - 1;
    this.pages.forEach((page, i) => {
      for (const char of page.bytes.keys()) this.#masks.set(char, (this.#masks.get(char) ?? 0) | (1 << i));
    });
  }

  #mask(char: string): PageMask {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x7e) return this.#allPages;
    return this.#masks.get(char) ?? 0;
  }

  /**
   * NFC-normalises `text` (so a decomposed `é` still maps) and replaces with `?` every code point
   * that no page holds, control characters (`\n` and `\t` included, so callers split lines first) and
   * characters outside the Basic Multilingual Plane among them. Those are listed in `missing`.
   */
  printable(text: string): PrintableText {
    let out = '';
    const missing: string[] = [];
    for (const char of text.normalize('NFC')) {
      if (this.#mask(char) !== 0) {
        out += char;
      } else {
        out += '?';
        if (!missing.includes(char)) missing.push(char);
      }
    }
    return { text: out, missing };
  }

  /**
   * Splits a printable line into runs, each with the code page to select for it. A line of ASCII
   * alone prints the same in every page, so it stays in `current`. Otherwise the whole line goes to
   * the first page that holds all of it; a line that no single page holds (`é` next to `Ж`) is cut
   * where needed, each run in the page that holds the most of what is left (the earlier page on a
   * tie), so that no character is lost.
   */
  segments(line: string, current: CodePage): LineSegment[] {
    if (isAscii(line)) return [{ page: current, text: line }];
    const chars = Array.from(line);
    const masks = chars.map((char) => this.#mask(char));
    const common = masks.reduce((all, mask) => all & mask, this.#allPages);
    if (common !== 0) return [{ page: this.#pageAt(common), text: line }];
    const segments: LineSegment[] = [];
    let start = 0;
    while (start < chars.length) {
      let best: CodePage = this.pages[0] ?? current;
      let bestEnd = start;
      this.pages.forEach((page, i) => {
        let end = start;
        while (end < chars.length && ((masks[end] ?? 0) & (1 << i)) !== 0) end++;
        if (end > bestEnd) {
          best = page;
          bestEnd = end;
        }
      });
      // A character no page holds (not printable) still advances, printed as `?` in the current page.
      if (bestEnd === start) bestEnd = start + 1;
      segments.push({ page: best, text: chars.slice(start, bestEnd).join('') });
      start = bestEnd;
    }
    return segments;
  }

  /** The first page (in the printer's order) of a non-empty mask. */
  #pageAt(mask: PageMask): CodePage {
    const index = 31 - Math.clz32(mask & -mask);
    const page = this.pages[index];
    if (page === undefined) throw new RangeError(`no code page ${index}`);
    return page;
  }
}
