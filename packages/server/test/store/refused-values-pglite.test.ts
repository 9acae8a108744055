import { openDatabase } from '../../src/store/database.js';
import { describeRefusedValues } from './refused-values.contract.js';

describeRefusedValues('pglite', async () => ({
  database: await openDatabase({ kind: 'pglite', dataDir: 'memory' }),
  teardown: async () => {},
}));
