import { ByteSink } from './byte-sink.js';
import type { DecodedTicket } from './decoded-ticket.js';
import { DRAWN_LINE_ROWS, MAX_DRAWN_LINE_BYTES_PER_ROW } from './drawn-text-reader.js';
import type { StatusRequestKind } from './printer-status.js';
import { type EscPosCommand, readCommand } from './read-command.js';
import { TicketAssembler } from './ticket-assembler.js';

/** Something a printer emulator has to act on, in stream order. */
export type StreamEvent =
  /** A cut completed a ticket; `bytes` are exactly the stream bytes of that ticket (cut included). */
  | { kind: 'ticket'; ticket: DecodedTicket; bytes: Uint8Array }
  /** A real-time `DLE EOT n` request: a printer answers it at once, even in the middle of a job. */
  | { kind: 'status-request'; n: StatusRequestKind };

const EMPTY = new Uint8Array(0);

/** A `GS v 0` image being received whose data is kept: it may be a line of drawn text. */
interface RasterCapture {
  bytesPerRow: number;
  rows: number;
  data: Uint8Array;
  received: number;
}

/**
 * The data of an image the size of a drawn line of text (not magnified, 30 or 54 rows, at most 128
 * bytes a row: 6.9 KB at most) is kept until it is complete; any other image's data is skipped.
 */
function captureFor(command: EscPosCommand, payload: number): RasterCapture | undefined {
  if (command.kind !== 'image' || payload === 0) return undefined;
  const bytesPerRow = command.widthDots / 8;
  const rows = command.heightDots;
  // GS v 0 with m = 0: the header's size is the data's; doubled images are never drawn text.
  if (bytesPerRow * rows !== payload || bytesPerRow > MAX_DRAWN_LINE_BYTES_PER_ROW) return undefined;
  if (!DRAWN_LINE_ROWS.includes(rows)) return undefined;
  return { bytesPerRow, rows, data: new Uint8Array(payload), received: 0 };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Incremental ESC/POS decoder for a TCP printer emulator. Feed it chunks as they arrive; it reports
 * each completed ticket and each status request as soon as the bytes for it are in. A command split
 * across chunks is kept until the rest arrives (image data is counted off instead of buffered, except
 * for images the size of a drawn line of text, kept so the text can be read back), so the result does
 * not depend on how the stream is chunked. Printer modes carry over from ticket to
 * ticket, as on a real printer. Never throws on malformed input.
 */
export class EscPosStreamDecoder {
  /** Received bytes not decoded yet: the start of an incomplete command. */
  #pending: Uint8Array = EMPTY;
  /** Image data bytes still to skip. */
  #skip = 0;
  /** The image whose data is being received and kept, if any. */
  #capture: RasterCapture | undefined;
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
      if (this.#capture !== undefined) {
        pos += this.#receive(this.#capture, buf.subarray(pos));
        continue;
      }
      const read = readCommand(buf, pos);
      if (read === undefined) break;
      this.#ticketBytes.push(buf.subarray(pos, pos + read.length));
      pos += read.length;
      const { command } = read;
      this.#capture = captureFor(command, read.payload);
      if (this.#capture !== undefined) continue;
      this.#skip = read.payload;
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

  /** Keeps what `bytes` holds of the capture's data; returns how many bytes it took. */
  #receive(capture: RasterCapture, bytes: Uint8Array): number {
    const count = Math.min(capture.data.length - capture.received, bytes.length);
    const part = bytes.subarray(0, count);
    capture.data.set(part, capture.received);
    capture.received += count;
    this.#ticketBytes.push(part);
    if (capture.received === capture.data.length) {
      this.#capture = undefined;
      this.#assembler.printRaster(capture.bytesPerRow, capture.rows, capture.data);
    }
    return count;
  }

  /**
   * Ends the stream (the connection closed): returns the content received since the last cut as a
   * ticket with `cut: null`, or `undefined` if nothing was printed in it (only commands, feeds or blank
   * lines). An incomplete command at the very end is counted in `byteLength` but otherwise ignored.
   * The decoder is then back in its initial state.
   */
  flush(): DecodedTicket | undefined {
    this.#ticketBytes.push(this.#pending);
    // An image cut short still printed as an image, as one whose data is skipped does.
    const capture = this.#capture;
    if (capture !== undefined) {
      this.#assembler.apply({ kind: 'image', widthDots: capture.bytesPerRow * 8, heightDots: capture.rows });
    }
    this.#capture = undefined;
    const ticket = this.#assembler.hasContent ? this.#assembler.finish(null, this.#ticketBytes.length) : undefined;
    this.#pending = EMPTY;
    this.#skip = 0;
    this.#ticketBytes = new ByteSink(4096);
    this.#assembler = new TicketAssembler();
    return ticket;
  }
}
