import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

interface EntryView {
  companyId: string | null;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  sourceAddress: string | null;
  details: Record<string, unknown> | null;
}

/** What the audit log records of jobs, sessions and refused requests, on both stores; PostgreSQL under row-level security. */
describe.each([{ store: 'pglite' as const }, { store: 'postgres' as const, rowLevelSecurity: true }])(
  'audit log recording ($store)',
  (options) => {
    let gw: TestGateway;
    let acme: Awaited<ReturnType<TestGateway['seedTenant']>>;
    let admin: string;
    let owner: string;
    let manager: string;
    let cashier: string;

    beforeAll(async () => {
      gw = await startTestGateway(options);
      acme = await gw.seedTenant('Acme');
      admin = await gw.token('super_admin');
      owner = await gw.token('company_owner', { companyId: acme.companyId });
      manager = await gw.token('branch_manager', { companyId: acme.companyId, branchId: acme.branchId });
      cashier = await gw.token('cashier', { companyId: acme.companyId, branchId: acme.branchId });
    });
    afterAll(() => gw.close());

    const call = (method: string, path: string, token?: string, body?: unknown) =>
      fetch(`${gw.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const entries = async (query: string, token = admin) => {
      const res = await call('GET', `/api/audit-log?${query}`, token);
      expect(res.status).toBe(200);
      return ((await res.json()) as { entries: EntryView[] }).entries;
    };
    /** Refused requests are recorded after their answer: waits until `count` entries match. */
    const waitForEntries = async (query: string, count: number) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = await entries(query);
        if (found.length >= count || Date.now() > deadline) return found;
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    it('records job cancels and reprints with the actor, company and source address', async () => {
      const printer = await call('POST', '/printing/printers', manager, {
        branchId: acme.branchId,
        name: 'Bar',
        connection: 'network',
        ip: '10.0.0.9',
        port: 9100,
      });
      const printerId = ((await printer.json()) as { printer: { id: string } }).printer.id;
      const created = await call('POST', '/printing/jobs', cashier, {
        printerId,
        content: Buffer.from('\x1b@hello\n').toString('base64'),
      });
      expect(created.status).toBe(202);
      const jobId = ((await created.json()) as { job: { id: string } }).job.id;
      expect((await call('POST', `/printing/jobs/${jobId}/cancel`, cashier)).status).toBe(200);
      const reprint = await call('POST', `/printing/jobs/${jobId}/reprint`, manager);
      expect(reprint.status).toBe(202);
      const reprintId = ((await reprint.json()) as { job: { id: string } }).job.id;

      const recorded = await entries('targetType=print_job', owner);
      expect(recorded).toEqual([
        expect.objectContaining({
          action: 'job.reprinted',
          targetId: reprintId,
          actor: 'user:branch_manager-user',
          companyId: acme.companyId,
          sourceAddress: '127.0.0.1',
          details: expect.objectContaining({ reprintOf: jobId, printerId, branchId: acme.branchId }),
        }),
        expect.objectContaining({
          action: 'job.cancelled',
          targetId: jobId,
          actor: 'user:cashier-user',
          companyId: acme.companyId,
          sourceAddress: '127.0.0.1',
        }),
      ]);
    });

    it('records the start, each refresh and the end of a session with the source address', async () => {
      const begun = await call('POST', '/auth/sessions', owner, {
        sub: 'till-9',
        role: 'cashier',
        companyId: acme.companyId,
        branchId: acme.branchId,
      });
      expect(begun.status).toBe(201);
      const pair = (await begun.json()) as { refreshToken: string; sessionId: string };
      const refreshed = await call('POST', '/auth/refresh', undefined, { refreshToken: pair.refreshToken });
      expect(refreshed.status).toBe(200);

      const { accessToken } = (await refreshed.json()) as { accessToken: string };
      expect((await call('POST', '/auth/logout', accessToken)).status).toBe(200);

      const recorded = await entries(`targetType=session&targetId=${pair.sessionId}`, owner);
      expect(recorded.map((e) => [e.action, e.actor, e.sourceAddress])).toEqual([
        ['session.logged_out', 'user:till-9', '127.0.0.1'],
        ['session.refreshed', 'user:till-9', '127.0.0.1'],
        ['session.started', 'user:company_owner-user', '127.0.0.1'],
      ]);
    });

    it('records refused requests once per address and status a minute, naming the caller of a 403', async () => {
      for (let i = 0; i < 3; i++) expect((await call('GET', '/printing/printers')).status).toBe(401);
      const unauthenticated = await waitForEntries('action=access.refused&actor=anonymous', 1);
      expect(unauthenticated).toEqual([
        expect.objectContaining({
          companyId: null,
          targetType: 'route',
          targetId: 'GET /printing/printers',
          sourceAddress: '127.0.0.1',
          details: { status: 401 },
        }),
      ]);

      expect((await call('GET', '/api/audit-log', cashier)).status).toBe(403);
      expect((await call('GET', '/api/audit-log', cashier)).status).toBe(403);
      const forbidden = await waitForEntries('action=access.refused&actor=user:cashier-user', 1);
      expect(forbidden).toEqual([
        expect.objectContaining({
          companyId: acme.companyId,
          targetId: 'GET /api/audit-log',
          sourceAddress: '127.0.0.1',
          details: { status: 403 },
        }),
      ]);
      // The three 401s were all answered (and so passed the hook) before the 403s: one entry stays one.
      expect(await entries('action=access.refused&actor=anonymous')).toHaveLength(1);
      // The owner sees its company's refusals; the anonymous ones are the gateway's.
      expect((await entries('action=access.refused', owner)).map((e) => e.actor)).toEqual(['user:cashier-user']);
    });
  },
);
