import type { PrinterProfile, TicketDocument } from '@printermaster/protocol';

/**
 * Renders documents to ESC/POS; `banner` is printed first in large type (e.g. REPRINT).
 * Rendering may take seconds of CPU (images), so it is asynchronous and runs off the event loop.
 */
export interface TicketRenderer {
  /**
   * Encodes for `profile` (code pages, raster, paper width) when given, else for the default printer.
   * @throws GatewayError: `IMAGE_TOO_LARGE`, `JOB_IMAGES_TOO_LARGE` (413), `IMAGE_INVALID`, `BAD_REQUEST`
   * (400) for a document that cannot print, `RENDERER_BUSY` (503) when too many wait for rendering.
   */
  render(document: TicketDocument, banner?: string, profile?: PrinterProfile): Promise<Uint8Array>;
  /** Bytes of a banner alone, placed before raw content. Must not cut the paper. */
  banner(text: string, paperWidth?: number): Uint8Array;
}
