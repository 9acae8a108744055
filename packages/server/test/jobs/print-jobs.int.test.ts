import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/test-database.js';
import { describePrintJobs } from './print-jobs.contract.js';

if (await postgresAvailable()) describePrintJobs('postgres');
else describe.skip('print jobs (postgres): PostgreSQL not reachable', () => it('skipped', () => {}));
