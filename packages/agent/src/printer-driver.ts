import type { PrinterStatus, PrinterStatusReason } from '@printermaster/protocol';

/** Whether a printer can take a job now. */
export interface PrinterReadiness {
  ready: boolean;
  status: PrinterStatus;
  /** Why it is not ready (offline, paper out, cover open, …), for people and logs. */
  reason?: string;
  /** The same as a code the gateway shows (`paper_out`…); also `paper_near_end` on a ready printer. */
  code?: PrinterStatusReason;
}

/**
 * How a print attempt ended.
 * - `completed`: every byte went out and the printer answered afterwards.
 * - `not-started`: nothing was sent (printer unreachable or not ready); safe to retry.
 * - `unconfirmed`: bytes may have reached the printer but completion is unknown; never retried.
 * - `failed`: nothing printed and retrying cannot help.
 */
export type PrintResult =
  | { outcome: 'completed'; code?: PrinterStatusReason }
  | { outcome: 'not-started'; reason: string; status: PrinterStatus; code?: PrinterStatusReason }
  | { outcome: 'unconfirmed'; reason: string }
  | { outcome: 'failed'; reason: string };

/** The `not-started` result of a print on a printer that was not ready. */
export function notStarted(readiness: PrinterReadiness, fallback = 'printer not ready'): PrintResult {
  return {
    outcome: 'not-started',
    reason: readiness.reason ?? fallback,
    status: readiness.status,
    ...(readiness.code ? { code: readiness.code } : {}),
  };
}

/** A way to reach one printer. */
export interface PrinterDriver {
  /** e.g. `tcp://192.168.1.50:9100` or `cups://Kitchen`. */
  readonly uri: string;
  /** `network` or `system`, as the gateway names connections. */
  readonly connection: string;
  checkStatus(): Promise<PrinterReadiness>;
  /**
   * Prints `bytes`. `beforeFirstByte` is awaited right before the first byte of
   * the job leaves: the caller journals "printing" there, durably.
   */
  print(bytes: Uint8Array, beforeFirstByte: () => Promise<void>): Promise<PrintResult>;
  /**
   * The caller has nothing more to print for now: a driver that keeps a connection open
   * between jobs closes it (a printer may serve one connection at a time).
   */
  release?(): void;
}
