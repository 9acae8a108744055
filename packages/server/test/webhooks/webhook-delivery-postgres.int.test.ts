import { describe, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { describeWebhookDelivery } from './webhook-delivery.contract.js';
import { describeWebhookDeliveryRaces } from './webhook-delivery-races.contract.js';

if (await postgresAvailable()) {
  let testSchema: string | undefined;
  describeWebhookDelivery(
    'postgres',
    async () => {
      const { schema, drop } = await createTestSchema();
      testSchema = schema;
      return { database: await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema }), teardown: drop };
    },
    // A second pool on the same schema: a second gateway process claiming the same deliveries.
    () => openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema: testSchema }),
  );
  describeWebhookDeliveryRaces('postgres', async () => {
    const { schema, drop } = await createTestSchema();
    return { database: await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema }), teardown: drop };
  });
} else {
  describe.skip('webhook delivery (postgres): PostgreSQL not reachable', () => {
    it('skipped', () => {});
  });
}
