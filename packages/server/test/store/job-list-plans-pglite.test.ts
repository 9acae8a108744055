import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { describeJobListPlans } from './job-list-plans.contract.js';

describeJobListPlans('pglite', async () => {
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
  await migrate(database);
  return { database, teardown: async () => {} };
});
