import { describePrintJobs } from './print-jobs.contract.js';

describePrintJobs('pglite');
