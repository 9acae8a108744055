import { ERROR_CODES } from '@printermaster/protocol';
import fc from 'fast-check';
import { withDeepValues } from '../support/deep-json.js';
import { hostileJson, hostileSegment, hostileString, payloadFor } from './hostile-values.js';

/** What the generated requests may name: real ids (to reach the store) and credentials. */
export interface RestTargets {
  branchId: string;
  printerId: string;
  jobId: string;
  licenseKey: string;
  deviceId: string;
  /** A legacy client connected to the gateway: bulk requests naming it and its branch may write. */
  legacy: { branchId: string; deviceId: string };
  /** `Authorization` header values: valid JWTs of several roles, and none. */
  authorizations: (string | undefined)[];
  /**
   * A tenant of its own for the admin routes (they deactivate, revoke and delete what they
   * name, so they must not reach the tenant whose agent the other properties use).
   */
  admin: { companyId: string; branchId: string; licenceId: string; apiKeyId: string; webhookId: string };
}

export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Route {
  method: string;
  /** `:id` is replaced by a real id or a hostile segment. */
  path: string;
  query?: string[];
  body?: Record<string, unknown>;
}

function routes(t: RestTargets): Route[] {
  const job = { printerId: t.printerId, content: 'G0BA', type: 'kitchen', priority: 5, copies: 1, orderData: { n: 1 } };
  const printer = { branchId: t.branchId, name: 'Fuzz', ip: '10.0.0.9', port: 9100, paperWidth: 80, capabilities: [] };
  const bulkPrinter = {
    name: 'Bulk',
    ip: '10.0.0.8',
    port: 9100,
    paperWidth: 80,
    discoveredBy: t.legacy.deviceId,
    branchId: t.legacy.branchId,
  };
  return [
    { method: 'GET', path: '/printing/printers', query: ['companyId', 'branchId', 'status'] },
    { method: 'GET', path: '/printing/printers/:id' },
    { method: 'POST', path: '/printing/printers', body: printer },
    { method: 'PATCH', path: '/printing/printers/:id', body: { name: 'Renamed', location: 'bar', port: 9101 } },
    { method: 'PUT', path: '/api/v1/printing/printers/:id', body: { ip: '10.0.0.10', isDefault: true } },
    { method: 'POST', path: '/printing/printers/:id/test', body: { testType: 'basic', content: 'hello' } },
    {
      method: 'GET',
      path: '/printing/jobs',
      query: ['companyId', 'branchId', 'printerId', 'state', 'createdAfter', 'createdBefore', 'cursor', 'limit'],
    },
    { method: 'POST', path: '/printing/jobs', body: job },
    { method: 'GET', path: '/api/v1/printing/jobs/:id' },
    { method: 'POST', path: '/printing/jobs/:id/cancel' },
    { method: 'POST', path: '/printing/jobs/:id/reprint' },
    { method: 'GET', path: '/printing/desktop-health', query: ['companyId', 'branchId'] },
    { method: 'GET', path: '/printing/desktop-health/:id', query: ['branchId'] },
    { method: 'GET', path: '/printing/service-registry/status' },
    // Without `wait`: a valid one would hold the request open for up to 30 s.
    { method: 'GET', path: '/printing/events', query: ['after', 'limit', 'branchId', 'companyId', 'types'] },
    {
      method: 'POST',
      path: '/api/v1/printer-licenses/validate',
      body: { licenseKey: t.licenseKey, deviceInfo: { deviceId: t.deviceId, hostname: 'pc', timestamp: Date.now() } },
    },
    {
      method: 'POST',
      path: '/api/v1/printing/printers/bulk',
      body: { branchId: t.legacy.branchId, printers: [bulkPrinter] },
    },
    { method: 'GET', path: '/api/health' },
    { method: 'GET', path: '/health/ready' },
    { method: 'GET', path: '/api/health/detailed' },
    { method: 'GET', path: '/metrics' },
    { method: 'DELETE', path: '/printing/printers/:id' },
    ...adminRoutes(t.admin),
  ];
}

