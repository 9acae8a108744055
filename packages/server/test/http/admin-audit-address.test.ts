import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

interface EntryView {
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  sourceAddress: string | null;
}

/** Every admin change made over REST names the caller's address in the audit log; an operator's none. */
describe.each([{ store: 'pglite' as const }, { store: 'postgres' as const, rowLevelSecurity: true }])(
  'source address of admin changes ($store)',
  (options) => {
    let gw: TestGateway;
    let admin: string;

    beforeAll(async () => {
      gw = await startTestGateway({
        ...options,
        env: { PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE: 'true', PRINTERMASTER_WEBHOOK_WORKER: 'false' },
      });
      admin = await gw.token('super_admin');
    });
    afterAll(() => gw.close());

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${gw.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${admin}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return (await res.json()) as Record<string, { id: string }>;
    };

    it('records 127.0.0.1 on company, branch, licence, API key, webhook and printer changes', async () => {
      const { company } = await call('POST', '/admin/companies', { name: 'Addressed' });
      const companyId = company?.id as string;
      const { branch } = await call('POST', '/admin/branches', { companyId, name: 'Main' });
      const branchId = branch?.id as string;
      await call('PATCH', `/admin/branches/${branchId}`, { name: 'Main Street' });
      await call('POST', '/admin/licences', { branchId });
      const { apiKey } = await call('POST', '/admin/api-keys', { name: 'POS', role: 'cashier', companyId, branchId });
      await call('DELETE', `/admin/api-keys/${apiKey?.id}`);
      await call('POST', '/admin/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['job.*'], companyId });
      await call('POST', '/printing/printers', {
        branchId,
        name: 'Bar',
        connection: 'network',
        ip: '10.0.0.9',
        port: 9100,
      });

      const { entries } = (await call('GET', `/api/audit-log?companyId=${companyId}&limit=100`)) as unknown as {
        entries: EntryView[];
      };
      expect(entries.map((e) => e.action).sort()).toEqual(
        [
          'api_key.created',
          'api_key.revoked',
          'branch.created',
          'branch.updated',
          'company.created',
          'license.issued',
          'printer.created',
          'webhook.created',
        ].sort(),
      );
      for (const entry of entries) expect(entry, entry.action).toMatchObject({ sourceAddress: '127.0.0.1' });
    });

    it('records no address for an operator’s change (the CLI)', async () => {
      const { companyId } = await gw.seedTenant('Operated');
      const { entries } = (await call(
        'GET',
        `/api/audit-log?companyId=${companyId}&action=company.created`,
      )) as unknown as {
        entries: EntryView[];
      };
      expect(entries).toEqual([expect.objectContaining({ actor: 'test', sourceAddress: null })]);
    });
  },
);
