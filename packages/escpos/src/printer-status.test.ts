import { describe, expect, it } from 'vitest';
import {
  decodeStatusResponse,
  encodeStatusResponse,
  isValidStatusByte,
  type PrinterStatusFlags,
  STATUS_REQUEST,
  type StatusRequestKind,
} from './printer-status.js';

const OK: PrinterStatusFlags = {
  online: true,
  paperOut: false,
  paperNearEnd: false,
  coverOpen: false,
  error: false,
  drawerOpen: false,
};

const FLAG_NAMES = Object.keys(OK) as (keyof PrinterStatusFlags)[];

function allFlagCombinations(): PrinterStatusFlags[] {
  const combos: PrinterStatusFlags[] = [];
  for (let mask = 0; mask < 1 << FLAG_NAMES.length; mask++) {
    const flags = { ...OK };
    FLAG_NAMES.forEach((name, bit) => {
      flags[name] = (mask & (1 << bit)) !== 0;
    });
    combos.push(flags);
  }
  return combos;
}

/** The flags each request reports on. */
const REPORTED: Record<StatusRequestKind, (keyof PrinterStatusFlags)[]> = {
  1: ['online', 'drawerOpen'],
  2: ['coverOpen', 'paperOut', 'error'],
  3: ['error'],
  4: ['paperNearEnd', 'paperOut'],
};

describe('printer status', () => {
  it('has the DLE EOT n request bytes', () => {
    expect(STATUS_REQUEST).toEqual({
      1: Uint8Array.of(0x10, 0x04, 1),
      2: Uint8Array.of(0x10, 0x04, 2),
      3: Uint8Array.of(0x10, 0x04, 3),
      4: Uint8Array.of(0x10, 0x04, 4),
    });
  });

  it('encodes an idle printer with only the fixed bits set', () => {
    for (const n of [1, 2, 3, 4] as const) expect(encodeStatusResponse(n, OK)).toBe(0x12);
  });

  it('puts each condition in the Epson bit', () => {
    expect(encodeStatusResponse(1, { ...OK, online: false })).toBe(0x1a);
    expect(encodeStatusResponse(1, { ...OK, drawerOpen: true })).toBe(0x16);
    expect(encodeStatusResponse(2, { ...OK, coverOpen: true })).toBe(0x16);
    expect(encodeStatusResponse(2, { ...OK, paperOut: true })).toBe(0x32);
    expect(encodeStatusResponse(2, { ...OK, error: true })).toBe(0x52);
    expect(encodeStatusResponse(3, { ...OK, error: true })).toBe(0x1a);
    expect(encodeStatusResponse(4, { ...OK, paperNearEnd: true })).toBe(0x1e);
    expect(encodeStatusResponse(4, { ...OK, paperOut: true })).toBe(0x72);
  });

  it('round-trips every combination of flags through each request', () => {
    for (const flags of allFlagCombinations()) {
      for (const n of [1, 2, 3, 4] as const) {
        const byte = encodeStatusResponse(n, flags);
        expect(isValidStatusByte(byte)).toBe(true);
        const expected = Object.fromEntries(REPORTED[n].map((name) => [name, flags[name]]));
        expect(decodeStatusResponse(n, byte)).toEqual(expected);
      }
    }
  });

  it('decodes any error bit of n = 3 and either bit of a paper sensor pair', () => {
    expect(decodeStatusResponse(3, 0x12 | 0x04)).toEqual({ error: true });
    expect(decodeStatusResponse(3, 0x12 | 0x20)).toEqual({ error: true });
    expect(decodeStatusResponse(3, 0x12 | 0x40)).toEqual({ error: true });
    expect(decodeStatusResponse(4, 0x12 | 0x04)).toEqual({ paperNearEnd: true, paperOut: false });
    expect(decodeStatusResponse(4, 0x12 | 0x20)).toEqual({ paperNearEnd: false, paperOut: true });
  });

  it('checks the fixed bits', () => {
    expect(isValidStatusByte(0x12)).toBe(true);
    expect(isValidStatusByte(0x7e)).toBe(true);
    expect(isValidStatusByte(0x13)).toBe(false); // bit 0 set
    expect(isValidStatusByte(0x92)).toBe(false); // bit 7 set
    expect(isValidStatusByte(0x10)).toBe(false); // bit 1 clear
    expect(isValidStatusByte(0x02)).toBe(false); // bit 4 clear
    expect(isValidStatusByte(0x112)).toBe(false);
    expect(isValidStatusByte(-1)).toBe(false);
    expect(isValidStatusByte(18.5)).toBe(false);
  });

  it('decodes nothing from a byte that is not a status answer', () => {
    expect(decodeStatusResponse(1, 0x00)).toEqual({});
    expect(decodeStatusResponse(4, 0xff)).toEqual({});
  });
});
