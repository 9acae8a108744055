import type { PrinterStatusFlags } from '@printermaster/escpos';

/** Conditions the virtual printer simulates. All can be changed while it runs. */
export interface Faults {
  /**
   * Powered off or unplugged: the TCP port refuses connections (ECONNREFUSED) and open connections
   * are cut. Data held for paper-out / cover-open stays held.
   */
  offline: boolean;
  /**
   * Out of paper: status requests report it, print data is still read but held (no tickets) until
   * both `paperOut` and `coverOpen` are cleared, then printed in arrival order.
   */
  paperOut: boolean;
  /** Cover open: same effect as `paperOut`, reported in its own status bits. */
  coverOpen: boolean;
  /** The roll is nearly done: reported by the near-end sensor (`DLE EOT 4`), and it still prints. */
  paperNearEnd: boolean;
  /**
   * Read at most this many bytes per second from each connection (a slow or congested printer);
   * `null` reads as fast as the data comes. Greater than 0.
   */
  bytesPerSecond: number | null;
  /**
   * One-shot: the next connection to reach this many received bytes is cut right after that byte;
   * the bytes up to it are printed (as a partial ticket if no cut ended them), the rest is lost.
   * Counted from the connection's start, or from when this fault was set for a connection that was
   * already open. Resets to `null` once it has fired. Integer ≥ 0 (0 cuts on the first data).
   */
  dropAfterBytes: number | null;
}

/** A healthy printer. */
export const NO_FAULTS: Readonly<Faults> = Object.freeze({
  offline: false,
  paperOut: false,
  coverOpen: false,
  paperNearEnd: false,
  bytesPerSecond: null,
  dropAfterBytes: null,
});

/** Whether print data is held rather than printed: the paper path is not ready. */
export function isHoldingPrintData(faults: Faults): boolean {
  return faults.paperOut || faults.coverOpen;
}

/**
 * What the `DLE EOT` status bytes report for `faults`. A printer that cannot print (paper out, cover
 * open) reports itself offline too, as real ones do; errors and the drawer are never simulated.
 */
export function statusFlagsFor(faults: Faults): PrinterStatusFlags {
  return {
    online: !faults.offline && !faults.paperOut && !faults.coverOpen,
    paperOut: faults.paperOut,
    paperNearEnd: faults.paperNearEnd,
    coverOpen: faults.coverOpen,
    error: false,
    drawerOpen: false,
  };
}
