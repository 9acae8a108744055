import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

describe('printers REST API', () => {
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let other: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let manager: string;
  let cashier: string;
  let owner: string;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { PRINTERMASTER_MAX_BODY_BYTES: '4096' } });
    tenant = await gw.seedTenant('Acme');
    other = await gw.seedTenant('Globex');
    manager = await gw.token('branch_manager', { companyId: tenant.companyId, branchId: tenant.branchId });
    cashier = await gw.token('cashier', { companyId: tenant.companyId, branchId: tenant.branchId });
    owner = await gw.token('company_owner', { companyId: other.companyId });
  });
  afterAll(() => gw.close());

  const call = (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('creates, reads, updates, lists and deletes a printer under both path prefixes', async () => {
    const created = await call('POST', '/printing/printers', manager, {
      branchId: tenant.branchId,
      name: 'Kitchen',
      connection: 'network',
      ip: '10.0.0.5',
      port: 9100,
    });
    expect(created.status).toBe(201);
    const { printer } = (await created.json()) as { printer: { id: string; status: string; branchId: string } };
    expect(printer).toMatchObject({ branchId: tenant.branchId, status: 'unknown' });

    const read = await call('GET', `/api/v1/printing/printers/${printer.id}`, cashier);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { printer: { ip: string } }).printer.ip).toBe('10.0.0.5');

    const updated = await call('PATCH', `/printing/printers/${printer.id}`, manager, { location: 'Hot line' });
    expect(((await updated.json()) as { printer: { location: string } }).printer.location).toBe('Hot line');

    const list = (await (await call('GET', '/printing/printers', cashier)).json()) as {
      success: boolean;
      printers: unknown[];
      total: number;
    };
    expect(list).toMatchObject({ success: true, total: 1 });

    expect((await call('DELETE', `/printing/printers/${printer.id}`, manager)).status).toBe(200);
    expect((await call('GET', `/printing/printers/${printer.id}`, manager)).status).toBe(404);
  });

  it('answers 401 AUTH_FAILED without or with a bad token', async () => {
    for (const token of [undefined, 'not-a-jwt']) {
      const res = await call('GET', '/printing/printers', token);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ success: false, code: 'AUTH_FAILED' });
    }
  });

  it('keeps tenants apart: another company sees 404, and filtering outside the scope is 403', async () => {
    const created = await call('POST', '/printing/printers', manager, { branchId: tenant.branchId, name: 'Bar' });
    const { printer } = (await created.json()) as { printer: { id: string } };
    const foreign = await call('GET', `/printing/printers/${printer.id}`, owner);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ code: 'PRINTER_NOT_FOUND' });
    const filtered = await call('GET', `/printing/printers?companyId=${tenant.companyId}`, owner);
    expect(filtered.status).toBe(403);
    expect(await filtered.json()).toMatchObject({ code: 'FORBIDDEN' });
    const ownList = (await (await call('GET', '/printing/printers', owner)).json()) as { total: number };
    expect(ownList.total).toBe(0);
  });

  it('lets cashiers read but not change printers', async () => {
    const res = await call('POST', '/printing/printers', cashier, { branchId: tenant.branchId, name: 'Nope' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers 409 CONFLICT for a duplicate printer name in a branch', async () => {
    await call('POST', '/printing/printers', manager, { branchId: tenant.branchId, name: 'Dup' });
    const res = await call('POST', '/printing/printers', manager, { branchId: tenant.branchId, name: 'Dup' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ success: false, code: 'CONFLICT' });
  });

  it('rejects invalid bodies with 400 and the field path, never 500', async () => {
    const cases: [unknown, string][] = [
      [{ branchId: tenant.branchId }, 'body/name'],
      [{ branchId: tenant.branchId, name: 'X', port: 70000 }, 'body/port'],
      [{ branchId: tenant.branchId, name: 'X', colour: 'red' }, 'body/colour'],
      [{ branchId: tenant.branchId, name: 12 }, 'body/name'],
    ];
    for (const [body, path] of cases) {
      const res = await call('POST', '/printing/printers', manager, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ success: false, code: 'BAD_REQUEST', path });
    }
    const broken = await call('POST', '/printing/printers', manager, '{"name": ');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'BAD_REQUEST' });
    const wrongType = await call('POST', '/printing/printers', manager, 'name=x', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('answers 413 PAYLOAD_TOO_LARGE for an oversized body and keeps serving', async () => {
    const res = await call('POST', '/printing/printers', manager, {
      branchId: tenant.branchId,
      name: 'x'.repeat(10_000),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ success: false, code: 'PAYLOAD_TOO_LARGE' });
    expect((await call('GET', '/api/health')).status).toBe(200);
  });

  it('answers 404 NOT_FOUND for unknown routes', async () => {
    const res = await call('GET', '/printing/nothing-here', manager);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false, code: 'NOT_FOUND' });
  });

  it('serves the OpenAPI document with both path prefixes', async () => {
    const res = await call('GET', '/docs/json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { summary?: string }>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/printing/printers',
        '/api/v1/printing/printers/{printerId}/test',
        '/printing/jobs',
        '/api/health',
      ]),
    );
    // Every operation says in a line what it does, on the API page.
    const unsummarised = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => !op.summary)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(unsummarised).toEqual([]);
  });

  it('reports health as PROTOCOL and the runbooks expect', async () => {
    const res = await call('GET', '/api/health');
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', database: 'connected', websocket: 'active' });
    expect(typeof body.uptime).toBe('number');
    expect(Number.isNaN(Date.parse(String(body.timestamp)))).toBe(false);
  });
});
