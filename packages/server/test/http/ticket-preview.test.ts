import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPreviewPng } from '../support/preview-png.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { declaredPngBase64 } from '../support/test-png.js';

/** The ticket of the issue: Western European with €, Cyrillic, Greek, Arabic and CJK. */
const WORLD_TICKET = {
  blocks: [
    { type: 'text', text: 'Crème brûlée €4.50' },
    { type: 'text', text: 'Борщ' },
    { type: 'text', text: 'Σαλάτα' },
    { type: 'text', text: 'شاورما' },
    { type: 'text', text: '拉面' },
    { type: 'qr', data: 'order-17' },
  ],
};

describe('ticket previews (embedded store)', () => {
  let gw: TestGateway;
  let cashier: string;
  let otherCashier: string;
  let manager: string;
  let printerId: string;

  const call = (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const errorCode = async (res: Response) => ((await res.json()) as { code: string }).code;

  beforeAll(async () => {
    gw = await startTestGateway();
    const acme = await gw.seedTenant('Acme');
    const other = await gw.seedTenant('Other');
    cashier = await gw.token('cashier', { companyId: acme.companyId, branchId: acme.branchId });
    manager = await gw.token('branch_manager', { companyId: acme.companyId, branchId: acme.branchId });
    otherCashier = await gw.token('cashier', { companyId: other.companyId, branchId: other.branchId });
    const printer = await call('POST', '/printing/printers', manager, {
      branchId: acme.branchId,
      name: 'Kitchen',
      connection: 'network',
      ip: '10.0.0.9',
      port: 9100,
    });
    printerId = ((await printer.json()) as { printer: { id: string } }).printer.id;
  });
  afterAll(() => gw.close());

  const createJob = async (document: unknown) => {
    const res = await call('POST', '/printing/jobs', cashier, { printerId, document });
    expect(res.status).toBe(202);
    return ((await res.json()) as { job: { id: string } }).job.id;
  };

  it("draws a job's ticket as a PNG, every line of it, and lets the browser keep it", async () => {
    const jobId = await createJob(WORLD_TICKET);
    const res = await call('GET', `/printing/jobs/${jobId}/preview.png`, cashier);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-preview-truncated')).toBe('false');
    const etag = res.headers.get('etag') ?? '';
    expect(etag).toContain(jobId);
    const picture = readPreviewPng(new Uint8Array(await res.arrayBuffer()));
    expect(picture.width).toBe(576 + 32);
    // Five lines of 30 dots from the top margin (16): each has ink.
    for (let line = 0; line < 5; line++)
      expect(picture.inkIn(16 + line * 30, 16 + (line + 1) * 30)).toBeGreaterThan(20);

    const again = await call('GET', `/api/v1/printing/jobs/${jobId}/preview.png`, cashier, undefined, {
      'if-none-match': etag,
    });
    expect(again.status).toBe(304);
  });

  it('shows the REPRINT banner on the preview of a reprint', async () => {
    const jobId = await createJob({ blocks: [{ type: 'text', text: 'Burger' }] });
    // A job is reprinted once it has ended; cancelled is the end no printer is needed for.
    expect((await call('POST', `/printing/jobs/${jobId}/cancel`, cashier)).status).toBe(200);
    const reprint = await call('POST', `/printing/jobs/${jobId}/reprint`, manager);
    expect(reprint.status).toBe(202);
    const reprintId = ((await reprint.json()) as { job: { id: string } }).job.id;
    const top = async (id: string) => {
      const res = await call('GET', `/printing/jobs/${id}/preview.png`, manager);
      expect(res.status).toBe(200);
      return readPreviewPng(new Uint8Array(await res.arrayBuffer())).inkIn(16, 16 + 48);
    };
    // The banner is white on black, double size: its first 48 rows are mostly ink.
    expect(await top(reprintId)).toBeGreaterThan(5 * (await top(jobId)));
  });

  it("answers 404 JOB_NOT_FOUND for another tenant's job, drawn already or not, and for no job", async () => {
    const jobId = await createJob({ blocks: [{ type: 'text', text: 'Secret soup' }] });
    const before = await call('GET', `/printing/jobs/${jobId}/preview.png`, otherCashier);
    expect(before.status).toBe(404);
    expect(await errorCode(before)).toBe('JOB_NOT_FOUND');
    expect((await call('GET', `/printing/jobs/${jobId}/preview.png`, cashier)).status).toBe(200);
    const after = await call('GET', `/printing/jobs/${jobId}/preview.png`, otherCashier);
    expect(after.status).toBe(404);
    expect((await call('GET', '/printing/jobs/no-such-job/preview.png', cashier)).status).toBe(404);
    expect((await call('GET', `/printing/jobs/${jobId}/preview.png`)).status).toBe(401);
  });

  it('previews a document or raw bytes before printing, with the same checks as a job', async () => {
    const res = await call('POST', '/printing/preview', cashier, { document: WORLD_TICKET });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(readPreviewPng(new Uint8Array(await res.arrayBuffer())).inkIn(0, 200)).toBeGreaterThan(100);

    const both = await call('POST', '/printing/preview', cashier, { document: WORLD_TICKET, content: 'G0A=' });
    expect(both.status).toBe(400);
    expect(await errorCode(both)).toBe('BAD_REQUEST');
    const huge = await call('POST', '/printing/preview', cashier, {
      document: { blocks: [{ type: 'image', png: declaredPngBase64(20_000, 20_000) }] },
    });
    expect(huge.status).toBe(413);
    expect(await errorCode(huge)).toBe('IMAGE_TOO_LARGE');
    expect((await call('POST', '/printing/preview', undefined, { document: WORLD_TICKET })).status).toBe(401);
  });

  it('draws malformed bytes and unknown commands without failing, and bounds a stream that claims a huge image', async () => {
    const garbage = Buffer.from([0x1b, 0x40, 0x1d, 0x28, 0xff, 0x1c, 0x99, 0x1b, 0x2a, 0x21, 0xff, 0xff, 0x10, 0x04]);
    const res = await call('POST', '/printing/preview', cashier, { content: garbage.toString('base64') });
    expect(res.status).toBe(200);
    // GS v 0 declaring 72 bytes × 65,535 rows (4.7 MB of image) with almost none of it sent.
    const claim = Buffer.from([0x1d, 0x76, 0x30, 0, 72, 0, 0xff, 0xff, 0xff, 0xff]);
    const big = await call('POST', '/printing/preview', cashier, { content: claim.toString('base64') });
    expect(big.status).toBe(200);
    expect(readPreviewPng(new Uint8Array(await big.arrayBuffer())).height).toBeLessThanOrEqual(16_000 + 32);
    const health = await fetch(`${gw.url}/health/live`);
    expect(health.status).toBe(200);
  });
});
