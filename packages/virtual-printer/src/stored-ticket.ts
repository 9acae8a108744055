import type { DecodedTicket } from '@printermaster/escpos';

/** A printed ticket as listed in `tickets.jsonl` and by the control endpoint. */
export interface TicketSummary {
  /** 1, 2, 3… over the printer's life, continued across restarts on the same ticket directory. */
  seq: number;
  /**
   * When the ticket's last byte arrived (ISO 8601). For a ticket held during paper-out or cover-open
   * this is earlier than when it was printed.
   */
  receivedAt: string;
  /** Bytes of the stream that made this ticket, cut command included (the size of its `.bin` file). */
  byteLength: number;
  /** The cut that ended the ticket (`partial` is the paper cut type), `null` if it was never cut. */
  cut: 'full' | 'partial' | null;
  /** The ticket was not ended by a cut: the connection closed or was dropped after printing content. */
  partial: boolean;
  /** The decoded text, as {@link DecodedTicket.text}. */
  text: string;
}

/** A printed ticket with everything the decoder found in it (barcodes, QR data, images, drawer kicks). */
export interface StoredTicket extends TicketSummary {
  decoded: DecodedTicket;
}

/** The summary part of a ticket, for JSON output. */
export function toTicketSummary(ticket: TicketSummary): TicketSummary {
  const { seq, receivedAt, byteLength, cut, partial, text } = ticket;
  return { seq, receivedAt, byteLength, cut, partial, text };
}
