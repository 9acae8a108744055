import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { describePrintJobCsv } from './print-job-csv.contract.js';

describePrintJobCsv('pglite', async () => {
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
  await migrate(database);
  return { database, teardown: async () => {} };
});
