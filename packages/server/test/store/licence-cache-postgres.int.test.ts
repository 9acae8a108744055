import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { LicenseService } from '../../src/core/license-service.js';
import { openDatabase } from '../../src/store/database.js';
import { DbLicenseChangeFeed } from '../../src/store/db-license-change-feed.js';
import { migrate } from '../../src/store/migrator.js';
import { createStores } from '../../src/store/stores.js';
import { systemClock } from '../../src/system-clock.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { describeLicenceCache } from './licence-cache.contract.js';

/** SQL on a connection of its own, as the admin CLI or a person with psql would run it. */
async function runElsewhere(schema: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

if (await postgresAvailable()) {
  describeLicenceCache('postgres', async () => {
    const { schema, drop } = await createTestSchema();
    const database = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
    return { database, otherWriter: (text) => runElsewhere(schema, text), teardown: drop };
  });

  describe('licences in memory (postgres): schemas and a lost listening connection', () => {
    it('ignores changes to the licences of another schema, and reads from the store while it cannot listen', async () => {
      const ours = await createTestSchema();
      const theirs = await createTestSchema();
      const applicationName = `pm-test-${randomUUID().slice(0, 8)}`;
      const database = await openDatabase({
        kind: 'postgres',
        url: TEST_DATABASE_URL,
        schema: ours.schema,
        applicationName,
      });
      const other = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema: theirs.schema });
      try {
        await migrate(database);
        await migrate(other);
        const stores = createStores(database, () => {});
        const liveChanges: boolean[] = [];
        const events = new EventEmitter();
        const feed = new DbLicenseChangeFeed(database, (live) => {
          liveChanges.push(live);
          events.emit('live', live);
        });
        const heard: (string | undefined)[] = [];
        await feed.start((hash) => {
          heard.push(hash);
          events.emit('heard', hash);
        });
        expect(feed.live).toBe(true);
        /** Resolves once the feed has passed on `hash`. */
        const heardOf = (hash: string) =>
          new Promise<void>((resolve) => {
            const onHeard = (h: string | undefined) => {
              if (h !== hash) return;
              events.off('heard', onHeard);
              resolve();
            };
            events.on('heard', onHeard);
          });

        // The same key hash in another schema: its change is not ours.
        await runElsewhere(
          theirs.schema,
          `INSERT INTO companies (id, name) VALUES ('c', 'C'); INSERT INTO branches (id, company_id, name) VALUES ('b', 'c', 'B');
           INSERT INTO licenses (id, company_id, branch_id, key_hash, key_hint) VALUES ('l', 'c', 'b', 'same-hash', 'hash')`,
        );
        await runElsewhere(
          ours.schema,
          `INSERT INTO companies (id, name) VALUES ('c', 'C'); INSERT INTO branches (id, company_id, name) VALUES ('b', 'c', 'B');
           INSERT INTO licenses (id, company_id, branch_id, key_hash, key_hint) VALUES ('l', 'c', 'b', 'same-hash', 'hash')`,
        );
        // A marker notice in our schema, committed last: notices arrive in commit order on the one
        // listening connection, so once it is heard, a notice of their change would have been too.
        const marker = `marker-${randomUUID()}`;
        const markerHeard = heardOf(marker);
        await runElsewhere(ours.schema, `SELECT pg_notify('printermaster_licences', '${ours.schema}:${marker}')`);
        await markerHeard;
        expect(heard).toEqual(['same-hash', marker]);

        // The listening connection is cut: the feed is not live, then listens again and says so.
        const lost = once(events, 'live');
        await runElsewhere(
          ours.schema,
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${applicationName}:listen'`,
        );
        expect(await lost).toEqual([false]);
        expect(feed.live).toBe(false);
        // Listening again after its backoff (1 s for the first failure).
        expect(await once(events, 'live')).toEqual([true]);
        expect(feed.live).toBe(true);
        expect(heard.at(-1)).toBeUndefined();
        // What the gateway logs: lost, then back.
        expect(liveChanges).toEqual([false, true]);

        // A service whose feed is down reads every licence from the store, and so sees every change.
        await feed.stop();
        const service = new LicenseService({ ...stores, clock: systemClock, changes: feed });
        const { key, license } = await service.issue({ companyId: 'c', branchId: 'b', actor: 'test' });
        await service.validate(key);
        await runElsewhere(ours.schema, `UPDATE licenses SET status = 'revoked' WHERE id = '${license.id}'`);
        await expect(service.validate(key)).rejects.toMatchObject({ code: 'LICENSE_INVALID' });
      } finally {
        await database.close();
        await other.close();
        await ours.drop();
        await theirs.drop();
      }
    });
  });
} else {
  describe.skip('licences in memory (postgres): PostgreSQL not reachable', () => {
    it('skipped', () => {});
  });
}
