import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { WireAgent } from './test-agent.js';

describe('a backlog larger than one dispatch batch', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // Three jobs per pass, and no periodic re-dispatch within the test: only the pass loop can drain the backlog.
    gw = await startTestGateway({
      env: { PRINTERMASTER_DISPATCH_BATCH_SIZE: '3', PRINTERMASTER_REDISPATCH_INTERVAL_MS: '3600000' },
    });
  });
  afterAll(() => gw.close());

  it('drains completely when the agent connects, not one batch per sweep', async () => {
    const t = await gw.seedTenant();
    const token = await gw.token('branch_manager', { companyId: t.companyId, branchId: t.branchId });
    const post = (path: string, body: unknown) =>
      fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, { id: string }>>);
    const printerId = (await post('/printing/printers', { branchId: t.branchId, name: 'P' })).printer?.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push(
        (await post('/printing/jobs', { printerId, content: Buffer.from(`\x1b@${i}\n`).toString('base64') })).job
          ?.id as string,
      );
    const agent = await WireAgent.connect(gw.url, {
      licenseKey: t.licenseKey,
      branchId: t.branchId,
      deviceId: 'backlog',
    });
    await eventually(() => ids.every((id) => agent.deliveries.some((d) => d.id === id)), 10_000, 'all ten delivered');
    expect(new Set(agent.deliveries.map((d) => d.id)).size).toBe(10);
    agent.close();
  });
});
