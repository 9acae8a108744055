import { describe, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { describeStore } from './store.contract.js';

if (await postgresAvailable()) {
  describeStore('postgres', async () => {
    const { schema, drop } = await createTestSchema();
    return { database: await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema }), teardown: drop };
  });
} else {
  describe.skip('store (postgres): PostgreSQL not reachable', () => {
    it('skipped', () => {});
  });
}