/** The admin API, sessions and webhooks (issue 16), with bodies shaped like real ones. */
function adminRoutes(a: RestTargets['admin']): Route[] {
  const tenantActions = ['deactivate', 'activate'].flatMap((action) => [
    { method: 'POST', path: `/admin/companies/:id/${action}` },
    { method: 'POST', path: `/admin/branches/:id/${action}` },
  ]);
  const licenceActions = ['revoke', 'suspend', 'activate', 'unbind'].map((action) => ({
    method: 'POST',
    path: `/admin/licences/:id/${action}`,
  }));
  const webhookActions = ['rotate-secret', 'enable', 'disable'].map((action) => ({
    method: 'POST',
    path: `/admin/webhooks/:id/${action}`,
  }));
  return [
    { method: 'POST', path: '/admin/companies', body: { name: 'Fuzz Co', id: 'fuzz-co' } },
    { method: 'GET', path: '/admin/companies' },
    { method: 'GET', path: '/admin/companies/:id' },
    { method: 'PATCH', path: '/admin/companies/:id', body: { name: 'Renamed Co' } },
    { method: 'POST', path: '/admin/branches', body: { companyId: a.companyId, name: 'Fuzz branch' } },
    { method: 'GET', path: '/admin/branches', query: ['companyId'] },
    { method: 'GET', path: '/admin/branches/:id' },
    { method: 'PATCH', path: '/admin/branches/:id', body: { name: 'Renamed branch' } },
    ...tenantActions,
    {
      method: 'POST',
      path: '/admin/licences',
      body: { branchId: a.branchId, maxPrinters: 3, expiresAt: '2099-01-01T00:00:00Z', features: ['printing'] },
    },
    { method: 'GET', path: '/admin/licences', query: ['companyId', 'branchId'] },
    { method: 'GET', path: '/admin/licences/:id' },
    ...licenceActions,
    { method: 'POST', path: '/admin/licences/:id/rotate', body: { graceSeconds: 60 } },
    { method: 'POST', path: '/admin/licences/:id/bind', body: { deviceId: 'till-1' } },
    {
      method: 'POST',
      path: '/admin/api-keys',
      body: { name: 'Fuzz key', role: 'cashier', branchId: a.branchId, expiresAt: '2099-01-01T00:00:00Z' },
    },
    { method: 'GET', path: '/admin/api-keys', query: ['companyId', 'branchId', 'includeRevoked'] },
    { method: 'GET', path: '/admin/api-keys/:id' },
    { method: 'POST', path: '/admin/api-keys/:id/revoke' },
    { method: 'DELETE', path: '/admin/api-keys/:id' },
    {
      method: 'POST',
      path: '/auth/sessions',
      body: { sub: 'user-1', email: 'a@b.test', role: 'cashier', companyId: a.companyId, branchId: a.branchId },
    },
    { method: 'POST', path: '/auth/refresh', body: { refreshToken: 'pmr_x' } },
    { method: 'POST', path: '/auth/logout' },
    // The discard port of this machine, where nothing listens: deliveries fail at once (the fuzz gateway allows loopback).
    {
      method: 'POST',
      path: '/admin/webhooks',
      body: { companyId: a.companyId, url: 'http://127.0.0.1:9/pm', events: ['job.*'], description: 'x' },
    },
    { method: 'GET', path: '/admin/webhooks', query: ['companyId'] },
    { method: 'GET', path: '/admin/webhooks/:id' },
    { method: 'PATCH', path: '/admin/webhooks/:id', body: { url: 'http://127.0.0.1:9/v2', events: ['*'] } },
    ...webhookActions,
    { method: 'GET', path: '/admin/webhooks/:id/deliveries', query: ['cursor', 'limit', 'state'] },
    { method: 'POST', path: '/admin/webhooks/:id/deliveries/:id/redeliver' },
    { method: 'POST', path: '/admin/webhooks/:id/redeliver', body: { eventId: 'evt_1' } },
    { method: 'DELETE', path: '/admin/webhooks/:id' },
  ];
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  '',
];

