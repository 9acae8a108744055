import { describe, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { describeTenantAdminStore } from './tenant-admin-store.contract.js';

if (await postgresAvailable()) {
  describeTenantAdminStore('postgres', async () => {
    const { schema, drop } = await createTestSchema();
    return { database: await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema }), teardown: drop };
  });
} else {
  describe.skip('tenant and licence admin store (postgres): PostgreSQL not reachable', () => {
    it('skipped', () => {});
  });
}
