import type { Faults } from './faults.js';
import type { StoredTicket } from './stored-ticket.js';
import { TcpVirtualPrinter } from './tcp-virtual-printer.js';

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
