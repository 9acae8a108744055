import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGLITE_BYTEA_TYPES } from '../../src/store/pglite-bytea.js';

describe('bytea through PGlite with the native hex codec', () => {
  let fast: PGlite;
  let stock: PGlite;
  beforeAll(async () => {
    fast = new PGlite(PGLITE_BYTEA_TYPES);
    stock = new PGlite();
    await Promise.all([fast.waitReady, stock.waitReady]);
  });
  afterAll(async () => {
    await Promise.all([fast.close(), stock.close()]);
  });

  const roundTrip = async (db: PGlite, bytes: Uint8Array) =>
    (
      await db.query<{ b: Uint8Array; n: number; h: string }>(
        "select $1::bytea as b, length($1::bytea) as n, encode($1::bytea, 'hex') as h",
        [bytes],
      )
    ).rows[0];

  it('stores and reads back every byte value, an empty value and a print job’s worth, as PGlite’s own codec does', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const job = new Uint8Array(randomBytes(200_000));
    // A view into a larger buffer: only its own bytes may travel.
    const view = new Uint8Array(randomBytes(64).buffer, 8, 16);
    for (const bytes of [all, new Uint8Array(0), job, view]) {
      const ours = await roundTrip(fast, bytes);
      expect(ours?.n).toBe(bytes.byteLength);
      expect(ours?.h).toBe(Buffer.from(bytes).toString('hex'));
      expect(ours?.b).toEqual(bytes);
      expect(ours?.b.constructor).toBe(Uint8Array);
      expect(ours).toEqual(await roundTrip(stock, bytes));
    }
  });

  it('refuses a bytea parameter that is not bytes, like PGlite’s own codec', async () => {
    await expect(fast.query('select $1::bytea as b', ['not bytes'])).rejects.toThrow(/Uint8Array/);
    await expect(stock.query('select $1::bytea as b', ['not bytes'])).rejects.toThrow();
  });
});
