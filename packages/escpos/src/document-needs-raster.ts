import type { TicketDocument } from '@printermaster/protocol';
import { CodePageChooser } from './code-page-chooser.js';
import { DEFAULT_PRINTER_PROFILE } from './default-printer-profile.js';
import type { EncoderProfile } from './encode-ticket.js';

/**
 * Whether encoding `doc` will draw text as raster images because none of the profile's code pages
 * holds it. Drawing loads the pixel font (most of a second, once per thread), so a caller that
 * renders small documents on its event loop sends these to a worker thread instead. Cheap: one
 * table lookup per character.
 */
export function documentNeedsRaster(
  doc: TicketDocument,
  profile: Readonly<EncoderProfile> = DEFAULT_PRINTER_PROFILE,
  banner?: string,
): boolean {
  if (profile.raster === false) return false;
  const chooser = CodePageChooser.for(profile.codePages);
  const texts: string[] = banner ? [banner] : [];
  for (const block of doc.blocks) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'columns') texts.push(block.left, block.right);
  }
  return texts.some((text) => chooser.printable(text.replace(/[\t\r\n]/g, ' ')).missing.length > 0);
}
