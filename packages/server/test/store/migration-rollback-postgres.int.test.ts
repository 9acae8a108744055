import { describe, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { describeMigrationRollback } from './migration-rollback.contract.js';

if (await postgresAvailable()) {
  describeMigrationRollback('postgres', async () => {
    const { schema, drop } = await createTestSchema();
    return { database: await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema }), teardown: drop };
  });
} else {
  describe.skip('migration rollback (postgres): PostgreSQL not reachable', () => {
    it('skipped', () => {});
  });
}
