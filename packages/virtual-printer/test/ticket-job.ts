import { encodeTicket } from '@printermaster/escpos';

type TicketDocument = Parameters<typeof encodeTicket>[0];

/** A small kitchen ticket whose first printed line is `title`, encoded to ESC/POS (ends with a full cut). */
export function ticketJob(title: string, ...lines: string[]): Uint8Array {
  const doc: TicketDocument = {
    blocks: [
      { type: 'text', text: title, bold: true },
      { type: 'separator' },
      ...lines.map((text) => ({ type: 'text' as const, text })),
    ],
  };
  return encodeTicket(doc);
}

/** A job of about `size` bytes (at least that many): one ticket padded with text lines. */
export function ticketJobOfSize(title: string, size: number): Uint8Array {
  const lines: string[] = [];
  let job = ticketJob(title);
  while (job.length < size) {
    lines.push(`line ${lines.length + 1} ${'x'.repeat(30)}`);
    job = ticketJob(title, ...lines);
  }
  return job;
}
