import type { PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/socket-clients.js';
import { postgresAvailable } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { WireAgent } from './test-agent.js';

const ready = await postgresAvailable();

/**
 * The gateway connected as production's role: no SUPERUSER, no BYPASSRLS, only what
 * `printermaster migrate --grant` grants. Row-level security applies to everything it does.
 */
describe.runIf(ready)('a gateway whose database role is subject to row-level security', () => {
  let gw: TestGateway;
  let a: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let b: Awaited<ReturnType<TestGateway['seedTenant']>>;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    gw = await startTestGateway({ store: 'postgres', rowLevelSecurity: true });
    a = await gw.seedTenant('Company A');
    b = await gw.seedTenant('Company B');
    tokens.managerA = await gw.token('branch_manager', { companyId: a.companyId, branchId: a.branchId });
    tokens.cashierA = await gw.token('cashier', { companyId: a.companyId, branchId: a.branchId });
    tokens.ownerB = await gw.token('company_owner', { companyId: b.companyId });
    tokens.cashierB = await gw.token('cashier', { companyId: b.companyId, branchId: b.branchId });
    tokens.admin = await gw.token('super_admin');
  });
  afterAll(() => gw?.close());

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

  it('says at start that row-level security applies', async () => {
    const line = await gw.waitForLog((l) => l.msg === 'gateway listening');
    expect(line.rowLevelSecurity).toBe(true);
  });

  it('prints a job end to end and reads it back through the API, while the other company sees none of it', async () => {
    const created = await api('managerA', 'POST', '/printing/printers', {
      branchId: a.branchId,
      name: 'Kitchen',
      ip: '127.0.0.1',
      port: 9100,
    });
    expect(created.status).toBe(201);
    const printerId = (created.body.printer as { id: string }).id;
    // A job waiting for the branch's agent: the gateway's own metrics read the store past row-level
    // security, every company's open jobs.
    const waiting = await api('cashierA', 'POST', '/printing/jobs', { printerId, content: raw('Table 6') });
    expect(waiting.status).toBe(202);
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toMatch(/printermaster_print_jobs\{state="queued"\} 1\n/);
    const agent = await WireAgent.connect(gw.url, { licenseKey: a.licenseKey, branchId: a.branchId, deviceId: 'pc-a' });
    try {
      const submitted = await api('cashierA', 'POST', '/printing/jobs', { printerId, content: raw('Table 7') });
      expect(submitted.status).toBe(202);
      const id = (submitted.body.job as PrintJobView).id;
      await eventually(() => agent.deliveries.some((d) => d.id === id), 5_000, 'delivered to the agent');
      expect(await agent.report('print:job:started', { jobId: id, printerId })).toMatchObject({ ok: true });
      expect(await agent.report('print:job:completed', { jobId: id, printerId, success: true })).toMatchObject({
        ok: true,
        data: { state: 'completed' },
      });
      const read = await api('cashierA', 'GET', `/printing/jobs/${id}`);
      expect(read.status).toBe(200);
      const job = read.body.job as PrintJobView;
      expect(job.state).toBe('completed');
      expect(job.events?.map((e) => e.state)).toEqual(['queued', 'sent', 'accepted', 'printing', 'completed']);

      expect((await api('cashierB', 'GET', `/printing/jobs/${id}`)).body).toMatchObject({ code: 'JOB_NOT_FOUND' });
      expect((await api('ownerB', 'GET', '/printing/jobs')).body).toMatchObject({ jobs: [] });
      expect((await api('ownerB', 'GET', '/printing/printers')).body).toMatchObject({ printers: [] });
      expect(
        (await api('cashierB', 'POST', '/printing/jobs', { printerId, content: raw('not yours') })).body,
      ).toMatchObject({ code: 'PRINTER_NOT_FOUND' });
      expect((await api('cashierB', 'POST', `/printing/jobs/${id}/reprint`)).body).toMatchObject({
        code: 'JOB_NOT_FOUND',
      });

      // A super_admin sees every company.
      const all = await api('admin', 'GET', `/printing/jobs?printerId=${printerId}`);
      expect((all.body.jobs as PrintJobView[]).map((j) => j.id).sort()).toEqual(
        [id, (waiting.body.job as PrintJobView).id].sort(),
      );
    } finally {
      agent.close();
    }
  });

  it('cancels a queued job of the caller’s company and leaves the other company’s alone', async () => {
    const printer = await api('managerA', 'POST', '/printing/printers', { branchId: a.branchId, name: 'Bar' });
    const printerId = (printer.body.printer as { id: string }).id;
    const queued = (await api('cashierA', 'POST', '/printing/jobs', { printerId, content: raw('later') })).body
      .job as PrintJobView;
    expect((await api('cashierB', 'POST', `/printing/jobs/${queued.id}/cancel`)).body).toMatchObject({
      code: 'JOB_NOT_FOUND',
    });
    const cancelled = await api('cashierA', 'POST', `/printing/jobs/${queued.id}/cancel`);
    expect(cancelled.body.job).toMatchObject({ id: queued.id, state: 'cancelled' });
  });
});
