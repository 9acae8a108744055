import { ControlCode } from './control-code.js';

/**
 * The `n` of a `DLE EOT n` real-time status request: 1 printer status, 2 offline cause,
 * 3 error cause, 4 roll paper sensor.
 */
export type StatusRequestKind = 1 | 2 | 3 | 4;

/** A printer's condition as far as the four `DLE EOT` status bytes can express it. */
export interface PrinterStatusFlags {
  online: boolean;
  /** Printing stopped because the roll is out (n = 2 bit 5, n = 4 bits 5–6). */
  paperOut: boolean;
  /** The near-end sensor sees little paper left (n = 4 bits 2–3). */
  paperNearEnd: boolean;
  coverOpen: boolean;
  error: boolean;
  /**
   * Drawer kick-out connector pin 3 is HIGH (n = 1 bit 2). Whether HIGH means open depends on the
   * drawer's switch; this library takes HIGH as open.
   */
  drawerOpen: boolean;
}

/** The bytes of each `DLE EOT n` request (0x10 0x04 n). Treat as read-only. */
export const STATUS_REQUEST: Readonly<Record<StatusRequestKind, Uint8Array>> = {
  1: Uint8Array.of(ControlCode.DLE, ControlCode.EOT, 1),
  2: Uint8Array.of(ControlCode.DLE, ControlCode.EOT, 2),
  3: Uint8Array.of(ControlCode.DLE, ControlCode.EOT, 3),
  4: Uint8Array.of(ControlCode.DLE, ControlCode.EOT, 4),
};

// Every status byte has bit 1 and bit 4 set and bits 0 and 7 clear, which is how a host tells a
// status byte apart from other data the printer may send.
const FIXED_MASK = 0b1001_0011;
const FIXED_VALUE = 0b0001_0010;

const BIT2 = 1 << 2;
const BIT3 = 1 << 3;
const BIT5 = 1 << 5;
const BIT6 = 1 << 6;

/** Whether `byte` is an integer 0–255 with the fixed bits of a `DLE EOT` status byte (bits 1, 4 set; 0, 7 clear). */
export function isValidStatusByte(byte: number): boolean {
  return Number.isInteger(byte) && byte >= 0 && byte <= 0xff && (byte & FIXED_MASK) === FIXED_VALUE;
}

/**
 * The status byte a printer answers to `DLE EOT n` (Epson ESC/POS layout):
 *
 * - n = 1: bit 2 drawer pin 3 HIGH (`drawerOpen`), bit 3 offline (`!online`).
 * - n = 2: bit 2 cover open, bit 5 stopped by paper end (`paperOut`), bit 6 error. Bit 3 (paper being
 *   fed with the feed button) is never set.
 * - n = 3: an `error` is reported as an autocutter error (bit 3), the common recoverable one.
 * - n = 4: bits 2–3 near end, bits 5–6 paper end.
 *
 * The flags are encoded as given; keeping them consistent (a printer with its cover open is also
 * offline) is up to the caller.
 */
export function encodeStatusResponse(n: StatusRequestKind, flags: PrinterStatusFlags): number {
  let byte = FIXED_VALUE;
  switch (n) {
    case 1:
      if (flags.drawerOpen) byte |= BIT2;
      if (!flags.online) byte |= BIT3;
      break;
    case 2:
      if (flags.coverOpen) byte |= BIT2;
      if (flags.paperOut) byte |= BIT5;
      if (flags.error) byte |= BIT6;
      break;
    case 3:
      if (flags.error) byte |= BIT3;
      break;
    case 4:
      if (flags.paperNearEnd) byte |= BIT2 | BIT3;
      if (flags.paperOut) byte |= BIT5 | BIT6;
      break;
  }
  return byte;
}

/**
 * The flags a `DLE EOT n` answer tells about; the others are absent. For n = 3 any error bit
 * (2 mechanical, 3 autocutter, 5 unrecoverable, 6 auto-recoverable) means `error`; for n = 4 either
 * bit of a sensor pair counts (printers set one or both). A byte that fails {@link isValidStatusByte}
 * is not a status answer and yields `{}`.
 */
export function decodeStatusResponse(n: StatusRequestKind, byte: number): Partial<PrinterStatusFlags> {
  if (!isValidStatusByte(byte)) return {};
  switch (n) {
    case 1:
      return { online: (byte & BIT3) === 0, drawerOpen: (byte & BIT2) !== 0 };
    case 2:
      return { coverOpen: (byte & BIT2) !== 0, paperOut: (byte & BIT5) !== 0, error: (byte & BIT6) !== 0 };
    case 3:
      return { error: (byte & (BIT2 | BIT3 | BIT5 | BIT6)) !== 0 };
    case 4:
      return { paperNearEnd: (byte & (BIT2 | BIT3)) !== 0, paperOut: (byte & (BIT5 | BIT6)) !== 0 };
  }
}
