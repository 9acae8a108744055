import { EventEmitter } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { type DecodedTicket, encodeStatusResponse, type StatusRequestKind } from '@printermaster/escpos';
import { type Faults, isHoldingPrintData, NO_FAULTS, statusFlagsFor } from './faults.js';
import { parseFaultsPatch } from './parse-faults-patch.js';
import { type ConnectionHost, PrinterConnection } from './printer-connection.js';
import type { StoredTicket } from './stored-ticket.js';
import { TicketDirectory } from './ticket-directory.js';
import { TicketWaiters } from './ticket-waiters.js';
import type { VirtualPrinter, VirtualPrinterEvents, VirtualPrinterOptions } from './virtual-printer.js';

interface HeldTicket {
  ticket: DecodedTicket;
  bytes: Uint8Array | undefined;
  receivedAt: Date;
}

/**
 * The {@link VirtualPrinter} behind `createVirtualPrinter`: a TCP server whose connections each
 * decode on their own, and the printer-wide state they share (faults, held data, tickets, counters).
 */
export class TcpVirtualPrinter extends EventEmitter<VirtualPrinterEvents> implements VirtualPrinter, ConnectionHost {
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
  readonly #waiters = new TicketWaiters({
    printedCount: () => this.#sinceClear,
    result: () => this.#waitResult(),
  });
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
    if (this.#closing && this.#sinceClear < count) return Promise.reject(new Error('virtual printer is closed'));
    return this.#waiters.wait(count, timeoutMs);
  }

  clear(): void {
    this.#tickets = [];
    this.#sinceClear = 0;
  }

  close(): Promise<void> {
    this.#closing ??= this.#changes.then(async () => {
      await this.#stopListening();
      this.#held = [];
      this.#waiters.rejectAll();
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
    this.#connections.add(new PrinterConnection({ socket, host: this }));
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
    this.#waiters.settle();
    this.emit('ticket', stored);
  }

  #waitResult(): StoredTicket[] {
    return this.#sink ? [] : this.#tickets.slice();
  }
}
