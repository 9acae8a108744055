import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/test-database.js';
import { describePrintJobs } from './print-jobs.contract.js';

// The whole print-job suite with the gateway connected as production's role (decision 0007).
if (await postgresAvailable()) describePrintJobs('postgres', { rowLevelSecurity: true });
else
  describe.skip('print jobs (postgres, row-level security): PostgreSQL not reachable', () => it('skipped', () => {}));
