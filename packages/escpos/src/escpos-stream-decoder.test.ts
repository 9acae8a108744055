import type { TicketDocument } from '@printermaster/protocol';
import { describe, expect, it } from 'vitest';
import { bytes, concatBytes, indexOfBytes, seededRandom } from '../test/byte-stream.js';
import { BLACK, makePngBase64, WHITE } from '../test/make-png.js';
import { decodeEscPos } from './decode-esc-pos.js';
import { encodeTicket } from './encode-ticket.js';
import { EscPosStreamDecoder, type StreamEvent } from './escpos-stream-decoder.js';
import { STATUS_REQUEST } from './printer-status.js';

const LF = 0x0a;

const receipt: TicketDocument = {
  blocks: [
    { type: 'image', png: makePngBase64(24, 6, (x, y) => ((x + y) % 3 === 0 ? BLACK : WHITE)) },
    { type: 'text', text: 'Trattoria', size: 'double', align: 'center' },
    { type: 'columns', left: 'Margherita', right: '9.50', bold: true },
    { type: 'barcode', data: 'R-1042' },
    { type: 'qr', data: 'https://bella.example/r/1042' },
    { type: 'drawer' },
  ],
};
const kitchen: TicketDocument = {
  blocks: [
    { type: 'text', text: 'TABLE 7', size: 'double' },
    { type: 'text', text: '1x Lasagne\n   - no cheese' },
    { type: 'cut', partial: true },
  ],
};

/** Two jobs with a status request between them: the sample stream for chunking tests. */
function sampleStream(): Uint8Array {
  return concatBytes(encodeTicket(receipt), STATUS_REQUEST[1], encodeTicket(kitchen, { banner: 'REPRINT' }));
}

