import { describe, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { createRuntimeRole, createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { describeRetentionPurge } from './retention-purge.contract.js';

if (await postgresAvailable()) {
  // The purge runs as the gateway's own role, subject to row-level security (decision 0007).
  describeRetentionPurge('postgres, gateway role under row-level security', async () => {
    const { schema, drop } = await createTestSchema();
    // The owner seeds every company's rows, as the migration's setting allows it to.
    const seed = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
    await migrate(seed);
    const role = await createRuntimeRole(schema);
    const purge = await openDatabase({ kind: 'postgres', url: role.url, schema, poolSize: 2 });
    return {
      seed,
      purge,
      teardown: async () => {
        await role.drop();
        await drop();
      },
    };
  });
} else {
  describe.skip('retention purge (postgres): PostgreSQL not reachable', () => {
    it('skipped', () => {});
  });
}
