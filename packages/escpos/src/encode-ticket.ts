/*
 * Hand-written encoder rather than receiptline (which is a dependency and was evaluated first):
 * receiptline's ESC/POS output rasterises QR codes (GS 8 L graphics instead of GS ( k, so the data
 * cannot be read back by our decoder or a printer emulator), positions columns with ESC $ instead of
 * spaces, draws rules with code page 1 box characters, always cuts partially, has no drawer kick,
 * limits QR modules to 3–8 dots and appends a GS r status request. Mapping our documents onto its
 * markup would also need escaping of its markup characters. The command set we need is small and
 * documented, so the table below is simpler than working around those differences.
 */
import type { PrinterProfile, TicketBlock, TicketDocument } from '@printermaster/protocol';
import { estimateBarcodeModules, toBarcodeCommandData } from './barcode-symbology.js';
import { CodePageChooser } from './code-page-chooser.js';
import { DEFAULT_PRINTER_PROFILE } from './default-printer-profile.js';
import { escPosCommand } from './escpos-command.js';
import { EscPosWriter } from './escpos-writer.js';
import { checkDocumentImages, DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-limits.js';
import { layoutColumns } from './layout-columns.js';
import { pngToRaster } from './png-to-raster.js';
import { writeQrBlock } from './qr-block.js';
import { writeRasterColumns, writeRasterText } from './raster-text-lines.js';
import { sizeMultipliers, type TextStyle } from './text-style.js';
import { TicketImageError } from './ticket-image-error.js';
import type { UnencodableText } from './unencodable-text.js';
import { wrapText } from './wrap-text.js';

/** Options that are not part of the document itself. */
export interface EncodeTicketOptions {
  /**
   * Text printed first, centered, bold, double size and white on black, followed by a `=` rule,
   * so the ticket visibly says e.g. `REPRINT`. Blank or absent: no banner.
   */
  banner?: string;
  /** What the document's images may cost; default `DEFAULT_IMAGE_LIMITS`. */
  imageLimits?: ImageLimits;
  /**
   * The printer's code pages, in its order of preference, whether it prints raster images (absent:
   * it does) and its paper width in dots; default `DEFAULT_PRINTER_PROFILE`. A document's own
   * `paperWidth` wins over the profile's.
   */
  profile?: Readonly<EncoderProfile>;
}

/** What the encoder reads of a printer profile. */
export type EncoderProfile = Pick<PrinterProfile, 'codePages'> &
  Partial<Pick<PrinterProfile, 'raster' | 'paperWidthDots'>>;

/** A ticket's bytes and the text in it that could not be printed as characters. */
export interface EncodedTicket {
  bytes: Uint8Array;
  /**
   * Text printed with `?` for some characters: empty when every character printed as itself or,
   * on a printer that prints raster images, as a picture of itself.
   */
  unencodable: UnencodableText[];
}

/** Paper geometry in font A (12×24 dots) on a 203 dpi head. */
interface PaperLayout {
  columns: number;
  dots: number;
  /** Largest width × height of one source image. */
  maxImagePixels: number;
}

const PAPER_LAYOUTS: Readonly<Record<58 | 80, Omit<PaperLayout, 'maxImagePixels'>>> = {
  58: { columns: 32, dots: 384 },
  80: { columns: 48, dots: 576 },
};

/** Paper geometry for a document's `paperWidth`, else the profile's width in dots, else 80 mm. */
function paperLayout(paperWidth: 58 | 80 | undefined, profileDots?: number): Omit<PaperLayout, 'maxImagePixels'> {
  if (paperWidth !== undefined || profileDots === undefined) return PAPER_LAYOUTS[paperWidth ?? 80];
  return { columns: Math.max(1, Math.floor(profileDots / 12)), dots: profileDots };
}

const DEFAULT_BARCODE_HEIGHT = 80;
const FINAL_FEED_LINES = 3;

/** What writing one block needs besides the block. */
interface BlockContext {
  writer: EscPosWriter;
  paper: PaperLayout;
  chooser: CodePageChooser;
  /** Text no code page holds is drawn as a raster image rather than printed with `?`. */
  raster: boolean;
  unencodable: UnencodableText[];
  blockIndex: number | null;
}

/**
 * Tabs become spaces; other control characters become `?` like any character the printer's code
 * pages lack, and such text is recorded in `ctx.unencodable`.
 */
function printable(ctx: BlockContext, text: string): string {
  const result = ctx.chooser.printable(text.replaceAll('\t', ' '));
  if (result.missing.length > 0) {
    ctx.unencodable.push({ blockIndex: ctx.blockIndex, text, characters: result.missing });
  }
  return result.text;
}

/** Whether `text` has characters none of the printer's code pages hold, and the printer can draw them instead. */
function needsRaster(ctx: BlockContext, text: string): boolean {
  return ctx.raster && ctx.chooser.printable(text).missing.length > 0;
}

/** Newlines in a one-line field (a column) print as spaces rather than breaking the row. */
function printableSingleLine(ctx: BlockContext, text: string): string {
  return printable(ctx, text.replace(/\r\n|[\r\n]/g, ' '));
}

function writeBlock(ctx: BlockContext, block: TicketBlock): void {
  const { writer, paper } = ctx;
  switch (block.type) {
    case 'text': {
      const size = block.size ?? 'normal';
      const columns = Math.floor(paper.columns / sizeMultipliers(size).width);
      const style: TextStyle = {
        bold: block.bold ?? false,
        underline: block.underline ?? false,
        invert: block.invert ?? false,
        align: block.align ?? 'left',
        size,
      };
      writer.setStyle(style);
      for (const paragraph of block.text.split(/\r\n|\r|\n/)) {
        if (needsRaster(ctx, paragraph)) {
          writeRasterText(writer, paragraph.replaceAll('\t', ' '), style, paper.dots);
          writer.setStyle(style);
          continue;
        }
        for (const line of wrapText(printable(ctx, paragraph), columns)) writer.printLine(line);
      }
      return;
    }
    case 'columns':
      if (needsRaster(ctx, `${block.left}${block.right}`)) {
        const oneLine = (text: string) => text.replace(/\r\n|[\r\n\t]/g, ' ');
        writeRasterColumns(writer, oneLine(block.left), oneLine(block.right), block.bold ?? false, paper.dots);
        return;
      }
      writer.setStyle({ bold: block.bold ?? false });
      for (const line of layoutColumns(
        printableSingleLine(ctx, block.left),
        printableSingleLine(ctx, block.right),
        paper.columns,
      )) {
        writer.printLine(line);
      }
      return;
    case 'separator': {
      // A rule is decoration: a character no code page holds becomes `-` rather than a picture.
      const wanted = block.char ?? '-';
      const char = (needsRaster(ctx, wanted) ? '-' : printableSingleLine(ctx, wanted)).charAt(0) || '-';
      writer.setStyle({});
      writer.printLine(char.repeat(paper.columns));
      return;
    }
    case 'barcode': {
      const symbology = block.symbology ?? 'code128';
      const { m, data } = toBarcodeCommandData(symbology, block.data);
      // Two-dot modules scan reliably; fall back to one dot rather than overflow the paper (the printer
      // would then print nothing at all).
      const moduleWidth = estimateBarcodeModules(symbology, block.data) * 2 <= paper.dots ? 2 : 1;
      writer.setStyle({ align: 'center' });
      writer.command(escPosCommand.barcodeHeight(block.height ?? DEFAULT_BARCODE_HEIGHT));
      writer.command(escPosCommand.barcodeModuleWidth(moduleWidth));
      writer.command(escPosCommand.barcodeTextPosition(block.hri ?? true));
      writer.command(escPosCommand.barcodeTextFontA());
      writer.command(escPosCommand.barcode(m, data));
      return;
    }
    case 'qr':
      writeQrBlock(writer, block);
      return;
    case 'image': {
      const raster = pngToRaster(block.png, paper.dots, paper.maxImagePixels);
      writer.setStyle({ align: block.align ?? 'center' });
      writer.command(escPosCommand.rasterImage(raster.bytesPerRow, raster.heightDots, raster.data));
      return;
    }
    case 'feed':
      writer.setStyle({});
      writer.command(escPosCommand.feedLines(block.lines));
      return;
    case 'cut':
      writer.setStyle({});
      writer.command(escPosCommand.cut(block.partial ?? false));
      return;
    case 'drawer':
      writer.command(escPosCommand.drawerKick(block.pin ?? 2));
      return;
  }
}

function writeBanner(ctx: BlockContext, banner: string): void {
  const bannerCtx = { ...ctx, blockIndex: null };
  // One space of padding on each side makes the black box wider than the letters.
  writeBlock(bannerCtx, {
    type: 'text',
    text: ` ${banner} `,
    bold: true,
    invert: true,
    align: 'center',
    size: 'double',
  });
  writeBlock(bannerCtx, { type: 'separator', char: '=' });
  ctx.writer.setStyle({});
}

function newContext(paper: PaperLayout, profile: Readonly<EncoderProfile>): BlockContext {
  const chooser = CodePageChooser.for(profile.codePages);
  const raster = profile.raster ?? true;
  return { writer: new EscPosWriter(chooser), paper, chooser, raster, unencodable: [], blockIndex: null };
}

/**
 * Only a banner (as `encodeTicket` prints it), with no cut, to put in front of
 * raw ESC/POS content such as a reprinted job. The content's own `ESC @`
 * resets the printer after it, so the banner cannot change how the rest prints.
 */
export function encodeBanner(
  banner: string,
  paperWidth: 58 | 80 = 80,
  profile: Readonly<EncoderProfile> = DEFAULT_PRINTER_PROFILE,
): Uint8Array {
  const ctx = newContext({ ...PAPER_LAYOUTS[paperWidth], maxImagePixels: 0 }, profile);
  ctx.writer.initialize(ctx.paper.dots);
  writeBanner(ctx, banner.trim() || banner);
  return ctx.writer.toBytes();
}

/**
 * Renders a ticket document to ESC/POS bytes for an 80 mm (48 columns, 576 dots, the default) or
 * 58 mm (32 columns, 384 dots) printer, font A.
 *
 * The output starts with `ESC @` and always ends with a cut: a document whose last block is not a
 * `cut` gets a 3-line feed and a full cut appended. Each line of text is printed in the first of the
 * printer's code pages (`options.profile`) that holds all of it, selected with `ESC t n` when it
 * changes; a line no single page holds is split between pages. Text with characters none of them
 * holds (Arabic, Hebrew, CJK, emoji) is drawn as raster images of its lines in the shipped pixel font,
 * right-to-left where it is; on a printer without raster (`profile.raster` false) those characters
 * print as `?` (see {@link encodeTicketWithReport} to learn which). Text wraps at the paper width (half as many characters for double width);
 * columns keep the right side intact and truncate the left. Barcodes are centered; QR codes and
 * images use their `align` (default centered). The result is deterministic: the same document and
 * options always give the same bytes.
 *
 * @throws RangeError when a barcode's data is invalid for its symbology; `TicketImageError` (a
 * RangeError) when an image is not a usable PNG or is over `imageLimits`. Nothing sensible could be
 * printed for them.
 */
export function encodeTicket(doc: TicketDocument, options: EncodeTicketOptions = {}): Uint8Array {
  return encodeTicketWithReport(doc, options).bytes;
}

/**
 * {@link encodeTicket}, also listing the text that printed with `?` because none of the printer's
 * code pages holds some of its characters.
 */
export function encodeTicketWithReport(doc: TicketDocument, options: EncodeTicketOptions = {}): EncodedTicket {
  const limits = options.imageLimits ?? DEFAULT_IMAGE_LIMITS;
  // Every image is measured from its header before the first one is decoded.
  checkDocumentImages(doc, limits);
  const paper = {
    ...paperLayout(doc.paperWidth, options.profile?.paperWidthDots),
    maxImagePixels: limits.maxImagePixels,
  };
  const ctx = newContext(paper, options.profile ?? DEFAULT_PRINTER_PROFILE);
  const { writer } = ctx;
  writer.initialize(paper.dots);

  const banner = options.banner?.trim();
  if (banner) writeBanner(ctx, banner);

  doc.blocks.forEach((block, blockIndex) => {
    try {
      writeBlock({ ...ctx, blockIndex }, block);
    } catch (err) {
      if (!(err instanceof TicketImageError)) throw err;
      throw new TicketImageError(err.problem, `image in block ${blockIndex}: ${err.message}`, {
        blockIndex,
        ...err.details,
      });
    }
  });

  if (doc.blocks.at(-1)?.type !== 'cut') {
    writer.setStyle({});
    writer.command(escPosCommand.feedLines(FINAL_FEED_LINES));
    writer.command(escPosCommand.cut(false));
  }
  return { bytes: writer.toBytes(), unencodable: ctx.unencodable };
}
