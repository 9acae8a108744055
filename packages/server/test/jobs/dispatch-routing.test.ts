import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent, eventually, nextEvent } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { WireAgent } from './test-agent.js';

describe('which agent of a branch gets a job', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());

  it('keeps a job for a PC-local (CUPS) printer for the agent that reported it, while a network printer can be served by another', async () => {
    const t = await gw.seedTenant();
    const token = await gw.token('branch_manager', { companyId: t.companyId, branchId: t.branchId });
    const owner = await connectAgent(gw.url, { licenseKey: t.licenseKey, branchId: t.branchId, deviceId: 'bar-pc' });
    owner.emit('printer:discovered', {
      name: 'Bar CUPS',
      connection: 'system',
      systemPrinter: 'Bar_Printer',
      status: 'online',
    });
    const cupsId = ((await nextEvent(owner, 'printer:discovery:acknowledged')) as { printerId: string }).printerId;
    owner.emit('printer:discovered', {
      name: 'Kitchen LAN',
      connection: 'network',
      ip: '192.168.1.50',
      port: 9100,
      status: 'online',
    });
    const lanId = ((await nextEvent(owner, 'printer:discovery:acknowledged')) as { printerId: string }).printerId;
    owner.close();

    const other = await WireAgent.connect(gw.url, {
      licenseKey: t.licenseKey,
      branchId: t.branchId,
      deviceId: 'till-pc',
    });
    const post = async (printerId: string) =>
      (
        (await (
          await fetch(`${gw.url}/printing/jobs`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ printerId, content: Buffer.from('\x1b@x\n').toString('base64') }),
          })
        ).json()) as { job: { id: string } }
      ).job.id;
    const lanJob = await post(lanId);
    const cupsJob = await post(cupsId);
    await eventually(() => other.deliveries.some((d) => d.id === lanJob), 5_000, 'the network job on the other PC');
    // Both jobs have been through the dispatcher: the CUPS job stayed for its own PC.
    await gw.dispatcher.whenIdle();
    expect(other.deliveries.some((d) => d.id === cupsJob)).toBe(false);
    expect((await gw.stores.jobs.find(cupsJob))?.state).toBe('queued');

    const back = await WireAgent.connect(gw.url, {
      licenseKey: t.licenseKey,
      branchId: t.branchId,
      deviceId: 'bar-pc',
    });
    await eventually(() => back.deliveries.some((d) => d.id === cupsJob), 5_000, 'the CUPS job on its own PC');
    other.close();
    back.close();
  });
});
