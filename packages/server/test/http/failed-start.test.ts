import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { StartupError, startGateway } from '../../src/start-gateway.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { eventually } from '../support/socket-clients.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';

const quiet = new Writable({ write: (_chunk, _enc, cb) => cb() });

describe.runIf(await postgresAvailable())('a gateway that fails to start (PostgreSQL)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('closes its database connections, and a start on a free port then works', async () => {
    const { schema, drop } = await createTestSchema();
    cleanups.push(drop);
    const setup = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
    await migrate(setup);
    await setup.close();
    const busy = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => busy.close(() => resolve())));
    const instanceId = `failed-start-${randomUUID().slice(0, 8)}`;
    const env = {
      HOST: '127.0.0.1',
      DATABASE_URL: TEST_DATABASE_URL,
      PRINTERMASTER_DATABASE_SCHEMA: schema,
      PRINTERMASTER_INSTANCE_ID: instanceId,
      PRINTERMASTER_BOOTSTRAP: 'false',
      // The port is opened after the store, its migrations and the services: the start fails late.
      PRINTERMASTER_LISTEN_EARLY: 'false',
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    };
    const failed = startGateway(loadConfig({ ...env, PORT: String((busy.address() as AddressInfo).port) }), {
      logDestination: quiet,
    });
    await expect(failed).rejects.toBeInstanceOf(StartupError);

    // Idle pool connections would otherwise stay for 30 s; each carries the instance in its application_name.
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    cleanups.push(() => admin.end());
    const held = async () =>
      Number(
        (
          await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where application_name = $1', [
            `printermaster:${instanceId}`,
          ])
        ).rows[0]?.n,
      );
    await eventually(async () => (await held()) === 0, 3_000, 'the failed start’s connections to close');

    const gateway = await startGateway(loadConfig({ ...env, PORT: '0' }), { logDestination: quiet });
    cleanups.push(() => gateway.stop());
    expect((await fetch(`http://127.0.0.1:${gateway.port}/health/live`)).status).toBe(200);
    expect(await held()).toBeGreaterThan(0);
  });
});
