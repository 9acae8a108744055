import type { DecodedTicket } from './decoded-ticket.js';
import { EscPosStreamDecoder } from './escpos-stream-decoder.js';

/**
 * Decodes an ESC/POS byte stream into tickets, splitting after each cut (`GS V` in all its forms,
 * `ESC i`, `ESC m`). Content after the last cut becomes a final ticket with `cut: null` when it
 * prints something or kicks the drawer; otherwise it is dropped. Status requests are ignored. Unknown
 * commands are skipped and counted in `unknownCommands`; malformed input never throws.
 */
export function decodeEscPos(bytes: Uint8Array): DecodedTicket[] {
  const decoder = new EscPosStreamDecoder();
  const tickets: DecodedTicket[] = [];
  for (const event of decoder.push(bytes)) {
    if (event.kind === 'ticket') tickets.push(event.ticket);
  }
  const rest = decoder.flush();
  if (rest !== undefined) tickets.push(rest);
  return tickets;
}
