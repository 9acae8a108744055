import { encodeBanner, encodeTicket } from '@printermaster/escpos';
import type { TicketRenderer } from './core/print-job-service.js';

/** Renders ticket documents with `@printermaster/escpos`. */
export const escposRenderer: TicketRenderer = {
  render: (document, banner) => encodeTicket(document, banner ? { banner } : {}),
  banner: (text, paperWidth) => encodeBanner(text, paperWidth === 58 ? 58 : 80),
};
