import { describe, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { describeJobListPlans } from './job-list-plans.contract.js';

if (await postgresAvailable()) {
  describeJobListPlans('postgres', async () => {
    const { schema, drop } = await createTestSchema();
    const database = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
    await migrate(database);
    return { database, teardown: drop };
  });
} else {
  describe.skip('job list plans (postgres): PostgreSQL not reachable', () => {
    it('skipped', () => {});
  });
}
