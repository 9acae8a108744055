import type { Socket } from 'node:net';
import { type DecodedTicket, EscPosStreamDecoder, type StatusRequestKind } from '@printermaster/escpos';
import type { Faults } from './faults.js';

/** What a connection needs from the printer it belongs to. */
export interface ConnectionHost {
  /** The current faults; read on every chunk so changes apply at once. */
  readonly faults: Readonly<Faults>;
  /** The byte to answer `DLE EOT n` with right now. */
  statusByte(n: StatusRequestKind): number;
  /** `count` more bytes were read from a connection and decoded. */
  bytesRead(count: number): void;
  /**
   * A ticket arrived: ended by a cut, or (`ticket.cut === null`) content left when the connection
   * ended. `bytes` are exactly its stream bytes.
   */
  ticketReceived(ticket: DecodedTicket, bytes: Uint8Array, receivedAt: Date): void;
  /** This connection reached `faults.dropAfterBytes` and is being cut; the fault is one-shot. */
  dropFired(): void;
  /** The connection has ended (its last ticket, if any, was reported before this). */
  connectionClosed(connection: PrinterConnection): void;
}

/** Throttled reading decodes this much of a second's allowance at a time. */
const THROTTLE_STEP_MS = 50;

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * One TCP connection to the virtual printer: decodes what it receives with its own decoder, answers
 * status requests on the same socket, and applies the per-connection faults (throttling, one-shot drop).
 * The server is created with `allowHalfOpen`, so a client that ends its side early still gets the
 * answers to status requests still being read, and its data is printed before the connection closes.
 */
export class PrinterConnection {
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #decoder = new EscPosStreamDecoder();
  /** Bytes decoded since the last cut: the `.bin` of a ticket left uncut when the connection ends. */
  #sinceCut: Uint8Array[] = [];
  #sinceCutLength = 0;
  /** Bytes decoded on this connection. */
  #received = 0;
  /** `#received` when `dropAfterBytes` was last set, so the limit counts only bytes after that. */
  #dropBase = 0;
  /** Chunks read from the socket but not decoded yet (only while throttled). */
  #queue: Uint8Array[] = [];
  /** When the next throttled slice may be decoded (performance.now() clock). */
  #nextAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #peerEnded = false;
  #finished = false;

  constructor({ socket, host }: { socket: Socket; host: ConnectionHost }) {
    this.#socket = socket;
    this.#host = host;
    socket.setNoDelay(true);
    socket.on('data', this.#onData);
    socket.on('end', this.#onPeerEnd);
    socket.on('close', this.#onPeerEnd);
    // A reset by the client is an ordinary way for a print connection to end; 'close' follows.
    socket.on('error', () => {});
  }

  /** Cuts the connection now (printer going offline or closing); queued throttled data is lost. */
  destroy(): void {
    this.#finish(false);
  }

  /** The faults changed: a new throttle rate applies from now on. */
  faultsChanged(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#nextAt = performance.now();
    this.#drain();
  }

  /** `dropAfterBytes` was set again: count towards it from here. */
  resetDropCount(): void {
    this.#dropBase = this.#received;
  }

  #onData = (chunk: Buffer): void => {
    if (this.#finished) return;
    if (this.#queue.length === 0) {
      if (this.#host.faults.bytesPerSecond === null) {
        this.#accept(chunk);
        return;
      }
      this.#nextAt = Math.max(this.#nextAt, performance.now());
    }
    // Pausing stops reading from the kernel, so a fast sender is slowed by TCP flow control.
    this.#queue.push(chunk);
    this.#socket.pause();
    if (this.#timer === undefined) this.#drain();
  };

  #onPeerEnd = (): void => {
    this.#peerEnded = true;
    if (this.#queue.length === 0) this.#finish(true);
  };

  /** Decodes queued chunks as fast as the throttle allows, then reads on (or ends). */
  #drain = (): void => {
    this.#timer = undefined;
    while (this.#queue.length > 0 && !this.#finished) {
      const bytesPerSecond = this.#host.faults.bytesPerSecond;
      if (bytesPerSecond === null) {
        this.#accept(this.#queue.shift()!);
        continue;
      }
      const now = performance.now();
      if (this.#nextAt > now) {
        this.#timer = setTimeout(this.#drain, this.#nextAt - now);
        return;
      }
      const head = this.#queue[0]!;
      const step = Math.max(1, Math.floor((bytesPerSecond * THROTTLE_STEP_MS) / 1000));
      const slice = head.subarray(0, step);
      if (slice.length === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(step);
      // Advancing from the previous deadline rather than from `now` keeps timer lateness from adding up.
      this.#nextAt += (slice.length / bytesPerSecond) * 1000;
      this.#accept(slice);
    }
    if (this.#finished) return;
    if (this.#peerEnded) this.#finish(true);
    else this.#socket.resume();
  };

  /** Applies the drop fault to `bytes`, then decodes what is left of them. */
  #accept(bytes: Uint8Array): void {
    const limit = this.#host.faults.dropAfterBytes;
    if (limit !== null) {
      const room = limit - (this.#received - this.#dropBase);
      if (bytes.length >= room) {
        this.#decode(bytes.subarray(0, Math.max(0, room)));
        if (this.#finished) return;
        this.#host.dropFired();
        this.#finish(false);
        return;
      }
    }
    this.#decode(bytes);
  }

  #decode(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#received += bytes.length;
    this.#host.bytesRead(bytes.length);
    this.#sinceCut.push(bytes);
    this.#sinceCutLength += bytes.length;
    for (const event of this.#decoder.push(bytes)) {
      if (event.kind === 'status-request') {
        this.#reply(this.#host.statusByte(event.n));
      } else {
        this.#forgetSinceCut(event.bytes.length);
        this.#host.ticketReceived(event.ticket, event.bytes, new Date());
      }
      // A ticket listener may have taken the printer offline in the meantime.
      if (this.#finished) return;
    }
  }

  /** Drops the first `count` bytes of `#sinceCut`: they belong to a ticket that has been cut. */
  #forgetSinceCut(count: number): void {
    let left = count;
    while (left > 0 && this.#sinceCut.length > 0) {
      const head = this.#sinceCut[0]!;
      if (head.length <= left) {
        this.#sinceCut.shift();
        left -= head.length;
      } else {
        this.#sinceCut[0] = head.subarray(left);
        left = 0;
      }
    }
    this.#sinceCutLength = Math.max(0, this.#sinceCutLength - count);
  }

  #reply(byte: number): void {
    if (!this.#socket.destroyed && this.#socket.writable) this.#socket.write(Uint8Array.of(byte));
  }

  /** Prints what is left uncut, closes the socket (gracefully if the client ended it) and reports it. */
  #finish(graceful: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    const rest = this.#decoder.flush();
    if (rest) this.#host.ticketReceived(rest, concat(this.#sinceCut, this.#sinceCutLength), new Date());
    this.#sinceCut = [];
    this.#sinceCutLength = 0;
    if (graceful) this.#socket.end();
    else this.#socket.destroy();
    this.#host.connectionClosed(this);
  }
}
