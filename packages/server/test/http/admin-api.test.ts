import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashLicenseKey } from '../../src/core/license-service.js';
import { startTestCore, type TestCore } from '../support/test-core.js';

type Role = 'super_admin' | 'company_owner' | 'branch_manager' | 'cashier';
type Json = Record<string, unknown> & { code?: string; message?: string; path?: string };

/** The admin API (docs/admin-api.md) on the test core: routes, roles, scope, bad input, audit and events. */
describe('admin API: companies, branches and licences', () => {
  let t: TestCore;
  let admin: string;
  /** Company A (seeded: a branch, a printer, an agent) and company B, with tokens of each role. */
  let a: Awaited<ReturnType<TestCore['seed']>>;
  let bCompany: string;
  let bBranch: string;
  let ownerA: string;
  let ownerB: string;
  let managerA: string;
  let cashierA: string;

  const token = (role: Role, scope: { companyId?: string; branchId?: string } = {}) =>
    t.jwt.sign({ sub: `${role}-${scope.branchId ?? scope.companyId ?? 'platform'}`, role, ...scope }, '1h');

  const call = async (method: string, url: string, auth?: string, body?: unknown) => {
    const res = await t.app.inject({
      method: method as 'GET',
      url,
      headers: auth ? { authorization: `Bearer ${auth}` } : {},
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    return { status: res.statusCode, body: res.json() as Json, headers: res.headers };
  };

  const auditOf = (targetId: string) =>
    t.database.db
      .selectFrom('auditLog')
      .select(['actor', 'action', 'companyId'])
      .where('targetId', '=', targetId)
      .orderBy('id')
      .execute();

  const eventsOf = (subjectId: string) =>
    t.database.db
      .selectFrom('events')
      .select(['type', 'companyId', 'branchId', 'data'])
      .where('subjectId', '=', subjectId)
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    t = await startTestCore();
    a = await t.seed();
    admin = await token('super_admin');
    const b = await call('POST', '/admin/companies', admin, { name: 'Globex', id: `globex-${Date.now()}` });
    bCompany = (b.body.company as { id: string }).id;
    const bb = await call('POST', '/admin/branches', admin, { companyId: bCompany, name: 'Harbour' });
    bBranch = (bb.body.branch as { id: string }).id;
    ownerA = await token('company_owner', { companyId: a.companyId });
    ownerB = await token('company_owner', { companyId: bCompany });
    managerA = await token('branch_manager', { companyId: a.companyId, branchId: a.branchId });
    cashierA = await token('cashier', { companyId: a.companyId, branchId: a.branchId });
  });
  afterAll(() => t.close());

  describe('companies', () => {
    it('lets a super admin create, list, read, rename, deactivate and activate companies, audited', async () => {
      const created = await call('POST', '/admin/companies', admin, { name: 'Initech', id: 'initech-1' });
      expect(created.status).toBe(201);
      expect(created.body.company).toMatchObject({ id: 'initech-1', name: 'Initech', status: 'active' });
      const list = await call('GET', '/admin/companies', admin);
      expect((list.body.companies as { id: string }[]).map((c) => c.id)).toEqual(
        expect.arrayContaining([a.companyId, bCompany, 'initech-1']),
      );
      expect((await call('GET', '/admin/companies/initech-1', admin)).body.company).toMatchObject({ name: 'Initech' });
      const renamed = await call('PATCH', '/admin/companies/initech-1', admin, { name: 'Initrode' });
      expect(renamed.body.company).toMatchObject({ name: 'Initrode' });
      const off = await call('POST', '/admin/companies/initech-1/deactivate', admin);
      expect(off).toMatchObject({ status: 200, body: { company: { status: 'suspended' } } });
      const on = await call('POST', '/admin/companies/initech-1/activate', admin);
      expect(on).toMatchObject({ status: 200, body: { company: { status: 'active' } } });
      const adminId = (await t.jwt.verify(admin)).userId;
      expect(await auditOf('initech-1')).toEqual([
        { actor: `user:${adminId}`, action: 'company.created', companyId: 'initech-1' },
        { actor: `user:${adminId}`, action: 'company.updated', companyId: 'initech-1' },
        { actor: `user:${adminId}`, action: 'company.deactivated', companyId: 'initech-1' },
        { actor: `user:${adminId}`, action: 'company.activated', companyId: 'initech-1' },
      ]);
    });

    it('confines a company owner to its company: read and rename it, nothing else', async () => {
      expect((await call('GET', '/admin/companies', ownerA)).body).toMatchObject({
        total: 1,
        companies: [{ id: a.companyId }],
      });
      expect((await call('GET', `/admin/companies/${a.companyId}`, ownerA)).status).toBe(200);
      expect((await call('PATCH', `/admin/companies/${a.companyId}`, ownerA, { name: 'Acme' })).status).toBe(200);
      // Another company is not found, not forbidden: no hint that it exists.
      for (const [method, path, body] of [
        ['GET', `/admin/companies/${bCompany}`, undefined],
        ['PATCH', `/admin/companies/${bCompany}`, { name: 'Mine now' }],
        ['POST', `/admin/companies/${bCompany}/deactivate`, undefined],
      ] as const) {
        expect(await call(method, path, ownerA, body)).toMatchObject({
          status: 404,
          body: { code: 'COMPANY_NOT_FOUND' },
        });
      }
      // Creating companies and deactivating its own are the platform's.
      expect(await call('POST', '/admin/companies', ownerA, { name: 'Spin-off' })).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      expect(await call('POST', `/admin/companies/${a.companyId}/deactivate`, ownerA)).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
    });

    it('lets a branch manager read its company only, and refuses cashiers everything', async () => {
      expect((await call('GET', `/admin/companies/${a.companyId}`, managerA)).status).toBe(200);
      expect((await call('PATCH', `/admin/companies/${a.companyId}`, managerA, { name: 'X' })).status).toBe(403);
      for (const [method, path] of [
        ['GET', '/admin/companies'],
        ['GET', `/admin/companies/${a.companyId}`],
        ['GET', '/admin/branches'],
        ['GET', `/admin/branches/${a.branchId}`],
        ['GET', '/admin/licences'],
      ] as const) {
        expect(await call(method, path, cashierA), path).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      }
    });

    it('answers bad input with 400 and the field, unknown ids with 404, duplicates with 409, no token with 401', async () => {
      const cases: [string, string, unknown, string][] = [
        ['POST', '/admin/companies', {}, 'body/name'],
        ['POST', '/admin/companies', { name: '' }, 'body/name'],
        ['POST', '/admin/companies', { name: 'X', id: '*' }, 'body/id'],
        ['POST', '/admin/companies', { name: 'X', extra: 1 }, 'body/extra'],
        ['PATCH', `/admin/companies/${a.companyId}`, {}, 'body'],
        ['PATCH', `/admin/companies/${a.companyId}`, { name: 7 }, 'body/name'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await call(method, path, admin, body);
        expect(res, `${method} ${path} ${JSON.stringify(body)}`).toMatchObject({
          status: 400,
          body: { code: 'BAD_REQUEST', path: field },
        });
      }
      expect(await call('GET', '/admin/companies/nope', admin)).toMatchObject({
        status: 404,
        body: { code: 'COMPANY_NOT_FOUND' },
      });
      expect(await call('POST', '/admin/companies/nope/activate', admin)).toMatchObject({
        status: 404,
        body: { code: 'COMPANY_NOT_FOUND' },
      });
      expect(await call('POST', '/admin/companies', admin, { name: 'Twice', id: bCompany })).toMatchObject({
        status: 409,
        body: { code: 'CONFLICT' },
      });
      expect(await call('GET', '/admin/companies')).toMatchObject({ status: 401, body: { code: 'AUTH_FAILED' } });
    });
  });

  describe('branches', () => {
    it('lets a company owner create branches in its company, list, read, rename them, audited', async () => {
      const created = await call('POST', '/admin/branches', ownerA, { name: 'Airport', id: 'acme-airport' });
      expect(created).toMatchObject({
        status: 201,
        body: { branch: { id: 'acme-airport', companyId: a.companyId, status: 'active' } },
      });
      const list = await call('GET', '/admin/branches', ownerA);
      expect((list.body.branches as { id: string }[]).map((b) => b.id).sort()).toEqual(
        [a.branchId, 'acme-airport'].sort(),
      );
      expect((await call('GET', `/admin/branches?companyId=${bCompany}`, admin)).body).toMatchObject({
        total: 1,
        branches: [{ id: bBranch }],
      });
      const renamed = await call('PATCH', '/admin/branches/acme-airport', ownerA, { name: 'Airport T2' });
      expect(renamed.body.branch).toMatchObject({ name: 'Airport T2' });
      const ownerId = (await t.jwt.verify(ownerA)).userId;
      expect((await auditOf('acme-airport')).map((e) => [e.actor, e.action])).toEqual([
        [`user:${ownerId}`, 'branch.created'],
        [`user:${ownerId}`, 'branch.updated'],
      ]);
    });

    it('confines owners to their company and managers to their branch', async () => {
      expect(await call('POST', '/admin/branches', ownerA, { companyId: bCompany, name: 'Sneaky' })).toMatchObject({
        status: 404,
        body: { code: 'COMPANY_NOT_FOUND' },
      });
      expect(await call('GET', `/admin/branches?companyId=${bCompany}`, ownerA)).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      for (const [method, path, body] of [
        ['GET', `/admin/branches/${bBranch}`, undefined],
        ['PATCH', `/admin/branches/${bBranch}`, { name: 'Mine' }],
        ['POST', `/admin/branches/${bBranch}/deactivate`, undefined],
      ] as const) {
        expect(await call(method, path, ownerA, body)).toMatchObject({
          status: 404,
          body: { code: 'BRANCH_NOT_FOUND' },
        });
      }
      // A manager sees its own branch only, and changes none.
      expect((await call('GET', '/admin/branches', managerA)).body).toMatchObject({
        total: 1,
        branches: [{ id: a.branchId }],
      });
      expect(await call('GET', '/admin/branches/acme-airport', managerA)).toMatchObject({ status: 404 });
      expect(await call('PATCH', `/admin/branches/${a.branchId}`, managerA, { name: 'Renamed' })).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      expect(await call('POST', `/admin/branches/${a.branchId}/deactivate`, managerA)).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      expect(await call('POST', '/admin/branches', managerA, { name: 'New' })).toMatchObject({ status: 403 });
      expect(await call('POST', '/admin/branches', cashierA, { name: 'New' })).toMatchObject({ status: 403 });
    });

    it('answers bad input with 400 and the field, unknown ids with 404, duplicates with 409', async () => {
      const cases: [string, string, unknown, string][] = [
        ['POST', '/admin/branches', { companyId: a.companyId }, 'body/name'],
        ['POST', '/admin/branches', { companyId: a.companyId, name: '   ' }, 'body/name'],
        ['POST', '/admin/branches', { name: 'No company' }, 'body/companyId'],
        ['POST', '/admin/branches', { companyId: a.companyId, name: 'X', id: 'has space' }, 'body/id'],
        ['PATCH', `/admin/branches/${a.branchId}`, {}, 'body'],
        ['PATCH', `/admin/branches/${a.branchId}`, { status: 'suspended' }, 'body/status'],
        ['GET', '/admin/branches?companyId=', undefined, 'querystring/companyId'],
        ['GET', '/admin/branches?other=1', undefined, 'querystring/other'],
      ];
      for (const [method, path, body, field] of cases) {
        // A super admin names no company of its own: `companyId` is required of it.
        const res = await call(method, path, admin, body);
        expect(res, `${method} ${path} ${JSON.stringify(body)}`).toMatchObject({
          status: 400,
          body: { code: 'BAD_REQUEST', path: field },
        });
      }
      expect(await call('POST', '/admin/branches', admin, { companyId: 'nope', name: 'X' })).toMatchObject({
        status: 404,
        body: { code: 'COMPANY_NOT_FOUND' },
      });
      for (const path of ['/admin/branches/nope', '/admin/branches/nope/deactivate']) {
        const method = path.endsWith('deactivate') ? 'POST' : 'GET';
        expect(await call(method, path, admin)).toMatchObject({ status: 404, body: { code: 'BRANCH_NOT_FOUND' } });
      }
      expect(await call('POST', '/admin/branches', ownerA, { name: 'Unit branch' })).toMatchObject({
        status: 409,
        body: { code: 'CONFLICT' },
      });
      expect(
        await call('POST', '/admin/branches', admin, { companyId: bCompany, name: 'Y', id: a.branchId }),
      ).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    });

    it('refuses the jobs of a deactivated branch, and of a deactivated company, until activated', async () => {
      const job = () =>
        call('POST', '/printing/jobs', a.token, {
          printerId: a.printerId,
          content: Buffer.from('hello\n').toString('base64'),
        });
      expect((await job()).status).toBe(202);
      const off = await call('POST', `/admin/branches/${a.branchId}/deactivate`, ownerA);
      expect(off).toMatchObject({ status: 200, body: { branch: { status: 'suspended' } } });
      expect(await job()).toMatchObject({ status: 403, body: { code: 'BRANCH_INACTIVE', branchId: a.branchId } });
      // Deactivating again changes nothing and is not audited twice.
      expect((await call('POST', `/admin/branches/${a.branchId}/deactivate`, ownerA)).status).toBe(200);
      expect((await call('POST', `/admin/branches/${a.branchId}/activate`, ownerA)).body).toMatchObject({
        branch: { status: 'active' },
      });
      expect((await job()).status).toBe(202);
      expect((await auditOf(a.branchId)).map((e) => e.action)).toEqual([
        'branch.created',
        'branch.deactivated',
        'branch.activated',
      ]);

      expect((await call('POST', `/admin/companies/${a.companyId}/deactivate`, admin)).status).toBe(200);
      expect(await job()).toMatchObject({ status: 403, body: { code: 'BRANCH_INACTIVE' } });
      expect((await call('POST', `/admin/companies/${a.companyId}/activate`, admin)).status).toBe(200);
      expect((await job()).status).toBe(202);
    });

    it('refuses a deactivated branch’s licence at validation, and admits it again once activated', async () => {
      const issued = await call('POST', '/admin/licences', ownerA, { branchId: a.branchId });
      const key = issued.body.licenceKey as string;
      await t.core.licenses.validate(key);
      await call('POST', `/admin/branches/${a.branchId}/deactivate`, ownerA);
      await expect(t.core.licenses.validate(key)).rejects.toMatchObject({ code: 'BRANCH_INACTIVE' });
      // The legacy clients' validation says so too.
      const legacy = await t.app.inject({
        method: 'POST',
        url: '/api/v1/printer-licenses/validate',
        payload: { licenseKey: key, deviceInfo: { deviceId: 'legacy-1' } },
      });
      expect(legacy.statusCode).toBe(403);
      expect(legacy.json()).toMatchObject({ code: 'BRANCH_INACTIVE' });
      await call('POST', `/admin/branches/${a.branchId}/activate`, ownerA);
      await expect(t.core.licenses.validate(key)).resolves.toBeDefined();
    });
  });

  describe('licences', () => {
    it('issues a licence whose key is shown once, never stored or sent in events', async () => {
      const issued = await call('POST', '/admin/licences', ownerA, {
        branchId: a.branchId,
        maxPrinters: 4,
        expiresAt: '2099-01-31T00:00:00Z',
        features: ['printing'],
      });
      expect(issued.status).toBe(201);
      expect(issued.headers['cache-control']).toBe('no-store');
      const key = issued.body.licenceKey as string;
      const licence = issued.body.licence as { id: string; keyHint: string };
      expect(licence).toMatchObject({
        companyId: a.companyId,
        branchId: a.branchId,
        status: 'active',
        maxPrinters: 4,
        expiresAt: '2099-01-31T00:00:00.000Z',
        keyHint: key.slice(-4),
        previousKeyValidUntil: null,
      });
      const read = await call('GET', `/admin/licences/${licence.id}`, ownerA);
      expect(read.body.licence).toEqual(licence);
      expect(JSON.stringify(read.body)).not.toContain(key);
      expect(JSON.stringify(read.body)).not.toContain(hashLicenseKey(key));
      const events = await eventsOf(licence.id);
      expect(events).toEqual([
        {
          type: 'licence.issued',
          companyId: a.companyId,
          branchId: a.branchId,
          data: expect.objectContaining({ licenceId: licence.id, status: 'active', keyHint: licence.keyHint }),
        },
      ]);
      expect(JSON.stringify(events)).not.toContain(key);
      expect(JSON.stringify(events)).not.toContain(hashLicenseKey(key));
    });

    it('refuses a licence born expired and features that are not names, and issues nothing for them', async () => {
      const before = (await call('GET', `/admin/licences?branchId=${a.branchId}`, ownerA)).body.total;
      expect(
        await call('POST', '/admin/licences', ownerA, { branchId: a.branchId, expiresAt: '2001-01-01T00:00:00Z' }),
      ).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', path: 'body/expiresAt' } });
      expect(
        await call('POST', '/admin/licences', ownerA, { branchId: a.branchId, features: ['printing', 'Print All!'] }),
      ).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', path: 'body/features/1' } });
      expect((await call('GET', `/admin/licences?branchId=${a.branchId}`, ownerA)).body.total).toBe(before);
      // A platform's own feature names pass through as given, once each.
      const own = await call('POST', '/admin/licences', ownerA, {
        branchId: a.branchId,
        features: ['printing', 'acme:kds', 'printing'],
      });
      expect(own.status).toBe(201);
      expect(own.body.licence).toMatchObject({ features: ['printing', 'acme:kds'] });
    });

    it('revokes, suspends, activates, binds and unbinds, each audited and written as licence.<change>', async () => {
      const issued = await call('POST', '/admin/licences', managerA, { branchId: a.branchId });
      expect(issued.status).toBe(201);
      const id = (issued.body.licence as { id: string }).id;
      const key = issued.body.licenceKey as string;
      const step = async (path: string, body?: unknown) => {
        const res = await call('POST', `/admin/licences/${id}/${path}`, managerA, body);
        expect(res.status, path).toBe(200);
        return res.body.licence as { status: string; boundDeviceId: string | null };
      };
      expect(await step('suspend')).toMatchObject({ status: 'suspended' });
      await expect(t.core.licenses.validate(key)).rejects.toMatchObject({ code: 'LICENSE_INVALID' });
      expect(await step('activate')).toMatchObject({ status: 'active' });
      expect(await step('bind', { deviceId: 'till-7' })).toMatchObject({ boundDeviceId: 'till-7' });
      await expect(t.core.licenses.validate(key, 'till-8')).rejects.toMatchObject({ code: 'LICENSE_INVALID' });
      // Bound already to that device: nothing changes; to another: unbind first.
      expect(await step('bind', { deviceId: 'till-7' })).toMatchObject({ boundDeviceId: 'till-7' });
      expect(await call('POST', `/admin/licences/${id}/bind`, managerA, { deviceId: 'till-8' })).toMatchObject({
        status: 409,
        body: { code: 'CONFLICT', boundDeviceId: 'till-7' },
      });
      expect(await step('unbind')).toMatchObject({ boundDeviceId: null });
      await t.core.licenses.validate(key, 'till-8');
      expect(await step('revoke')).toMatchObject({ status: 'revoked' });
      // Revoking is final.
      for (const path of ['activate', 'suspend', 'rotate']) {
        expect(await call('POST', `/admin/licences/${id}/${path}`, managerA), path).toMatchObject({
          status: 409,
          body: { code: 'CONFLICT' },
        });
      }
      expect((await eventsOf(id)).map((e) => [e.type, (e.data as { status: string }).status])).toEqual([
        ['licence.issued', 'active'],
        ['licence.suspended', 'suspended'],
        ['licence.activated', 'active'],
        ['licence.bound', 'active'],
        ['licence.unbound', 'active'],
        ['licence.revoked', 'revoked'],
      ]);
      const managerId = (await t.jwt.verify(managerA)).userId;
      expect((await auditOf(id)).map((e) => [e.actor, e.action])).toEqual([
        [`user:${managerId}`, 'license.issued'],
        [`user:${managerId}`, 'license.suspended'],
        [`user:${managerId}`, 'license.active'],
        [`user:${managerId}`, 'license.bound'],
        [`user:${managerId}`, 'license.unbound'],
        [`user:${managerId}`, 'license.revoked'],
      ]);
    });

    it('rotates a key: the old one works until the grace period ends, the new one at once', async () => {
      const issued = await call('POST', '/admin/licences', ownerA, { branchId: a.branchId });
      const id = (issued.body.licence as { id: string }).id;
      const oldKey = issued.body.licenceKey as string;
      await t.core.licenses.validate(oldKey);
      const rotated = await call('POST', `/admin/licences/${id}/rotate`, ownerA, { graceSeconds: 600 });
      expect(rotated.status).toBe(200);
      expect(rotated.headers['cache-control']).toBe('no-store');
      const newKey = rotated.body.licenceKey as string;
      expect(newKey).not.toBe(oldKey);
      expect(rotated.body.licence).toMatchObject({
        keyHint: newKey.slice(-4),
        previousKeyValidUntil: new Date(t.clock.now() + 600_000).toISOString(),
      });
      expect((await t.core.licenses.validate(oldKey)).validUntil?.getTime()).toBe(t.clock.now() + 600_000);
      expect((await t.core.licenses.validate(newKey)).validUntil).toBeNull();
      await t.clock.advance(600_000);
      await expect(t.core.licenses.validate(oldKey)).rejects.toMatchObject({ code: 'LICENSE_INVALID' });
      await t.core.licenses.validate(newKey);
      expect((await call('GET', `/admin/licences/${id}`, ownerA)).body.licence).toMatchObject({
        previousKeyValidUntil: null,
      });

      // The default grace period is 24 h; a rotation without grace refuses the old key at once.
      const again = await call('POST', `/admin/licences/${id}/rotate`, ownerA);
      expect(again.body.licence).toMatchObject({
        previousKeyValidUntil: new Date(t.clock.now() + 86_400_000).toISOString(),
      });
      const third = await call('POST', `/admin/licences/${id}/rotate`, ownerA, { graceSeconds: 0 });
      await expect(t.core.licenses.validate(again.body.licenceKey as string)).rejects.toMatchObject({
        code: 'AUTH_FAILED',
      });
      await t.core.licenses.validate(third.body.licenceKey as string);
      const types = (await eventsOf(id)).map((e) => e.type);
      expect(types).toEqual(['licence.issued', 'licence.rotated', 'licence.rotated', 'licence.rotated']);
    });

    it('confines licences to the caller’s scope', async () => {
      const inB = await call('POST', '/admin/licences', ownerB, { branchId: bBranch });
      expect(inB.status).toBe(201);
      const bId = (inB.body.licence as { id: string }).id;
      // Owner A cannot see, issue for, or change B's licences.
      expect(await call('POST', '/admin/licences', ownerA, { branchId: bBranch })).toMatchObject({
        status: 404,
        body: { code: 'BRANCH_NOT_FOUND' },
      });
      for (const path of ['', '/revoke', '/suspend', '/activate', '/rotate', '/unbind']) {
        const method = path === '' ? 'GET' : 'POST';
        expect(await call(method, `/admin/licences/${bId}${path}`, ownerA), path).toMatchObject({
          status: 404,
          body: { code: 'LICENSE_NOT_FOUND' },
        });
      }
      expect(await call('POST', `/admin/licences/${bId}/bind`, ownerA, { deviceId: 'x' })).toMatchObject({
        status: 404,
      });
      expect(await call('GET', `/admin/licences?companyId=${bCompany}`, ownerA)).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      const ownList = (await call('GET', '/admin/licences', ownerA)).body.licences as { companyId: string }[];
      expect(ownList.length).toBeGreaterThan(0);
      expect(ownList.every((l) => l.companyId === a.companyId)).toBe(true);
      // A manager: its branch's licences only.
      await call('POST', '/admin/licences', ownerA, { branchId: 'acme-airport' });
      const managerList = (await call('GET', '/admin/licences', managerA)).body.licences as { branchId: string }[];
      expect(managerList.every((l) => l.branchId === a.branchId)).toBe(true);
      expect(await call('GET', '/admin/licences?branchId=acme-airport', managerA)).toMatchObject({ status: 403 });
      expect(await call('POST', '/admin/licences', managerA, { branchId: 'acme-airport' })).toMatchObject({
        status: 404,
      });
      expect(await call('POST', '/admin/licences', cashierA, { branchId: a.branchId })).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      // The platform sees every company's.
      const all = (await call('GET', '/admin/licences', admin)).body.licences as { companyId: string }[];
      expect(new Set(all.map((l) => l.companyId))).toEqual(new Set([a.companyId, bCompany]));
    });

    it('answers bad input with 400 and the field, unknown ids with 404', async () => {
      const id = (
        (await call('POST', '/admin/licences', ownerA, { branchId: a.branchId })).body.licence as { id: string }
      ).id;
      const cases: [string, string, unknown, string][] = [
        ['POST', '/admin/licences', {}, 'body/branchId'],
        ['POST', '/admin/licences', { branchId: a.branchId, maxPrinters: -1 }, 'body/maxPrinters'],
        ['POST', '/admin/licences', { branchId: a.branchId, maxPrinters: 1.5 }, 'body/maxPrinters'],
        ['POST', '/admin/licences', { branchId: a.branchId, expiresAt: 'soon' }, 'body/expiresAt'],
        ['POST', '/admin/licences', { branchId: a.branchId, key: 'mine' }, 'body/key'],
        ['POST', `/admin/licences/${id}/rotate`, { graceSeconds: -1 }, 'body/graceSeconds'],
        ['POST', `/admin/licences/${id}/rotate`, { graceSeconds: 604_801 }, 'body/graceSeconds'],
        ['POST', `/admin/licences/${id}/rotate`, { graceSeconds: '60' }, 'body/graceSeconds'],
        ['POST', `/admin/licences/${id}/bind`, {}, 'body/deviceId'],
        ['POST', `/admin/licences/${id}/bind`, { deviceId: '' }, 'body/deviceId'],
        ['GET', '/admin/licences?status=active', undefined, 'querystring/status'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await call(method, path, ownerA, body);
        expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
        expect(res.body.code).toBe('BAD_REQUEST');
        expect(String(res.body.path)).toContain(field);
      }
      for (const path of ['', '/revoke', '/suspend', '/activate', '/rotate', '/unbind']) {
        const method = path === '' ? 'GET' : 'POST';
        expect(await call(method, `/admin/licences/nope${path}`, ownerA), path).toMatchObject({
          status: 404,
          body: { code: 'LICENSE_NOT_FOUND' },
        });
      }
      expect(await call('POST', '/admin/licences', ownerA, { branchId: 'nope' })).toMatchObject({
        status: 404,
        body: { code: 'BRANCH_NOT_FOUND' },
      });
    });
  });

  it('lists every admin route in the OpenAPI document under the tag "admin"', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const admin = Object.entries(doc.paths).flatMap(([path, ops]) =>
      path.startsWith('/admin/companies') || path.startsWith('/admin/branches') || path.startsWith('/admin/licences')
        ? Object.entries(ops).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.tags?.join(',')}`)
        : [],
    );
    expect(admin.sort()).toEqual(
      [
        'GET /admin/companies admin',
        'POST /admin/companies admin',
        'GET /admin/companies/{companyId} admin',
        'PATCH /admin/companies/{companyId} admin',
        'POST /admin/companies/{companyId}/deactivate admin',
        'POST /admin/companies/{companyId}/activate admin',
        'GET /admin/branches admin',
        'POST /admin/branches admin',
        'GET /admin/branches/{branchId} admin',
        'PATCH /admin/branches/{branchId} admin',
        'POST /admin/branches/{branchId}/deactivate admin',
        'POST /admin/branches/{branchId}/activate admin',
        'GET /admin/licences admin',
        'POST /admin/licences admin',
        'GET /admin/licences/{licenceId} admin',
        'POST /admin/licences/{licenceId}/revoke admin',
        'POST /admin/licences/{licenceId}/suspend admin',
        'POST /admin/licences/{licenceId}/activate admin',
        'POST /admin/licences/{licenceId}/rotate admin',
        'POST /admin/licences/{licenceId}/bind admin',
        'POST /admin/licences/{licenceId}/unbind admin',
      ].sort(),
    );
  });
});
