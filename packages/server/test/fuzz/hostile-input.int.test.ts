import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/test-database.js';
import { describeHostileInput } from './hostile-input.contract.js';

if (await postgresAvailable()) describeHostileInput('postgres');
else describe.skip('hostile input (postgres): PostgreSQL not reachable', () => it('skipped', () => {}));
