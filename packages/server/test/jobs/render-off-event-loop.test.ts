import type { TicketDocument } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/test-gateway.js';
import { stripedPngBase64 } from '../support/test-png.js';
import { startKitchenGateway } from './kitchen-gateway.js';

/** The largest job the default limits allow: four 2000 × 2000 images (16 million pixels). */
const MAX_JOB: TicketDocument = {
  blocks: [
    { type: 'text', text: 'Menu of the day', align: 'center' },
    ...new Array<null>(4).fill(null).map(() => ({ type: 'image' as const, png: stripedPngBase64(2000, 2000) })),
  ],
};

/** The value of one series in Prometheus text, summed over the series that match every label given. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('rendering off the event loop', () => {
  let gw: TestGateway;
  let cashier: string;
  let printerId: string;

  const startGateway = async (env: Record<string, string>) => {
    ({ gw, cashier, printerId } = await startKitchenGateway({ env: { LOG_LEVEL: 'info', ...env } }));
  };
  const submit = async (document: TicketDocument) => {
    const res = await fetch(`${gw.url}/printing/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cashier}`, 'content-type': 'application/json' },
      body: JSON.stringify({ printerId, document }),
    });
    return { status: res.status, body: (await res.json()) as { code?: string } };
  };
  const scrape = async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    return {
      running: metric(text, 'printermaster_render_documents', { state: 'running' }),
      queued: metric(text, 'printermaster_render_documents', { state: 'queued' }),
      settled: metric(text, 'printermaster_renders_total', { where: 'thread' }),
    };
  };

  describe('with two render threads', () => {
    beforeAll(() => startGateway({ PRINTERMASTER_RENDER_THREADS: '2' }));
    afterAll(() => gw.close());

    it('answers /health/live while the largest allowed jobs render, before their submissions are answered', async () => {
      let answered = 0;
      const jobs = new Array<null>(4).fill(null).map(() =>
        submit(MAX_JOB).then((res) => {
          answered++;
          return res;
        }),
      );
      // The proof is an order of events, not a duration: the gateway reports a render running, then
      // answers the live probe, then reports that no render has ended since the first report. So the
      // probe was answered by the event loop while a render was in progress, and a job was still
      // unanswered. A render on the event loop could never be seen running by a scrape.
      let proof: { live: number; running: number; unanswered: number } | undefined;
      while (!proof && answered < jobs.length) {
        const before = await scrape();
        if (before.running === 0) continue;
        const live = await fetch(`${gw.url}/health/live`);
        await live.arrayBuffer();
        const unanswered = jobs.length - answered;
        const after = await scrape();
        if (after.settled === before.settled && after.running > 0) {
          proof = { live: live.status, running: before.running, unanswered };
        }
      }
      const results = await Promise.all(jobs);
      expect(proof).toMatchObject({ live: 200 });
      expect(proof?.unanswered).toBeGreaterThan(0);
      expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202]);
      const done = await scrape();
      expect(done).toEqual({ running: 0, queued: 0, settled: 4 });
    });
  });

  describe('with one render thread and room for one document in the queue', () => {
    beforeAll(() => startGateway({ PRINTERMASTER_RENDER_THREADS: '1', PRINTERMASTER_RENDER_QUEUE: '1' }));
    afterAll(() => gw.close());

    it('refuses a document beyond the queue with 503 RENDERER_BUSY and renders the ones it took', async () => {
      let settled = 0;
      const count = <T>(p: Promise<T>) => p.finally(() => settled++);
      const first = count(submit(MAX_JOB));
      while (settled === 0 && (await scrape()).running === 0);
      const second = count(submit(MAX_JOB));
      // One document on the thread, one in the queue: the pool is full until the first render ends.
      while (settled === 0 && (await scrape()).queued === 0);
      const third = await submit(MAX_JOB);
      expect(third.status).toBe(503);
      expect(third.body).toMatchObject({ success: false, code: 'RENDERER_BUSY' });
      expect((await Promise.all([first, second])).map((r) => r.status)).toEqual([202, 202]);
      expect(await scrape()).toMatchObject({ running: 0, queued: 0, settled: 3 });
    });
  });
});
