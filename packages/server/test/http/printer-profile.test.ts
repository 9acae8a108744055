import { DEFAULT_CODE_PAGES } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPreviewPng } from '../support/preview-png.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

interface PrinterBody {
  printer: { id: string; profile: { paperWidthDots: number; codePages: string[]; raster: boolean } };
}

/** Printer profiles: stored, validated, shown, and what tickets for the printer are encoded for. */
describe.each([{ store: 'pglite' as const }, { store: 'postgres' as const }])(
  'printer profiles ($store)',
  (options) => {
    let gw: TestGateway;
    let manager: string;
    let branchId: string;

    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${gw.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${manager}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    beforeAll(async () => {
      gw = await startTestGateway(options);
      const acme = await gw.seedTenant('Acme');
      branchId = acme.branchId;
      manager = await gw.token('branch_manager', { companyId: acme.companyId, branchId });
    });
    afterAll(() => gw.close());

    it('shows the default profile for the paper width until one is set, and keeps the one set', async () => {
      const narrow = await call('POST', '/printing/printers', { branchId, name: 'Bar', paperWidth: 58 });
      expect(narrow.status).toBe(201);
      const { printer } = (await narrow.json()) as PrinterBody;
      expect(printer.profile).toEqual({ paperWidthDots: 384, codePages: [...DEFAULT_CODE_PAGES], raster: true });

      const profile = { paperWidthDots: 512, codePages: ['cp858', 'cp866'], raster: false };
      const set = await call('PATCH', `/printing/printers/${printer.id}`, { profile });
      expect(set.status).toBe(200);
      expect(((await set.json()) as PrinterBody).printer.profile).toEqual(profile);
      const read = await call('GET', `/printing/printers/${printer.id}`);
      expect(((await read.json()) as PrinterBody).printer.profile).toEqual(profile);

      const cleared = await call('PATCH', `/printing/printers/${printer.id}`, { profile: null });
      expect(((await cleared.json()) as PrinterBody).printer.profile.paperWidthDots).toBe(384);
    });

    it('refuses a profile with an unknown code page, a repeated one, or a width out of range, naming the field', async () => {
      for (const profile of [
        { paperWidthDots: 576, codePages: ['cp999'], raster: true },
        { paperWidthDots: 576, codePages: ['cp437', 'cp437'], raster: true },
        { paperWidthDots: 5000, codePages: ['cp437'], raster: true },
        { paperWidthDots: 576, codePages: [], raster: true },
      ]) {
        const res = await call('POST', '/printing/printers', { branchId, name: `Bad ${Math.random()}`, profile });
        expect(res.status).toBe(400);
        const body = (await res.json()) as { code: string; path?: string };
        expect(body.code).toBe('BAD_REQUEST');
      }
    });

    it("encodes a printer's tickets for its profile: the paper width in dots reaches the ticket", async () => {
      const created = await call('POST', '/printing/printers', {
        branchId,
        name: 'Label',
        profile: { paperWidthDots: 432, codePages: ['cp437'], raster: true },
      });
      const printerId = ((await created.json()) as PrinterBody).printer.id;
      const job = await call('POST', '/printing/jobs', {
        printerId,
        document: { blocks: [{ type: 'text', text: 'Ticket' }] },
      });
      expect(job.status).toBe(202);
      const jobId = ((await job.json()) as { job: { id: string } }).job.id;
      const preview = await call('GET', `/printing/jobs/${jobId}/preview.png`);
      expect(preview.status).toBe(200);
      // The encoder's GS W carries the profile's 432 dots; the preview draws that paper.
      expect(readPreviewPng(new Uint8Array(await preview.arrayBuffer())).width).toBe(432 + 32);
    });
  },
);
