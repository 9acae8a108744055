import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyDesktopClient } from '../support/legacy-desktop-client.js';
import { eventually } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const PER_BRANCH = 5;
const PER_CREDENTIAL = 8;

type Tenant = Awaited<ReturnType<TestGateway['seedTenant']>>;

describe('write rate limits (one process)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      env: {
        PRINTERMASTER_WRITE_RATE_PER_BRANCH: String(PER_BRANCH),
        PRINTERMASTER_WRITE_RATE_PER_CREDENTIAL: String(PER_CREDENTIAL),
      },
    });
  });
  afterAll(() => gw.close());

  const api = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  /** A printer made through the store: setting up must not use the branch's budget. */
  const printerIn = async (t: Tenant, name = 'Kitchen') =>
    (
      await gw.stores.printers.insert({
        id: `${t.branchId}-${name}`,
        companyId: t.companyId,
        branchId: t.branchId,
        name,
        type: 'thermal',
        connection: 'network',
        status: 'online',
      })
    ).id;
  const job = (printerId: string) => ({ printerId, content: Buffer.from('\x1b@hello\n').toString('base64') });
  const jobCount = async (t: Tenant) => (await gw.stores.jobs.list({ branchId: t.branchId, limit: 100 })).length;
  const expectLimited = (res: Awaited<ReturnType<typeof api>>, scope: 'branch' | 'credential') => {
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ success: false, code: 'RATE_LIMIT_EXCEEDED', scope });
    expect(typeof res.body.message).toBe('string');
    const resetIn = res.body.resetIn as number;
    expect(resetIn).toBeGreaterThanOrEqual(1);
    expect(resetIn).toBeLessThanOrEqual(60);
    expect(res.retryAfter).toBe(String(resetIn));
  };

  it('answers 429 with Retry-After once a branch has used its writes, and stores nothing more', async () => {
    const t = await gw.seedTenant('Busy Diner');
    const printerId = await printerIn(t);
    const cashier = await gw.token('cashier', { companyId: t.companyId, branchId: t.branchId });
    const manager = await gw.token('branch_manager', { companyId: t.companyId, branchId: t.branchId });
    for (let i = 0; i < PER_BRANCH - 1; i++)
      expect((await api('POST', '/printing/jobs', cashier, job(printerId))).status).toBe(202);
    const last = await api('POST', '/api/v1/printing/jobs', manager, job(printerId));
    expect(last.status).toBe(202);
    expectLimited(await api('POST', '/printing/jobs', cashier, job(printerId)), 'branch');
    // Every other write to the branch shares the budget, whoever sends it.
    const jobId = (last.body.job as { id: string }).id;
    expectLimited(await api('POST', `/printing/jobs/${jobId}/cancel`, manager), 'branch');
    expectLimited(await api('POST', `/printing/jobs/${jobId}/reprint`, manager), 'branch');
    expectLimited(await api('PATCH', `/printing/printers/${printerId}`, manager, { location: 'Bar' }), 'branch');
    expectLimited(await api('DELETE', `/printing/printers/${printerId}`, manager), 'branch');
    expectLimited(await api('POST', '/printing/printers', manager, { branchId: t.branchId, name: 'New' }), 'branch');
    expectLimited(await api('POST', `/printing/printers/${printerId}/test`, manager), 'branch');
    expect(await jobCount(t)).toBe(PER_BRANCH);
    expect(await gw.stores.printers.findByName(t.branchId, 'New')).toBeUndefined();
    // Reading is not limited.
    expect((await api('GET', `/printing/jobs/${jobId}`, manager)).status).toBe(200);
  });

  it('leaves other branches alone, and counts refused callers against no branch', async () => {
    const busy = await gw.seedTenant('Busy Bistro');
    const quiet = await gw.seedTenant('Quiet Cafe');
    const busyPrinter = await printerIn(busy);
    const quietPrinter = await printerIn(quiet);
    const busyCashier = await gw.token('cashier', { companyId: busy.companyId, branchId: busy.branchId });
    const quietCashier = await gw.token('cashier', { companyId: quiet.companyId, branchId: quiet.branchId });
    const owner = await gw.token('company_owner', { companyId: busy.companyId });
    // The busy branch's own owner, writing to the quiet branch's printer: refused, and no budget of quiet's used.
    for (let i = 0; i < PER_BRANCH; i++)
      expect((await api('POST', '/printing/jobs', owner, job(quietPrinter))).status).toBe(404);
    // No credentials: refused before any budget is used.
    for (let i = 0; i < PER_BRANCH; i++)
      expect((await api('POST', '/printing/jobs', undefined, job(busyPrinter))).status).toBe(401);
    for (let i = 0; i < PER_BRANCH; i++)
      expect((await api('POST', '/printing/jobs', busyCashier, job(busyPrinter))).status).toBe(202);
    expectLimited(await api('POST', '/printing/jobs', busyCashier, job(busyPrinter)), 'branch');
    for (let i = 0; i < PER_BRANCH; i++)
      expect((await api('POST', '/printing/jobs', quietCashier, job(quietPrinter))).status).toBe(202);
    expect(await jobCount(quiet)).toBe(PER_BRANCH);
  });

  it('limits one credential across the branches it writes to', async () => {
    const t = await gw.seedTenant('Chain');
    const second = await gw.tenants.createBranch(t.companyId, 'Branch 2', 'test');
    const printers = [await printerIn(t), await printerIn({ ...t, branchId: second.id })];
    const owner = await gw.token('company_owner', { companyId: t.companyId });
    for (let i = 0; i < PER_CREDENTIAL; i++) {
      expect((await api('POST', '/printing/jobs', owner, job(printers[i % 2] as string))).status).toBe(202);
    }
    expectLimited(await api('POST', '/printing/jobs', owner, job(printers[0] as string)), 'credential');
    // Another credential still writes to the same branches.
    const cashier = await gw.token('cashier', { companyId: t.companyId, branchId: second.id });
    expect((await api('POST', '/printing/jobs', cashier, job(printers[1] as string))).status).toBe(202);
  });

  it('limits the legacy client’s printer lists per device and branch, and an impostor uses none of them', async () => {
    const t = await gw.seedTenant('Legacy Grill');
    const client = new LegacyDesktopClient({
      serverUrl: gw.url,
      licenseKey: t.licenseKey,
      deviceId: 'LIMITED-PC',
      printers: [{ name: 'Kitchen', type: 'thermal', connection: 'usb', status: 'online' }],
    });
    try {
      await client.start();
      await eventually(() => client.bulkResponses.length >= 1, 10_000, 'first discovery cycle');
      const bulk = (deviceId: string) =>
        api('POST', '/api/v1/printing/printers/bulk', undefined, {
          branchId: t.branchId,
          printers: [{ name: 'Kitchen', type: 'thermal', connection: 'usb', status: 'online', discoveredBy: deviceId }],
        });
      for (let i = 0; i < PER_BRANCH; i++) expect((await bulk('IMPOSTOR-PC')).status).toBe(401);
      // The first cycle used one write; the rest of the budget is the client's.
      for (let i = 1; i < PER_BRANCH; i++) expect((await bulk('LIMITED-PC')).status).toBe(200);
      expectLimited(await bulk('LIMITED-PC'), 'branch');
    } finally {
      client.stop();
    }
  });

  it('counts refusals in printermaster_rate_limit_rejections_total by scope', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/printermaster_rate_limit_rejections_total\{scope="write_branch"\} [1-9]/);
    expect(text).toMatch(/printermaster_rate_limit_rejections_total\{scope="write_credential"\} [1-9]/);
  });
});
