import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { eventually } from '../support/socket-clients.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';

/**
 * PostgreSQL's connection reset while the gateway holds a pooled connection between two
 * statements (a transaction waiting on its own work): the transaction fails, the process lives
 * on (an uncaught 'error' would end it, and vitest reports it as an unhandled error), and the
 * pool serves again once PostgreSQL is back.
 */
describe.runIf(await postgresAvailable())('a PostgreSQL connection reset under a checked-out client', () => {
  it('fails the transaction, not the process, and serves again afterwards', async () => {
    const url = new URL(TEST_DATABASE_URL);
    const proxy = new TcpProxy([{ host: url.hostname, port: Number(url.port || 5432) }]);
    await proxy.start();
    url.port = String(proxy.port);
    const { schema, drop } = await createTestSchema();
    const database = await openDatabase({ kind: 'postgres', url: url.toString(), schema });
    try {
      let inside!: () => void;
      const reached = new Promise<void>((resolve) => {
        inside = resolve;
      });
      let carryOn!: () => void;
      const held = new Promise<void>((resolve) => {
        carryOn = resolve;
      });
      const transaction = database.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        inside();
        // The connection is checked out and idle here, as between two statements of a job change.
        await held;
        await sql`select 2`.execute(trx);
      });
      const outcome = transaction.then(
        () => 'committed',
        () => 'failed',
      );
      await reached;
      proxy.cut();
      // The reset reaches the client's socket as ECONNRESET or an end; give it a turn to arrive.
      await new Promise((resolve) => setImmediate(resolve));
      carryOn();
      expect(await outcome).toBe('failed');
      proxy.restore();
      await eventually(
        async () => {
          try {
            await sql`select 1`.execute(database.db);
            return true;
          } catch {
            return false;
          }
        },
        15_000,
        'the pool serving again',
      );
    } finally {
      await database.close();
      await proxy.close();
      await drop();
    }
  });
});
