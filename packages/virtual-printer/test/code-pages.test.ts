import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTicket, encodeTicketWithReport } from '@printermaster/escpos';
import { describe, expect, it } from 'vitest';
import { DEADLINE_MS, sendJob } from './printer-client.js';
import { usePrinterFixture } from './printer-fixture.js';

const { dirs, start } = usePrinterFixture();

const MENU = ['Crème brûlée €4.50', 'Борщ', 'Σαλάτα', 'Œuf “maison” – 6,00 €', 'Crème Борщ Σαλάτα'];

describe('virtual printer and code pages', () => {
  it('reads back exactly the text sent in Western European, Cyrillic and Greek', async () => {
    const dir = dirs.make();
    const printer = await start({ ticketDir: dir });
    const { bytes, unencodable } = encodeTicketWithReport({
      blocks: MENU.map((text) => ({ type: 'text' as const, text })),
    });
    expect(unencodable).toEqual([]);
    // One byte at a time: an ESC t split from its parameter must still select the table.
    await sendJob(printer.port, ...Array.from(bytes, (byte) => Uint8Array.of(byte)));

    const [ticket] = await printer.waitForTickets(1, DEADLINE_MS);
    expect(ticket?.text).toBe(MENU.join('\n'));
    expect(ticket?.text).not.toContain('?');
    expect(ticket?.decoded.unknownCommands).toBe(0);
    expect(readFileSync(join(dir, '000001.txt'), 'utf8')).toBe(MENU.join('\n'));
    expect(new Uint8Array(readFileSync(join(dir, '000001.bin')))).toEqual(bytes);
  });

  it('reads back exactly the text sent in five languages, Arabic and CJK drawn as pictures', async () => {
    const dir = dirs.make();
    const printer = await start({ ticketDir: dir });
    const lines = ['Crème brûlée €4.50', 'Борщ', 'Σαλάτα', 'شاورما', '拉面'];
    const bytes = encodeTicket({ blocks: lines.map((text) => ({ type: 'text' as const, text })) });
    // In chunks of 7 bytes: the pictures' data arrives in pieces, as over a slow link.
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 7) chunks.push(bytes.subarray(at, at + 7));
    await sendJob(printer.port, ...chunks);

    const [ticket] = await printer.waitForTickets(1, DEADLINE_MS);
    expect(ticket?.text).toBe(lines.join('\n'));
    expect(ticket?.text).not.toContain('?');
    expect(ticket?.decoded.lines.slice(0, 5).map((line) => line.drawn ?? false)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(ticket?.decoded.images).toEqual([]);
    expect(readFileSync(join(dir, '000001.txt'), 'utf8')).toBe(lines.join('\n'));
  });

  it('carries on after an ESC t with a table it does not know', async () => {
    const printer = await start({ ticketDir: dirs.make() });
    const ESC = 0x1b;
    const LF = 0x0a;
    const cut = [0x1d, 0x56, 65, 0];
    await sendJob(
      printer.port,
      Uint8Array.of(ESC, 0x40, ESC, 0x74, 99, 0x41, 0xe9, LF, ESC, 0x74, 17, 0x81, LF, ...cut),
      encodeTicketWithReport({ blocks: [{ type: 'text', text: 'Σαλάτα' }] }).bytes,
    );
    const tickets = await printer.waitForTickets(2, DEADLINE_MS);
    expect(tickets.map((t) => t.text)).toEqual(['A\ufffd\nБ', 'Σαλάτα']);
  });
});
