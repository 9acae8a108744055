import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { sendCsv } from '../../src/http/routes/csv-export.js';

/** The streaming helper under both exports: it reads batches only as fast as the client takes them. */
describe('CSV export streaming', () => {
  const apps: ReturnType<typeof Fastify>[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('stops reading batches when the client goes away, from an endless source', async () => {
    let batches = 0;
    let stopped!: (count: number) => void;
    const whenStopped = new Promise<number>((resolve) => {
      stopped = resolve;
    });
    async function* endless(): AsyncGenerator<number[]> {
      try {
        for (;;) {
          batches++;
          yield Array.from({ length: 10_000 }, (_, i) => i);
        }
      } finally {
        stopped(batches);
      }
    }
    const app = Fastify();
    apps.push(app);
    app.get('/export', async (_request, reply) => {
      await sendCsv(reply, { name: 'numbers', header: ['n'], toRow: (n) => [n], batches: endless() });
      return reply;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;

    const firstChunk = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/export' }, (res) => {
        expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
        res.once('data', (chunk: Buffer) => {
          resolve(chunk.toString('utf8'));
          req.destroy();
        });
      });
      req.on('error', () => {});
      req.once('error', reject);
      req.end();
    });
    expect(firstChunk.startsWith('n\r\n')).toBe(true);
    // An endless source that ignored backpressure or the disconnect would never get here; what was
    // read is what the sockets buffered (a few MB on loopback), far from 1000 batches (~60 MB).
    expect(await whenStopped).toBeLessThan(1000);
  });
});
