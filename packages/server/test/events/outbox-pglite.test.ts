import { openDatabase } from '../../src/store/database.js';
import { describeOutbox } from './outbox.contract.js';

describeOutbox('pglite', async () => ({
  database: await openDatabase({ kind: 'pglite', dataDir: 'memory' }),
  teardown: async () => {},
}));
