import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminCommands } from '../../src/admin/admin-commands.js';
import { connectDeep, DEEP_MARKER } from '../support/deep-json.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const DEEP = `${'{"a":['.repeat(2_500)}1${']}'.repeat(2_500)}`;

/** The inputs that once answered 500 `INTERNAL` (issue 14, item 6), one by one. */
describe('input rules at the edges', () => {
  let gateway: TestGateway;
  let url: string;
  let auth: Record<string, string>;
  let printerId: string;
  let agent: Socket;

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${url}${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const post = (path: string, body: string) => call(path, { method: 'POST', body });

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { CORS_ORIGINS: 'https://pos.example.com' } });
    url = gateway.url;
    const tenant = await gateway.seedTenant();
    auth = { authorization: `Bearer ${await gateway.token('super_admin')}`, 'content-type': 'application/json' };
    const created = await post('/printing/printers', JSON.stringify({ branchId: tenant.branchId, name: 'Bar' }));
    printerId = (created.body.printer as { id: string }).id;
    agent = await connectDeep(url, {
      userRole: 'desktop_app',
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: `dev-${randomUUID()}`,
      protocolVersion: 2,
    });
  });

  afterAll(async () => {
    agent?.close();
    await gateway?.close();
  });

  it('refuses a NUL in a body field, a path parameter and the query with 400 naming the field', async () => {
    expect(await post('/printing/printers', '{"branchId":"b","name":"a\\u0000b"}')).toMatchObject({
      status: 400,
      body: { success: false, code: 'BAD_REQUEST', path: 'body/name' },
    });
    expect(await call('/printing/printers/a%00b')).toMatchObject({ status: 400, body: { path: 'params/printerId' } });
    expect(await call('/printing/jobs?printerId=a%00b')).toMatchObject({
      status: 400,
      body: { path: 'querystring/printerId' },
    });
    const job = `{"printerId":"${printerId}","content":"G0BA","orderData":{"note":"x\\u0000","lone":"\\ud800"}}`;
    expect(await post('/printing/jobs', job)).toMatchObject({ status: 400, body: { path: 'body/orderData/note' } });
  });

  it('refuses date-times outside years 1–9999 in the query and in cursors with 400', async () => {
    for (const query of ['createdBefore=-271821-04-20', 'createdAfter=%2B275760-09-13T00:00:00Z']) {
      expect(await call(`/printing/jobs?${query}`), query).toMatchObject({
        status: 400,
        body: { code: 'BAD_REQUEST' },
      });
    }
    for (const cursor of [
      '+275760-09-13T00:00:00.000Z|x',
      '-271821-04-20T00:00:00.000Z|x',
      '2026-01-01T00:00:00Z|a\u0000',
    ]) {
      const encoded = Buffer.from(cursor).toString('base64url');
      expect(await call(`/printing/jobs?cursor=${encoded}`), cursor).toMatchObject({
        status: 400,
        body: { path: 'querystring/cursor' },
      });
    }
  });

  it('reads an empty JSON body as none: an action needs none, and a route that needs one names it', async () => {
    const licence = await call('/admin/licences', {
      method: 'POST',
      body: JSON.stringify({ branchId: (await gateway.seedTenant()).branchId }),
    });
    const id = (licence.body.licence as { id: string }).id;
    expect(await call(`/admin/licences/${id}/suspend`, { method: 'POST' })).toMatchObject({
      status: 200,
      body: { licence: { status: 'suspended' } },
    });
    expect(await call('/printing/jobs', { method: 'POST' })).toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST' },
    });
    expect(await post('/printing/jobs', '{"printerId":')).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
  });

  it('refuses orderData nested 5,000 deep with 400', async () => {
    const res = await post('/printing/jobs', `{"printerId":"${printerId}","content":"G0BA","orderData":{"d":${DEEP}}}`);
    expect(res).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    expect(String(res.body.message)).toContain('nests deeper than 32');
  });

  it('answers what the router refuses in the error envelope, and reads ids of 128 characters', async () => {
    expect(await call(`/printing/printers/${'x'.repeat(300)}`)).toEqual({
      status: 414,
      body: { success: false, code: 'URI_TOO_LONG', message: expect.any(String) },
    });
    expect(await call(`/printing/printers/${'x'.repeat(128)}`)).toMatchObject({
      status: 404,
      body: { code: 'PRINTER_NOT_FOUND' },
    });
    expect(await call('/printing/printers/%E0%A4%A')).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    expect(await call('/no/such/route')).toMatchObject({ status: 404, body: { success: false, code: 'NOT_FOUND' } });
  });

  it('answers what Node’s HTTP parser refuses in the error envelope', async () => {
    const port = Number(new URL(url).port);
    const big = await rawRequest(port, 'GET', '/health/live', [['x-big', 'a'.repeat(20_000)]]);
    expect(big?.status).toBe(431);
    expect(JSON.parse(big?.body ?? '')).toMatchObject({ success: false, code: 'HEADERS_TOO_LARGE' });
    const garbage = await rawRequest(port, 'G\u0000T', '/', []);
    expect(garbage?.status).toBe(400);
    expect(JSON.parse(garbage?.body ?? '')).toMatchObject({ success: false, code: 'BAD_REQUEST' });
    // Node's own answers, each a bare status or nothing before: a missing Host, an Expect it
    // does not know, and CONNECT.
    const noHost = await rawRequest(port, 'GET', '/health/live', [], { omitHost: true });
    expect(noHost?.status).toBe(200);
    expect(JSON.parse(noHost?.body ?? '')).toMatchObject({ status: 'ok' });
    const expectation = await rawRequest(port, 'GET', '/health/live', [['expect', '200-ok']]);
    expect(expectation?.status).toBe(200);
    const connect = await rawRequest(port, 'CONNECT', 'example.com:443', []);
    expect(connect?.status).toBe(404);
    expect(JSON.parse(connect?.body ?? '')).toMatchObject({ success: false, code: 'NOT_FOUND' });
    // Clients that reset right after CONNECT: writing the answer fails, and the process goes on
    // (an unhandled socket error would stop it, and fail this run).
    await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => {
              socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n');
              setImmediate(() => socket.resetAndDestroy());
            });
            socket.on('error', () => {});
            socket.on('close', () => resolve());
          }),
      ),
    );
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });

  it('refuses CORS preflights in the error envelope', async () => {
    const preflight = (headers: Record<string, string>) =>
      fetch(`${url}/printing/jobs`, { method: 'OPTIONS', headers }).then(async (r) => ({
        status: r.status,
        body: await r.text(),
      }));
    const foreign = await preflight({ origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ success: false, code: 'FORBIDDEN' });
    const incomplete = await preflight({ origin: 'https://pos.example.com' });
    expect(incomplete.status).toBe(400);
    expect(JSON.parse(incomplete.body)).toMatchObject({ success: false, code: 'BAD_REQUEST' });
    const allowed = await preflight({ origin: 'https://pos.example.com', 'access-control-request-method': 'POST' });
    expect(allowed.status).toBe(204);
  });

  it('saves a printer:discovered with device "host:99999" without the impossible port', async () => {
    const answer = (await agent.emitWithAck('printer:discovered', { name: 'Odd', device: 'host:99999' })) as {
      ok: boolean;
      data: { printerId: string };
    };
    expect(answer.ok).toBe(true);
    const printer = await call(`/printing/printers/${answer.data.printerId}`);
    expect(printer.body.printer).not.toHaveProperty('port');
  });

  it('refuses agent events with a NUL, a date past year 9999 or 5,000 levels of nesting', async () => {
    const lastSeen = '+275760-09-13T00:00:00.000Z';
    const cases: [string, unknown, unknown][] = [
      ['printer:discovered', { name: 'N\u0000' }, '/name'],
      [
        'printer:status:update',
        { printerIds: [{ id: printerId, status: 'online', lastSeen }] },
        '/printerIds/0/lastSeen',
      ],
      [
        'printer:status:update',
        { printerIds: [{ id: printerId, status: 'online', lastSeen: -8.64e15 }] },
        '/printerIds/0/lastSeen',
      ],
      ['print:job:failed', { jobId: 'j\u0000' }, '/jobId'],
      [
        'desktop:health:report',
        {
          uptime: 1,
          reconnectionCount: 0,
          averageLatency: 1,
          packetLossRate: 0,
          totalPings: 1,
          successfulPongs: 1,
          connectionQuality: 'good',
          extra: DEEP_MARKER,
        },
        expect.stringMatching(/^\/extra\/a\/0\//),
      ],
    ];
    for (const [event, payload, path] of cases) {
      expect(await agent.emitWithAck(event, payload), event).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST', details: { path } },
      });
    }
  });

  it('refuses an admin licence expiry outside years 1–9999 and a printer limit past integer range', async () => {
    const admin = new AdminCommands(gateway.tenants, gateway.licenses, gateway.jwt);
    const branch = (await gateway.seedTenant('Admin input')).branchId;
    const cases: [Record<string, string>, string][] = [
      [{ branch, expires: '-271821-04-20' }, '--expires'],
      [{ branch, 'max-printers': '99999999999' }, '--max-printers'],
    ];
    // Refused by the command itself, naming the option, not later by the store.
    for (const [args, option] of cases) {
      await expect(admin.run({ command: 'license.issue', args }), option).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringContaining(option),
      });
    }
  });

  it('saves a legacy bulk printer with a paper width past integer range, without the width', async () => {
    const tenant = await gateway.seedTenant('Legacy widths');
    const deviceId = `legacy-${randomUUID()}`;
    const legacy = await connectDeep(url, {
      userRole: 'desktop_app',
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId,
    });
    try {
      const printer = { name: 'Wide', paperWidth: 2 ** 40, discoveredBy: deviceId, branchId: tenant.branchId };
      const res = await fetch(`${url}/api/v1/printing/printers/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ branchId: tenant.branchId, printers: [printer] }),
      });
      const body = (await res.json()) as { results: { success: boolean; id: string }[] };
      expect(body.results[0]).toMatchObject({ success: true });
      const saved = await call(`/printing/printers/${body.results[0]?.id}`);
      expect(saved.body.printer).not.toHaveProperty('paperWidth');
    } finally {
      legacy.close();
    }
  });
});
