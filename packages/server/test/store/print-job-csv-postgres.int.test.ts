import { describe, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { describePrintJobCsv } from './print-job-csv.contract.js';

if (await postgresAvailable()) {
  describePrintJobCsv('postgres', async () => {
    const { schema, drop } = await createTestSchema();
    const database = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
    await migrate(database);
    return { database, teardown: drop };
  });
} else {
  describe.skip('job history CSV (postgres): PostgreSQL not reachable', () => {
    it('skipped', () => {});
  });
}
