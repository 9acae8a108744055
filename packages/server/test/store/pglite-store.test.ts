import { openDatabase } from '../../src/store/database.js';
import { describeStore } from './store.contract.js';

describeStore('pglite', async () => ({
  database: await openDatabase({ kind: 'pglite', dataDir: 'memory' }),
  teardown: async () => {},
}));
