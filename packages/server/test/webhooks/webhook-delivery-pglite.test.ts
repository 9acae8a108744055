import { openDatabase } from '../../src/store/database.js';
import { describeWebhookDelivery } from './webhook-delivery.contract.js';
import { describeWebhookDeliveryRaces } from './webhook-delivery-races.contract.js';

describeWebhookDelivery('pglite', async () => ({
  database: await openDatabase({ kind: 'pglite', dataDir: 'memory' }),
  teardown: async () => {},
}));

describeWebhookDeliveryRaces('pglite', async () => ({
  database: await openDatabase({ kind: 'pglite', dataDir: 'memory' }),
  teardown: async () => {},
}));
