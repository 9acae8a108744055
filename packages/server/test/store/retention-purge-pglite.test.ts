import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { describeRetentionPurge } from './retention-purge.contract.js';

describeRetentionPurge('pglite', async () => {
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
  await migrate(database);
  return { seed: database, purge: database, teardown: async () => {} };
});
