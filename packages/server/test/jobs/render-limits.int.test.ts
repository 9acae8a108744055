import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/test-database.js';
import { describeRenderLimits } from './render-limits.contract.js';

if (await postgresAvailable()) describeRenderLimits('postgres');
else describe.skip('image limits of print jobs (postgres): PostgreSQL not reachable', () => it('skipped', () => {}));
