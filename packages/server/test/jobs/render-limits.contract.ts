import { encodeTicket } from '@printermaster/escpos';
import type { TicketDocument } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/test-gateway.js';
import { declaredPngBase64, noisePngBase64, stripedPngBase64 } from '../support/test-png.js';
import { startKitchenGateway } from './kitchen-gateway.js';

/** The limits on images in documents, as a POS meets them through `POST /printing/jobs`. */
export function describeRenderLimits(store: 'pglite' | 'postgres') {
  describe(`image limits of print jobs (${store})`, () => {
    let gw: TestGateway;
    let cashier: string;
    let printerId: string;

    beforeAll(async () => {
      // Pixel limits at their defaults; byte limits lowered so that small test images can exceed them.
      ({ gw, cashier, printerId } = await startKitchenGateway({
        store,
        env: { PRINTERMASTER_MAX_IMAGE_BYTES: '20000', PRINTERMASTER_MAX_JOB_IMAGE_BYTES: '30000' },
      }));
    });
    afterAll(() => gw.close());

    const submit = async (body: string) => {
      const res = await fetch(`${gw.url}/printing/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cashier}`, 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const print = (document: TicketDocument) => submit(JSON.stringify({ printerId, document }));
    const images = (...pngs: string[]): TicketDocument => ({
      blocks: [{ type: 'text', text: 'Logo' }, ...pngs.map((png) => ({ type: 'image' as const, png }))],
    });
    const storedJobs = async () => {
      const res = await fetch(`${gw.url}/printing/jobs?printerId=${printerId}`, {
        headers: { authorization: `Bearer ${cashier}` },
      });
      return ((await res.json()) as { count: number }).count;
    };

    it('refuses eight 4000×4000 images with 413 IMAGE_TOO_LARGE from the first header, and stores nothing', async () => {
      // Each image declares 16 million pixels but holds no data: decoding any would fail as truncated.
      const huge = declaredPngBase64(4000, 4000);
      const res = await print(images(...new Array<string>(8).fill(huge)));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({
        success: false,
        code: 'IMAGE_TOO_LARGE',
        path: 'body/document/blocks/1/png',
        blockIndex: 1,
        width: 4000,
        height: 4000,
        pixels: 16_000_000,
        maxImagePixels: 4_000_000,
      });
      expect(res.body.message).toMatch(/4000x4000/);
      expect(await storedJobs()).toBe(0);
    });

    it('refuses images allowed one by one but over the job’s pixels together with 413 JOB_IMAGES_TOO_LARGE', async () => {
      const png = declaredPngBase64(2000, 2000);
      const res = await print(images(png, png, png, png, png));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({
        success: false,
        code: 'JOB_IMAGES_TOO_LARGE',
        path: 'body/document/blocks/5/png',
        pixels: 20_000_000,
        maxDocumentPixels: 16_000_000,
      });
      expect(await storedJobs()).toBe(0);
    });

    it('refuses an image over the byte limit with 413 IMAGE_TOO_LARGE, and images over the job’s bytes with JOB_IMAGES_TOO_LARGE', async () => {
      const big = noisePngBase64(150, 150);
      const one = await print(images(big));
      expect(one.status).toBe(413);
      expect(one.body).toMatchObject({ code: 'IMAGE_TOO_LARGE', blockIndex: 1, maxImageBytes: 20_000 });

      const medium = noisePngBase64(130, 130);
      const two = await print(images(medium, noisePngBase64(130, 130, 2)));
      expect(two.status).toBe(413);
      expect(two.body).toMatchObject({ code: 'JOB_IMAGES_TOO_LARGE', blockIndex: 2, maxDocumentBytes: 30_000 });
      expect(await storedJobs()).toBe(0);
    });

    it('refuses an image that is not a PNG, or is cut short, with 400 IMAGE_INVALID naming the block', async () => {
      const notPng = await print(images(Buffer.from('GIF89a not a png at all, sorry').toString('base64')));
      expect(notPng.status).toBe(400);
      expect(notPng.body).toMatchObject({ success: false, code: 'IMAGE_INVALID', path: 'body/document/blocks/1/png' });

      const cut = Buffer.from(stripedPngBase64(64, 64), 'base64').subarray(0, 60).toString('base64');
      const truncated = await print(images(cut));
      expect(truncated.status).toBe(400);
      expect(truncated.body).toMatchObject({ code: 'IMAGE_INVALID', blockIndex: 1 });
      expect(truncated.body.message).toMatch(/truncated/);
      expect(await storedJobs()).toBe(0);
    });

    it('answers a body over PRINTERMASTER_MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE in the error envelope', async () => {
      const res = await submit(JSON.stringify({ printerId, document: images('A'.repeat(1_100_000)) }));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ success: false, code: 'PAYLOAD_TOO_LARGE' });
      expect(typeof res.body.message).toBe('string');
    });

    it('renders an allowed document with images on a render thread, byte for byte as the encoder does', async () => {
      const document = images(stripedPngBase64(600, 200), stripedPngBase64(100, 100));
      const res = await print(document);
      expect(res.status).toBe(202);
      expect((res.body.job as { byteLength: number }).byteLength).toBe(encodeTicket(document).byteLength);
      expect(await storedJobs()).toBe(1);
    });
  });
}
