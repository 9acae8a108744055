import type { PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postgresAvailable } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

// The application's own tenant checks, switched off: every user may see every company, and a
// listing keeps whatever filter it was given. What still keeps companies apart is the database.
vi.mock('../../src/core/principal.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/core/principal.js')>();
  return {
    ...actual,
    canSee: () => true,
    listScope: (_user: unknown, filter: { companyId?: string; branchId?: string }) => filter,
  };
});

const ready = await postgresAvailable();

describe.runIf(ready)('row-level security as the second wall, with the application’s tenant checks off', () => {
  let gw: TestGateway;
  let a: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let b: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let jobA: PrintJobView;
  let printerA: string;
  const tokens: Record<string, string> = {};

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[token]}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const raw = (text: string) => Buffer.from(`\x1b@${text}\n\x1dV\x00`, 'latin1').toString('base64');

  beforeAll(async () => {
    gw = await startTestGateway({ store: 'postgres', rowLevelSecurity: true });
    a = await gw.seedTenant('Company A');
    b = await gw.seedTenant('Company B');
    tokens.managerA = await gw.token('branch_manager', { companyId: a.companyId, branchId: a.branchId });
    tokens.ownerB = await gw.token('company_owner', { companyId: b.companyId });
    const printer = await api('managerA', 'POST', '/printing/printers', { branchId: a.branchId, name: 'Kitchen' });
    printerA = (printer.body.printer as { id: string }).id;
    jobA = (await api('managerA', 'POST', '/printing/jobs', { printerId: printerA, content: raw('A') })).body
      .job as PrintJobView;
  });
  afterAll(() => gw?.close());

  it('lets a user of another company read and list nothing of company A', async () => {
    expect((await api('ownerB', 'GET', `/printing/jobs/${jobA.id}`)).status).toBe(404);
    expect((await api('ownerB', 'GET', `/printing/jobs?companyId=${a.companyId}`)).body).toMatchObject({ jobs: [] });
    expect((await api('ownerB', 'GET', `/printing/printers/${printerA}`)).status).toBe(404);
    expect((await api('ownerB', 'GET', `/printing/printers?companyId=${a.companyId}`)).body).toMatchObject({
      printers: [],
    });
  });

  it('lets a user of another company change and create nothing in company A', async () => {
    expect((await api('ownerB', 'POST', `/printing/jobs/${jobA.id}/cancel`)).status).toBe(404);
    expect((await api('ownerB', 'PATCH', `/printing/printers/${printerA}`, { name: 'Taken' })).status).toBe(404);
    expect((await api('ownerB', 'DELETE', `/printing/printers/${printerA}`)).status).toBe(404);
    // The printer comes from the gateway's cache, where A's own request left it: the insert of a
    // job of company A in company B's scope is what the database refuses. The branch is read
    // from the database, in B's scope: not found.
    const submitted = await api('ownerB', 'POST', '/printing/jobs', { printerId: printerA, content: raw('B') });
    // A 500 and an error in the log: the gateway's own check should have stopped this (decision 0007).
    expect(submitted.body).toMatchObject({ code: 'INTERNAL' });
    expect(gw.logs.some((l) => l.msg === 'request failed' && /row-level security/.test(JSON.stringify(l.err)))).toBe(
      true,
    );
    const created = await api('ownerB', 'POST', '/printing/printers', { branchId: a.branchId, name: 'Planted' });
    expect(created.body).toMatchObject({ code: 'BRANCH_NOT_FOUND' });

    const jobs = await gw.stores.jobs.list({ companyId: a.companyId, limit: 100 });
    expect(jobs.map((j) => [j.id, j.state])).toEqual([[jobA.id, 'queued']]);
    const printers = await gw.stores.printers.list({ companyId: a.companyId });
    expect(printers.map((p) => p.name)).toEqual(['Kitchen']);
  });

  it('still lets company A’s own users work', async () => {
    const read = await api('managerA', 'GET', `/printing/jobs/${jobA.id}`);
    expect(read.body.job).toMatchObject({ id: jobA.id });
    expect((await api('managerA', 'POST', `/printing/jobs/${jobA.id}/cancel`)).body.job).toMatchObject({
      state: 'cancelled',
    });
  });
});
