import { request } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** A raw HTTP exchange: fetch would undo the compression this test looks at. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('HTTP compression', () => {
  let gw: TestGateway;
  let token: string;
  let printerId: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    const tenant = await gw.seedTenant();
    token = await gw.token('branch_manager', { companyId: tenant.companyId, branchId: tenant.branchId });
    const created = await fetch(`${gw.url}/printing/printers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ branchId: tenant.branchId, name: 'Grill', ip: '127.0.0.1', port: 9100 }),
    });
    printerId = ((await created.json()) as { printer: { id: string } }).printer.id;
  });
  afterAll(() => gw.close());

  it('gzips large answers for clients that ask, and only for them', async () => {
    const zipped = await raw(`${gw.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const text = gunzipSync(zipped.body).toString('utf8');
    expect(text).toContain('# TYPE printermaster_');
    expect(zipped.body.length).toBeLessThan(text.length / 3);
    const plain = await raw(`${gw.url}/metrics`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toContain('# TYPE printermaster_');
  });

  it('takes a gzip-compressed ticket and answers a job small and plain', async () => {
    const body = gzipSync(JSON.stringify({ printerId, content: Buffer.from('\x1b@Table 4\n').toString('base64') }));
    const res = await raw(`${gw.url}/printing/jobs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'accept-encoding': 'gzip',
      },
      body,
    });
    expect(res.status).toBe(202);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ success: true, job: { printerId } });
  });
});
