import { sql } from 'kysely';
import { openDatabase } from '../../src/store/database.js';
import { describeLicenceCache } from './licence-cache.contract.js';

describeLicenceCache('pglite', async () => {
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
  return {
    database,
    // One process holds an embedded store: another writer is another statement on it (the admin socket's path).
    otherWriter: async (text) => {
      await sql.raw(text).execute(database.db);
    },
    teardown: async () => {},
  };
});
