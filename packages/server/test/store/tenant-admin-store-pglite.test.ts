import { openDatabase } from '../../src/store/database.js';
import { describeTenantAdminStore } from './tenant-admin-store.contract.js';

describeTenantAdminStore('pglite', async () => ({
  database: await openDatabase({ kind: 'pglite', dataDir: 'memory' }),
  teardown: async () => {},
}));
