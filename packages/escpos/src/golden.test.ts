import { readdirSync, readFileSync } from 'node:fs';
import type { TicketDocument } from '@printermaster/protocol';
import { describe, expect, it } from 'vitest';
import { decodeEscPos } from './decode-esc-pos.js';
import { type EncodeTicketOptions, encodeTicket } from './encode-ticket.js';

interface GoldenCase {
  description: string;
  options?: EncodeTicketOptions;
  document: TicketDocument;
}

const goldenDir = new URL('../test/golden/', import.meta.url);
const cases = readdirSync(goldenDir)
  .filter((name) => name.endsWith('.json'))
  .sort();

describe('golden tickets', () => {
  it('has the representative documents', () => {
    expect(cases).toEqual([
      'customer-receipt.json',
      'kitchen-ticket.json',
      'reprint-ticket.json',
      'takeaway-58mm.json',
    ]);
  });

  it.each(cases)('%s encodes and decodes to the checked-in text', (name) => {
    const golden = JSON.parse(readFileSync(new URL(name, goldenDir), 'utf8')) as GoldenCase;
    const expected = readFileSync(new URL(name.replace(/\.json$/, '.txt'), goldenDir), 'utf8').replace(/\n$/, '');

    const tickets = decodeEscPos(encodeTicket(golden.document, golden.options));

    expect(tickets).toHaveLength(1);
    expect(tickets[0]?.text).toBe(expected);
    expect(tickets[0]?.unknownCommands).toBe(0);
  });
});
