import { EventEmitter } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { type DecodedTicket, encodeStatusResponse, type StatusRequestKind } from '@printermaster/escpos';
import { type Faults, isHoldingPrintData, NO_FAULTS, statusFlagsFor } from './faults.js';
import { parseFaultsPatch } from './parse-faults-patch.js';
import { type ConnectionHost, PrinterConnection } from './printer-connection.js';
import type { StoredTicket } from './stored-ticket.js';
import { TicketDirectory } from './ticket-directory.js';

export interface VirtualPrinterOptions {
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** TCP port; default 9100, `0` picks a free one (see {@link VirtualPrinter.port}). */
  port?: number;
  /**
   * Where printed tickets are kept (created if missing): `<seq>.bin`, `<seq>.txt`, `tickets.jsonl`.
   * Numbering continues after the highest ticket already there. Absent: tickets live in memory only.
   */
  ticketDir?: string;
  /**
   * Benchmark mode: tickets are decoded, counted and announced, but neither kept in `tickets` nor
   * written to `ticketDir` (which is then ignored, and numbering starts at 1).
   */
  sink?: boolean;
  /** Shown by the control endpoint; default `virtual-printer`. */
  name?: string;
  /** Faults in effect from the start; the rest are off. */
  faults?: Partial<Faults>;
}

/** Events of a {@link VirtualPrinter}. */
export interface VirtualPrinterEvents {
  /** A ticket was printed; its files (if any) are already written. */
  ticket: [ticket: StoredTicket];
  /**
   * Writing a ticket's files failed (the ticket still counts and is kept in memory). Without a
   * listener such errors are ignored, so a broken ticket directory never stops the printer.
   */
  error: [error: Error];
}

/** A TCP ESC/POS printer emulator; see {@link createVirtualPrinter}. */
export interface VirtualPrinter {
  readonly name: string;
  /** The TCP port it listens on (also while offline: the port it will listen on again). */
  readonly port: number;
  readonly host: string;
  /** The ticket directory, or `undefined` when tickets are kept in memory only (or in sink mode). */
  readonly ticketDir: string | undefined;
  /** A copy of the current faults. */
  readonly faults: Faults;
  /** A copy of the tickets printed since start (or the last {@link clear}), oldest first; empty in sink mode. */
  readonly tickets: StoredTicket[];
  /** Tickets printed by this instance, partial ones included; {@link clear} does not reset it. */
  readonly ticketCount: number;
  /** Of {@link ticketCount}, the tickets that ended without a cut. */
  readonly partialCount: number;
  /** Bytes read and decoded from all connections (bytes discarded by a drop not included). */
  readonly bytesReceived: number;
  /** Open TCP connections. */
  readonly connections: number;
  /**
   * Changes some faults and returns all of them. Resolves once the change is in effect: going
   * offline has closed the port, going back online listens again (rejects if the port was taken in
   * the meantime, and stays offline), clearing paper-out / cover-open has printed the held tickets.
   * Rejects with `InvalidFaultsError` for unknown faults or values of the wrong type or range.
   */
  setFaults(patch: Partial<Faults>): Promise<Faults>;
  on<E extends keyof VirtualPrinterEvents>(event: E, listener: (...args: VirtualPrinterEvents[E]) => void): this;
  off<E extends keyof VirtualPrinterEvents>(event: E, listener: (...args: VirtualPrinterEvents[E]) => void): this;
  /**
   * Resolves with a copy of {@link tickets} once `count` tickets have been printed since start (or the
   * last {@link clear}); in sink mode it counts them and resolves with an empty array. Rejects after
   * `timeoutMs` milliseconds, or when the printer closes, with a message saying how many arrived.
   */
  waitForTickets(count: number, timeoutMs: number): Promise<StoredTicket[]>;
  /** Forgets the tickets kept in memory; numbering, counters and files are kept. */
  clear(): void;
  /**
   * Stops listening and cuts open connections (their uncut content is printed as partial tickets).
   * Held data that was never printed is lost, as on a printer switched off. Idempotent.
   */
  close(): Promise<void>;
}

interface HeldTicket {
  ticket: DecodedTicket;
  bytes: Uint8Array | undefined;
  receivedAt: Date;
}

