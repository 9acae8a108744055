import { ByteSink } from './byte-sink.js';
import type { DecodedTicket } from './decoded-ticket.js';
import type { StatusRequestKind } from './printer-status.js';
import { readCommand } from './read-command.js';
import { TicketAssembler } from './ticket-assembler.js';

/** Something a printer emulator has to act on, in stream order. */
export type StreamEvent =
  /** A cut completed a ticket; `bytes` are exactly the stream bytes of that ticket (cut included). */
  | { kind: 'ticket'; ticket: DecodedTicket; bytes: Uint8Array }
  /** A real-time `DLE EOT n` request: a printer answers it at once, even in the middle of a job. */
  | { kind: 'status-request'; n: StatusRequestKind };

const EMPTY = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Incremental ESC/POS decoder for a TCP printer emulator. Feed it chunks as they arrive; it reports
 * each completed ticket and each status request as soon as the bytes for it are in. A command split
 * across chunks is kept until the rest arrives (image data is counted off instead of buffered), so
 * the result does not depend on how the stream is chunked. Printer modes carry over from ticket to
 * ticket, as on a real printer. Never throws on malformed input.
 */
export class EscPosStreamDecoder {
  /** Received bytes not decoded yet: the start of an incomplete command. */
  #pending: Uint8Array = EMPTY;
  /** Image data bytes still to skip. */
  #skip = 0;
  #ticketBytes = new ByteSink(4096);
  #assembler = new TicketAssembler();

  /** Decodes `chunk` (it is copied where needed, so the caller may reuse it) and returns what it completed. */
  push(chunk: Uint8Array): StreamEvent[] {
    const events: StreamEvent[] = [];
    const buf = this.#pending.length > 0 ? concat(this.#pending, chunk) : chunk;
    let pos = 0;
    while (pos < buf.length) {
      if (this.#skip > 0) {
        const count = Math.min(this.#skip, buf.length - pos);
        this.#ticketBytes.push(buf.subarray(pos, pos + count));
        this.#skip -= count;
        pos += count;
        continue;
      }
      const read = readCommand(buf, pos);
      if (read === undefined) break;
      this.#ticketBytes.push(buf.subarray(pos, pos + read.length));
      pos += read.length;
      this.#skip = read.payload;
      const { command } = read;
      if (command.kind === 'status-request') {
        events.push({ kind: 'status-request', n: command.n });
      } else if (command.kind === 'cut') {
        const ticket = this.#assembler.finish(command.cut, this.#ticketBytes.length);
        events.push({ kind: 'ticket', ticket, bytes: this.#ticketBytes.toUint8Array() });
        this.#ticketBytes.clear();
      } else {
        this.#assembler.apply(command);
      }
    }
    this.#pending = pos < buf.length ? buf.slice(pos) : EMPTY;
    return events;
  }

  /**
   * Ends the stream (the connection closed): returns the content received since the last cut as a
   * ticket with `cut: null`, or `undefined` if nothing was printed in it (only commands, feeds or blank
   * lines). An incomplete command at the very end is counted in `byteLength` but otherwise ignored.
   * The decoder is then back in its initial state.
   */
  flush(): DecodedTicket | undefined {
    this.#ticketBytes.push(this.#pending);
    const ticket = this.#assembler.hasContent ? this.#assembler.finish(null, this.#ticketBytes.length) : undefined;
    this.#pending = EMPTY;
    this.#skip = 0;
    this.#ticketBytes = new ByteSink(4096);
    this.#assembler = new TicketAssembler();
    return ticket;
  }
}