function pushAll(decoder: EscPosStreamDecoder, chunks: Uint8Array[]): StreamEvent[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

describe('EscPosStreamDecoder', () => {
  it('reports tickets and status requests in stream order', () => {
    const events = new EscPosStreamDecoder().push(sampleStream());
    expect(events.map((event) => event.kind)).toEqual(['ticket', 'status-request', 'ticket']);
    expect(events[1]).toEqual({ kind: 'status-request', n: 1 });
  });

  it('gives each ticket exactly its bytes', () => {
    const stream = sampleStream();
    const events = new EscPosStreamDecoder().push(stream);
    const ticketBytes = events.flatMap((event) => (event.kind === 'ticket' ? [event.bytes] : []));
    expect(ticketBytes[0]).toEqual(encodeTicket(receipt));
    // The status request arrived after the first cut, so it belongs to the second ticket's bytes.
    expect(ticketBytes[1]).toEqual(concatBytes(STATUS_REQUEST[1], encodeTicket(kitchen, { banner: 'REPRINT' })));
    expect(concatBytes(...ticketBytes)).toEqual(stream);
    for (const event of events) {
      if (event.kind === 'ticket') expect(event.ticket.byteLength).toBe(event.bytes.length);
    }
  });

  it('gives the same events wherever the stream is split in two', () => {
    const stream = sampleStream();
    const expected = new EscPosStreamDecoder().push(stream);
    for (let at = 0; at <= stream.length; at++) {
      const events = pushAll(new EscPosStreamDecoder(), [stream.subarray(0, at), stream.subarray(at)]);
      expect(events, `split at ${at}`).toEqual(expected);
    }
  });

  it('gives the same events when fed one byte at a time or in random chunks', () => {
    const stream = sampleStream();
    const expected = new EscPosStreamDecoder().push(stream);
    const single = Array.from(stream, (byte) => Uint8Array.of(byte));
    expect(pushAll(new EscPosStreamDecoder(), single)).toEqual(expected);

    const random = seededRandom(42);
    for (let round = 0; round < 50; round++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + Math.floor(random() * 40);
        chunks.push(stream.slice(at, at + size));
        at += size;
      }
      expect(pushAll(new EscPosStreamDecoder(), chunks)).toEqual(expected);
    }
  });

  it('reports a status request in the middle of a job as soon as it arrives', () => {
    const job = encodeTicket(kitchen);
    const middle = indexOfBytes(job, bytes('1x Lasagne'));
    const decoder = new EscPosStreamDecoder();

    expect(decoder.push(concatBytes(job.subarray(0, middle), STATUS_REQUEST[2]))).toEqual([
      { kind: 'status-request', n: 2 },
    ]);
    const rest = decoder.push(concatBytes(STATUS_REQUEST[4], job.subarray(middle)));
    expect(rest.map((event) => event.kind)).toEqual(['status-request', 'ticket']);
    expect(rest[0]).toEqual({ kind: 'status-request', n: 4 });
    const ticket = rest[1]?.kind === 'ticket' ? rest[1].ticket : undefined;
    expect(ticket?.text).toBe(decodeEscPos(job)[0]?.text);
  });

  it('waits for the rest of a status request split across chunks', () => {
    const decoder = new EscPosStreamDecoder();
    expect(decoder.push(Uint8Array.of(0x10))).toEqual([]);
    expect(decoder.push(Uint8Array.of(0x04))).toEqual([]);
    expect(decoder.push(Uint8Array.of(0x03, 0x10, 0x04, 0x01))).toEqual([
      { kind: 'status-request', n: 3 },
      { kind: 'status-request', n: 1 },
    ]);
  });

  it('does not mistake status request bytes inside image data for a request', () => {
    const raster = [0x1d, 0x76, 0x30, 0, 3, 0, 1, 0, 0x10, 0x04, 0x01];
    expect(new EscPosStreamDecoder().push(Uint8Array.from(raster))).toEqual([]);
  });

  it('flushes content without a cut when the connection closes', () => {
    const decoder = new EscPosStreamDecoder();
    expect(decoder.push(bytes('partial job', LF, 0x1b))).toEqual([]);
    const ticket = decoder.flush();
    expect(ticket).toMatchObject({ text: 'partial job', cut: null, byteLength: 13 });
    expect(decoder.flush()).toBeUndefined();
  });

  it('flushes nothing after a completed ticket and starts over with fresh printer modes', () => {
    const decoder = new EscPosStreamDecoder();
    decoder.push(bytes(0x1b, 0x45, 1, 'bold', LF, 0x1d, 0x56, 0));
    expect(decoder.flush()).toBeUndefined();
    decoder.push(bytes('plain', LF));
    expect(decoder.flush()?.lines[0]?.bold).toBe(false);
  });

  it('keeps printer modes from one ticket to the next', () => {
    const [first, second] = new EscPosStreamDecoder().push(
      bytes(0x1b, 0x45, 1, 'one', LF, 0x1d, 0x56, 0, 'two', LF, 0x1d, 0x56, 0),
    );
    expect(first?.kind === 'ticket' && first.ticket.lines[0]?.bold).toBe(true);
    expect(second?.kind === 'ticket' && second.ticket.lines[0]?.bold).toBe(true);
  });

  it('never throws on random bytes pushed in random chunks', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 300; round++) {
      const decoder = new EscPosStreamDecoder();
      expect(() => {
        for (let chunk = 0; chunk < 10; chunk++) {
          const data = Uint8Array.from({ length: Math.floor(random() * 80) }, () =>
            random() < 0.3 ? ([0x10, 0x1b, 0x1d, 0x1c][Math.floor(random() * 4)] ?? 0) : Math.floor(random() * 256),
          );
          decoder.push(data);
        }
        decoder.flush();
      }).not.toThrow();
    }
  });

  describe('lines drawn as pictures', () => {
    const drawn: TicketDocument = {
      paperWidth: 58,
      blocks: [
        { type: 'text', text: 'شاورما', bold: true },
        { type: 'columns', left: '拉面', right: '9.50' },
        { type: 'image', png: makePngBase64(64, 30, (x, y) => (y < 24 && (x * y) % 7 === 0 ? BLACK : WHITE)) },
      ],
    };

    it('reads them back as text, and leaves a picture the size of a line that is no text an image', () => {
      const [event] = new EscPosStreamDecoder().push(encodeTicket(drawn));
      const ticket = event?.kind === 'ticket' ? event.ticket : undefined;
      expect(ticket?.text).toBe(`شاورما\n拉面${' '.repeat(32 - 4 - 4)}9.50\n[IMAGE 64x30]`);
      expect(ticket?.lines.slice(0, 2)).toMatchObject([
        { text: 'شاورما', bold: true, drawn: true },
        { text: expect.stringMatching(/^拉面 +9\.50$/), drawn: true },
      ]);
      expect(ticket?.images).toEqual([{ widthDots: 64, heightDots: 30 }]);
    });

    it('gives the same events wherever the stream is split in two, or byte by byte', () => {
      const stream = concatBytes(encodeTicket(drawn), STATUS_REQUEST[1], encodeTicket(kitchen));
      const expected = new EscPosStreamDecoder().push(stream);
      // Every 13th split, and each one around the pictures' headers.
      const splits = new Set<number>();
      for (let at = 0; at <= stream.length; at += 13) splits.add(at);
      let header = indexOfBytes(stream, Uint8Array.of(0x1d, 0x76, 0x30));
      while (header >= 0) {
        for (let at = header - 1; at <= header + 10; at++) splits.add(at);
        header = indexOfBytes(stream, Uint8Array.of(0x1d, 0x76, 0x30), header + 1);
      }
      for (const at of splits) {
        const events = pushAll(new EscPosStreamDecoder(), [stream.subarray(0, at), stream.subarray(at)]);
        expect(events, `split at ${at}`).toEqual(expected);
      }
      const single = Array.from(stream, (byte) => Uint8Array.of(byte));
      expect(pushAll(new EscPosStreamDecoder(), single)).toEqual(expected);
    });

    it('indents a centered or right-aligned drawn line like text, from where its picture prints', () => {
      const [ticket] = decodeEscPos(
        encodeTicket({
          blocks: [
            { type: 'text', text: 'شاورما', align: 'center' },
            { type: 'text', text: 'شاورما', align: 'right' },
          ],
        }),
      );
      // 72 dots of 576: 504 free, 21 font A columns on either side when centered.
      expect(ticket?.text).toBe(`${' '.repeat(21)}شاورما\n${' '.repeat(42)}شاورما`);
    });

    it('gives the same result in chunks as whole for damaged drawn lines, and never throws', () => {
      const original = encodeTicket(drawn);
      const random = seededRandom(3);
      for (let round = 0; round < 20; round++) {
        const stream = original.slice();
        for (let flip = 0; flip < 3; flip++) {
          const at = Math.floor(random() * stream.length);
          stream[at] = (stream[at] ?? 0) ^ (1 << Math.floor(random() * 8));
        }
        const whole = new EscPosStreamDecoder();
        const expected = [...whole.push(stream), whole.flush()];
        const chunked = new EscPosStreamDecoder();
        const chunks: Uint8Array[] = [];
        for (let at = 0; at < stream.length; ) {
          const size = 1 + Math.floor(random() * 200);
          chunks.push(stream.slice(at, at + size));
          at += size;
        }
        expect([...pushAll(chunked, chunks), chunked.flush()]).toEqual(expected);
      }
    });

    it('prints a drawn line cut short by the end of the stream as an image', () => {
      const bytes = encodeTicket({ blocks: [{ type: 'text', text: '拉面' }] });
      const header = indexOfBytes(bytes, Uint8Array.of(0x1d, 0x76, 0x30));
      const decoder = new EscPosStreamDecoder();
      expect(decoder.push(bytes.subarray(0, header + 8 + 20))).toEqual([]);
      expect(decoder.flush()).toMatchObject({ text: '[IMAGE 48x30]', images: [{ widthDots: 48, heightDots: 30 }] });
    });

    it('does not keep the data of a magnified image or one that is not a line high', () => {
      const magnified = [0x1d, 0x76, 0x30, 1, 1, 0, 30, 0, ...new Array(30).fill(0xff)];
      const tall = [0x1d, 0x76, 0x30, 0, 1, 0, 31, 0, ...new Array(31).fill(0xff)];
      const ticket = decodeEscPos(Uint8Array.from([...magnified, ...tall]))[0];
      expect(ticket?.text).toBe('[IMAGE 16x30]\n[IMAGE 8x31]');
    });
  });
});
