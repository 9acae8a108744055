import { encodeStatusResponse, STATUS_REQUEST, type StatusRequestKind } from '@printermaster/escpos';
import { describe, expect, it } from 'vitest';
import type { Faults } from '../src/index.js';
import { DEADLINE_MS, PrinterClient } from './printer-client.js';
import { usePrinterFixture } from './printer-fixture.js';
import { ticketJob } from './ticket-job.js';

const { start } = usePrinterFixture();

const KINDS: StatusRequestKind[] = [1, 2, 3, 4];

/**
 * Expected answers to DLE EOT 1, 2, 3, 4, written out as bytes (Epson layout) rather than computed,
 * so a wrong flag mapping cannot hide behind the same encoder on both sides.
 */
const CASES: { state: string; faults: Partial<Faults>; bytes: number[] }[] = [
  // Bits 1 and 4 are always set: 0x12 is "nothing to report".
  { state: 'online', faults: {}, bytes: [0x12, 0x12, 0x12, 0x12] },
  // n=1 bit 3 offline; n=2 bit 5 stopped by paper end; n=4 bits 5-6 paper end.
  { state: 'paper out', faults: { paperOut: true }, bytes: [0x1a, 0x32, 0x12, 0x72] },
  // n=1 bit 3 offline; n=2 bit 2 cover open.
  { state: 'cover open', faults: { coverOpen: true }, bytes: [0x1a, 0x16, 0x12, 0x12] },
  { state: 'paper out and cover open', faults: { paperOut: true, coverOpen: true }, bytes: [0x1a, 0x36, 0x12, 0x72] },
];

describe('real-time status (DLE EOT n)', () => {
  it.each(CASES)('answers 1-4 mid-job when $state', async ({ faults, bytes }) => {
    const printer = await start({ faults });
    const job = ticketJob('STATUS', 'mid-job request');
    const client = await PrinterClient.open(printer.port);
    await client.write(job.subarray(0, 30));
    for (const n of KINDS) {
      await client.write(STATUS_REQUEST[n]);
      // One at a time: each answer arrives before the job goes on, as a host waiting on it expects.
      expect(await client.read(1)).toEqual([bytes[n - 1]]);
    }
    await client.write(job.subarray(30));
    await client.end();

    await printer.setFaults({ paperOut: false, coverOpen: false });
    const [ticket] = await printer.waitForTickets(1, DEADLINE_MS);
    // The requests do not break the ticket in two, and their bytes belong to it.
    expect(ticket?.text.split('\n')[0]).toBe('STATUS');
    expect(ticket?.partial).toBe(false);
    expect(ticket?.byteLength).toBe(job.length + 4 * 3);
    expect(printer.ticketCount).toBe(1);
  });

  it('answers with the same bytes as encodeStatusResponse for the reported flags', async () => {
    const printer = await start({ faults: { paperOut: true } });
    const client = await PrinterClient.open(printer.port);
    await client.write(Uint8Array.from(KINDS.flatMap((n) => [...STATUS_REQUEST[n]])));
    const flags = {
      online: false,
      paperOut: true,
      paperNearEnd: false,
      coverOpen: false,
      error: false,
      drawerOpen: false,
    };
    expect(await client.read(4)).toEqual(KINDS.map((n) => encodeStatusResponse(n, flags)));
    await client.end();
  });

  it('reports paper near its end in DLE EOT 4 while it still prints', async () => {
    const printer = await start({ faults: { paperNearEnd: true } });
    const client = await PrinterClient.open(printer.port);
    await client.write(Uint8Array.from([...STATUS_REQUEST[1], ...STATUS_REQUEST[4]]));
    const flags = {
      online: true,
      paperOut: false,
      paperNearEnd: true,
      coverOpen: false,
      error: false,
      drawerOpen: false,
    };
    expect(await client.read(2)).toEqual([encodeStatusResponse(1, flags), encodeStatusResponse(4, flags)]);
    await client.end();
  });

  it('reflects a fault change in the next answer on an open connection', async () => {
    const printer = await start();
    const client = await PrinterClient.open(printer.port);
    await client.write(STATUS_REQUEST[4]);
    expect(await client.read(1)).toEqual([0x12]);
    await printer.setFaults({ paperOut: true });
    await client.write(STATUS_REQUEST[4]);
    expect(await client.read(1)).toEqual([0x72]);
    await printer.setFaults({ paperOut: false });
    await client.write(STATUS_REQUEST[1]);
    expect(await client.read(1)).toEqual([0x12]);
    await client.end();
  });

  it('answers while throttled, in stream order, and after the client has ended its side', async () => {
    const printer = await start({ faults: { bytesPerSecond: 2_000 } });
    const client = await PrinterClient.open(printer.port);
    const job = ticketJob('SLOW');
    await client.write(Uint8Array.from([...job.subarray(0, 20), ...STATUS_REQUEST[1], ...job.subarray(20)]));
    client.socket.end();
    expect(await client.read(1)).toEqual([0x12]);
    await printer.waitForTickets(1, DEADLINE_MS);
    await client.closed;
  });
});