interface TicketWaiter {
  count: number;
  resolve: (tickets: StoredTicket[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class TcpVirtualPrinter extends EventEmitter<VirtualPrinterEvents> implements VirtualPrinter, ConnectionHost {
  readonly name: string;
  readonly host: string;
  readonly #sink: boolean;
  readonly #directory: TicketDirectory | undefined;
  #port: number;
  #faults: Faults;
  #server: Server | undefined;
  readonly #connections = new Set<PrinterConnection>();
  #tickets: StoredTicket[] = [];
  /** Print data that arrived while paper-out or cover-open, in arrival order. */
  #held: HeldTicket[] = [];
  #lastSeq: number;
  #ticketCount = 0;
  #partialCount = 0;
  #sinceClear = 0;
  #bytesReceived = 0;
  #waiters: TicketWaiter[] = [];
  /** Fault changes run one at a time, so listening and closing never overlap. */
  #changes: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(options: VirtualPrinterOptions) {
    super();
    this.name = options.name ?? 'virtual-printer';
    this.host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 9100;
    this.#sink = options.sink ?? false;
    this.#faults = { ...NO_FAULTS, ...parseFaultsPatch(options.faults ?? {}) };
    this.#directory =
      options.ticketDir !== undefined && !this.#sink ? TicketDirectory.open(options.ticketDir) : undefined;
    this.#lastSeq = this.#directory?.lastSeq ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  get ticketDir(): string | undefined {
    return this.#directory?.path;
  }

  get faults(): Faults {
    return { ...this.#faults };
  }

  get tickets(): StoredTicket[] {
    return this.#tickets.slice();
  }

  get ticketCount(): number {
    return this.#ticketCount;
  }

  get partialCount(): number {
    return this.#partialCount;
  }

  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  get connections(): number {
    return this.#connections.size;
  }

  /** Listens unless offline; with port 0 and offline, listens just long enough to be given a port. */
  async start(): Promise<void> {
    if (!this.#faults.offline) {
      await this.#listen();
    } else if (this.#port === 0) {
      await this.#listen();
      await this.#stopListening();
    }
  }

  setFaults(patch: Partial<Faults>): Promise<Faults> {
    let valid: Partial<Faults>;
    try {
      valid = parseFaultsPatch(patch);
    } catch (error) {
      return Promise.reject(error);
    }
    const change = this.#changes.then(() => this.#applyFaults(valid));
    this.#changes = change.catch(() => {});
    return change;
  }

  async #applyFaults(patch: Partial<Faults>): Promise<Faults> {
    if (this.#closing) throw new Error('virtual printer is closed');
    const before = this.#faults;
    this.#faults = { ...before, ...patch };
    if (patch.dropAfterBytes !== undefined && patch.dropAfterBytes !== null) {
      for (const connection of this.#connections) connection.resetDropCount();
    }
    for (const connection of this.#connections) connection.faultsChanged();
    if (this.#faults.offline && !before.offline) {
      await this.#stopListening();
    } else if (!this.#faults.offline && before.offline) {
      try {
        await this.#listen();
      } catch (error) {
        this.#faults.offline = true;
        throw error;
      }
    }
    this.#printHeld();
    return this.faults;
  }

  waitForTickets(count: number, timeoutMs: number): Promise<StoredTicket[]> {
    if (this.#sinceClear >= count) return Promise.resolve(this.#waitResult());
    if (this.#closing) return Promise.reject(new Error('virtual printer is closed'));
    return new Promise((resolve, reject) => {
      const waiter: TicketWaiter = {
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(new Error(`waited ${timeoutMs} ms for ${count} tickets, ${this.#sinceClear} printed`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  clear(): void {
    this.#tickets = [];
    this.#sinceClear = 0;
  }

  close(): Promise<void> {
    this.#closing ??= this.#changes.then(async () => {
      await this.#stopListening();
      this.#held = [];
      for (const waiter of this.#waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`virtual printer closed; ${this.#sinceClear} of ${waiter.count} tickets printed`));
      }
      this.#waiters = [];
    });
    return this.#closing;
  }

  // ConnectionHost

  statusByte(n: StatusRequestKind): number {
    return encodeStatusResponse(n, statusFlagsFor(this.#faults));
  }

  bytesRead(count: number): void {
    this.#bytesReceived += count;
  }

  ticketReceived(ticket: DecodedTicket, bytes: Uint8Array, receivedAt: Date): void {
    const held: HeldTicket = { ticket, bytes: this.#sink ? undefined : bytes, receivedAt };
    if (isHoldingPrintData(this.#faults) || this.#held.length > 0) this.#held.push(held);
    else this.#print(held);
  }

  dropFired(): void {
    this.#faults.dropAfterBytes = null;
  }

  connectionClosed(connection: PrinterConnection): void {
    this.#connections.delete(connection);
  }

  // Internals

  #accept(socket: Socket): void {
    if (this.#faults.offline || this.#closing) {
      socket.destroy();
      return;
    }
    this.#connections.add(new PrinterConnection(socket, this));
  }

  async #listen(): Promise<void> {
    const server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Errors after listening (accept failures under fd exhaustion) are transient; keep serving.
    server.on('error', () => {});
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async #stopListening(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const connection of [...this.#connections]) connection.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #printHeld(): void {
    while (this.#held.length > 0 && !isHoldingPrintData(this.#faults)) this.#print(this.#held.shift()!);
  }

  #print({ ticket, bytes, receivedAt }: HeldTicket): void {
    const stored: StoredTicket = {
      seq: ++this.#lastSeq,
      receivedAt: receivedAt.toISOString(),
      byteLength: ticket.byteLength,
      cut: ticket.cut,
      partial: ticket.cut === null,
      text: ticket.text,
      decoded: ticket,
    };
    this.#ticketCount++;
    if (stored.partial) this.#partialCount++;
    this.#sinceClear++;
    if (!this.#sink) this.#tickets.push(stored);
    if (this.#directory && bytes) {
      try {
        this.#directory.write(stored, bytes);
      } catch (error) {
        if (this.listenerCount('error') > 0) this.emit('error', error as Error);
      }
    }
    this.#settleWaiters();
    this.emit('ticket', stored);
  }

  #settleWaiters(): void {
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((waiter) => this.#sinceClear >= waiter.count);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => this.#sinceClear < waiter.count);
    const result = this.#waitResult();
    for (const waiter of ready) {
      clearTimeout(waiter.timer);
      waiter.resolve(result.slice());
    }
  }

  #waitResult(): StoredTicket[] {
    return this.#sink ? [] : this.#tickets.slice();
  }
}

/**
 * Starts a virtual ESC/POS printer on a TCP port (a real socket, as port 9100 printers have). Each
 * connection is decoded on its own; a cut ends a ticket, and content left uncut when a connection
 * ends is printed as a partial ticket. `DLE EOT n` status requests are answered at once from the
 * current faults, even mid-job. Resolves once it is listening (or, when started offline, ready).
 */
export async function createVirtualPrinter(options: VirtualPrinterOptions = {}): Promise<VirtualPrinter> {
  const printer = new TcpVirtualPrinter(options);
  await printer.start();
  return printer;
}
