import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/test-database.js';
import { describeEventFeed } from './event-feed.contract.js';

if (await postgresAvailable()) {
  describeEventFeed('postgres');
  describeEventFeed('postgres', { rowLevelSecurity: true });
} else {
  describe.skip('event feed (postgres): PostgreSQL not reachable', () => {
    it('skipped', () => {});
  });
}
