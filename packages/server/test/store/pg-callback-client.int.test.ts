import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackQueryClient } from '../../src/store/pg-callback-client.js';
import { postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';

describe.runIf(await postgresAvailable())('the pg client that answers query(text, values) through callbacks', () => {
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.end();
  });

  function pool(): pg.Pool {
    const p = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1, Client: callbackQueryClient(pg.Client) });
    pools.push(p);
    return p;
  }

  it('resolves query(text, values) with the result, as pg does', async () => {
    const client = await pool().connect();
    try {
      const result = await client.query<{ n: number; s: string }>('select $1::int + 1 as n, $2::text as s', [
        41,
        'a,"b"',
      ]);
      expect(result.rows).toEqual([{ n: 42, s: 'a,"b"' }]);
      expect(result.command).toBe('SELECT');
      expect(result.rowCount).toBe(1);
      const noValues = await client.query('select 1 as one');
      expect(noValues.rows).toEqual([{ one: 1 }]);
    } finally {
      client.release();
    }
  });

  it("rejects with the server's error, its code kept, and the client goes on", async () => {
    const client = await pool().connect();
    try {
      await expect(client.query('select 1 / $1::int', [0])).rejects.toMatchObject({ code: '22012' });
      await expect(client.query('select nope')).rejects.toBeInstanceOf(pg.DatabaseError);
      expect((await client.query('select 2 as two')).rows).toEqual([{ two: 2 }]);
    } finally {
      client.release();
    }
  });

  it("passes other forms to pg unchanged: a config object, a caller's callback, pool.query", async () => {
    const p = pool();
    const client = await p.connect();
    try {
      const byConfig = await client.query({ text: 'select $1::text as v', values: ['x'], rowMode: 'array' });
      expect(byConfig.rows).toEqual([['x']]);
      const byCallback = await new Promise<pg.QueryResult>((resolve, reject) => {
        client.query('select $1::int as v', [7], (err, result) => (err ? reject(err) : resolve(result)));
      });
      expect(byCallback.rows).toEqual([{ v: 7 }]);
    } finally {
      client.release();
    }
    expect((await p.query('select 3 as three')).rows).toEqual([{ three: 3 }]);
  });
});