/** Header values a client can send: printable Latin-1 only (fetch refuses the rest). */
const headerValue = hostileString.map((s) => s.replace(/[^\x20-\x7e\xa0-\xff]/g, '').slice(0, 300));

function query(keys: string[] | undefined): fc.Arbitrary<string> {
  if (!keys) return fc.constant('');
  const value = fc.oneof(
    { weight: 4, arbitrary: hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\u0000'))) },
    { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '%', '%00', '1e400', '-1', '0', '201') },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('-271821-04-20', '+275760-09-13T00:00:00.000Z|x', '2026-01-01T00:00:00.000Z|a\u0000')
        .map((s) => Buffer.from(s).toString('base64url')),
    },
  );
  const key = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: hostileSegment });
  return fc
    .array(fc.tuple(key, value), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));
}

function body(route: Route): fc.Arbitrary<string | undefined> {
  const json = route.body ? payloadFor(route.body) : hostileJson;
  return fc.oneof(
    { weight: 6, arbitrary: json.map((v) => withDeepValues(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: hostileString.map((s) => withDeepValues(s)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** A request to one of the API's routes with hostile parameters, query, headers and body. */
export function hostileRequest(t: RestTargets): fc.Arbitrary<HostileRequest> {
  return fc.constantFrom(...routes(t)).chain((route) =>
    fc
      .record({
        id: fc.oneof(fc.constantFrom(t.printerId, t.jobId, t.deviceId, ...Object.values(t.admin)), hostileSegment),
        query: query(route.query),
        body: route.method === 'GET' || route.method === 'DELETE' ? fc.constant(undefined) : body(route),
        authorization: fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom(...t.authorizations) },
          { weight: 1, arbitrary: headerValue.map((s) => `Bearer ${s}`) },
        ),
        contentType: fc.oneof(
          { weight: 5, arbitrary: fc.constant('application/json') },
          fc.constantFrom(...CONTENT_TYPES),
        ),
        gzip: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        idempotencyKey: fc.option(headerValue, { freq: 3 }),
        correlationId: fc.option(headerValue, { freq: 4 }),
      })
      .map((r) => {
        const headers: Record<string, string> = {};
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        if (r.body !== undefined && r.contentType) headers['content-type'] = r.contentType;
        // A body that claims gzip but is not: the decompression must refuse it with a code.
        if (r.body !== undefined && r.gzip) headers['content-encoding'] = 'gzip';
        if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
        if (r.correlationId !== null) headers['x-correlation-id'] = r.correlationId;
        return {
          method: route.method,
          path: route.path.replaceAll(':id', r.id) + r.query,
          headers,
          ...(r.body !== undefined ? { body: r.body } : {}),
        };
      }),
  );
}

/** Why `status` and `text` break the rules (no 5xx or `INTERNAL`, the error envelope on every 4xx), or `undefined`. */
export function envelopeProblem(status: number, text: string, method: string): string | undefined {
  if (status >= 500) return `answered ${status}`;
  // Also inside a 2xx: the legacy bulk answer reports each printer's failure with its code.
  if (text.includes('"code":"INTERNAL"')) return `answered ${status} with an INTERNAL inside: ${text.slice(0, 200)}`;
  if (status < 400 || method === 'HEAD') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `answered ${status} with a body that is not JSON: ${text.slice(0, 120)}`;
  }
  const e = body as { success?: unknown; code?: unknown; message?: unknown };
  if (e.success !== false || typeof e.message !== 'string' || !ERROR_CODES.includes(e.code as never)) {
    return `answered ${status} without the error envelope: ${text.slice(0, 200)}`;
  }
  return undefined;
}
