import { constants, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DeflateSharing,
  type PerMessageDeflateInstance,
  wsPerMessageDeflate,
} from '../../src/gateway/deflate-sharing.js';

// ws's own per-connection deflate objects, with the parameters a connection negotiated set as
// ws's `accept` sets them; the zlib work is real.
const ws = wsPerMessageDeflate();
if (!ws) throw new Error('ws PerMessageDeflate not found where deflate-sharing.ts looks for it');
const { PerMessageDeflate, compress: own } = ws;

function connection(
  params: Record<string, unknown> = { server_no_context_takeover: true, server_max_window_bits: 13 },
) {
  const pmd = new PerMessageDeflate({ isServer: true, zlibDeflateOptions: ZLIB_OPTIONS });
  pmd.params = params;
  return pmd;
}
const ZLIB_OPTIONS = { memLevel: 6 };

/** Compresses `text` for each connection through `sharing`, calling `between` after the calls were made. */
function compressAll(
  sharing: DeflateSharing,
  conns: PerMessageDeflateInstance[],
  text: string,
  between: () => void = () => {},
): Promise<Buffer[]> {
  const results = conns.map(
    (pmd) =>
      new Promise<Buffer>((resolve, reject) =>
        sharing.compress(pmd, own, text, true, (err, out) => (err || !out ? reject(err) : resolve(out))),
      ),
  );
  between();
  return Promise.all(results);
}

/** What a receiving end reads from a message deflated without its last four bytes. */
const inflated = (out: Buffer) =>
  inflateRawSync(Buffer.concat([out, Buffer.from([0, 0, 0xff, 0xff])]), {
    finishFlush: constants.Z_SYNC_FLUSH,
  }).toString();

const batch = (n: number) =>
  JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ printerId: `printer-${n}-${i}`, status: 'online', i })));

describe('DeflateSharing', () => {
  it('deflates a message once for every connection sending it, each receiving the same bytes', async () => {
    const sharing = new DeflateSharing();
    const conns = [connection(), connection(), connection(), connection()];
    const text = batch(1);
    const outs = await compressAll(sharing, conns, text);
    expect(sharing.stats()).toEqual({ compressed: 1, shared: 3 });
    for (const out of outs) expect(out.equals(outs[0] as Buffer)).toBe(true);
    expect(inflated(outs[0] as Buffer)).toBe(text);
    // The same bytes as a connection deflating it alone.
    const alone = await compressAll(new DeflateSharing(), [connection()], text);
    expect(alone[0]?.equals(outs[0] as Buffer)).toBe(true);
    // Sent again later: kept, no zlib run.
    await compressAll(sharing, [connection()], text);
    expect(sharing.stats()).toEqual({ compressed: 1, shared: 4 });
  });

  it('gives a connection with a smaller window its own run', async () => {
    const sharing = new DeflateSharing();
    const small = connection({ server_no_context_takeover: true, server_max_window_bits: 9 });
    const text = batch(2);
    const [big, smaller] = await compressAll(sharing, [connection(), small], text);
    expect(sharing.stats()).toEqual({ compressed: 2, shared: 0 });
    expect(inflated(big as Buffer)).toBe(text);
    expect(inflated(smaller as Buffer)).toBe(text);
  });

  it('leaves to ws what depends on a connection’s past: context takeover, fragments, binary, client side', async () => {
    const sharing = new DeflateSharing();
    const text = batch(3);
    const takeover = connection({ server_max_window_bits: 13 });
    await compressAll(sharing, [takeover, connection({ server_max_window_bits: 13 })], text);
    const fragment = connection();
    await new Promise<void>((resolve) => sharing.compress(fragment, own, text, false, () => resolve()));
    await new Promise<void>((resolve) => sharing.compress(connection(), own, Buffer.from(text), true, () => resolve()));
    const client = new PerMessageDeflate({ isServer: false });
    client.params = { server_no_context_takeover: true };
    await new Promise<void>((resolve) => sharing.compress(client, own, text, true, () => resolve()));
    expect(sharing.stats()).toEqual({ compressed: 0, shared: 0 });
  });

  it('lets each waiting connection deflate for itself when the shared run’s connection closed under it', async () => {
    const sharing = new DeflateSharing();
    const [first, ...others] = [connection(), connection(), connection()];
    const text = batch(4);
    const firstResult = new Promise<Error | null>((resolve) =>
      sharing.compress(first as PerMessageDeflateInstance, own, text, true, (err) => resolve(err)),
    );
    const othersDone = compressAll(sharing, others, text, () =>
      // ws's cleanup when a connection closes: ends its deflate stream and fails the call under way.
      (first as unknown as { cleanup(): void }).cleanup(),
    );
    expect(await firstResult).toBeInstanceOf(Error);
    for (const out of await othersDone) expect(inflated(out)).toBe(text);
    // Not kept: the next sender runs zlib again.
    await compressAll(sharing, [connection()], text);
    expect(sharing.stats().compressed).toBe(2);
  });

  it('keeps at most maxBytes of messages (text and deflated bytes), forgetting the oldest first', async () => {
    const first = await compressAll(new DeflateSharing(), [connection()], batch(5));
    const each = batch(5).length * 2 + (first[0] as Buffer).length;
    const sharing = new DeflateSharing({ maxBytes: each * 2 + 10 });
    for (const n of [5, 6, 7]) await compressAll(sharing, [connection()], batch(n));
    expect(sharing.stats().compressed).toBe(3);
    await compressAll(sharing, [connection()], batch(7));
    await compressAll(sharing, [connection()], batch(5));
    expect(sharing.stats()).toEqual({ compressed: 4, shared: 1 });
  });

  it('shares a long message only while its run is under way, and keeps nothing of it after', async () => {
    const sharing = new DeflateSharing({ maxKeptLength: 100 });
    const text = batch(8);
    const outs = await compressAll(sharing, [connection(), connection(), connection()], text);
    expect(sharing.stats()).toEqual({ compressed: 1, shared: 2 });
    for (const out of outs) expect(inflated(out)).toBe(text);
    await compressAll(sharing, [connection()], text);
    expect(sharing.stats()).toEqual({ compressed: 2, shared: 2 });
  });

  it('leaves a connection that sent a fragment to ws from then on: its context runs on', async () => {
    const sharing = new DeflateSharing();
    const fragmenting = connection();
    await new Promise<void>((resolve) => sharing.compress(fragmenting, own, 'part one', false, () => resolve()));
    const text = batch(9);
    await compressAll(sharing, [connection()], text);
    const before = sharing.stats();
    const [out] = await compressAll(sharing, [fragmenting], text);
    expect(sharing.stats()).toEqual(before);
    expect(out).toBeDefined();
  });
});
