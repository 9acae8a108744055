import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../../src/core/principal.js';
import { sendCsv } from '../../src/http/routes/csv-export.js';
import { ExportTracker } from '../../src/metrics/export-tracker.js';
import { prefixedMetrics } from '../../src/metrics/prefixed-metrics.js';
import { eventually } from '../support/socket-clients.js';

const SUPER_ADMIN: UserPrincipal = { kind: 'user', userId: 'root', role: 'super_admin' };

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

  it('lets other work run between batches of a source that answers without I/O (the embedded store)', async () => {
    const BATCHES = 2_000;
    let read = 0;
    let readWhenOtherWorkRan: number | undefined;
    function* immediate(): Generator<number[]> {
      for (; read < BATCHES; read++) yield Array.from({ length: 200 }, (_, i) => i);
    }
    const app = Fastify();
    apps.push(app);
    app.get('/export', async (_request, reply) => {
      const batches = immediate();
      const source = {
        async *[Symbol.asyncIterator]() {
          yield* batches;
        },
      };
      await sendCsv(reply, { name: 'numbers', header: ['n'], toRow: (n) => [n], batches: source });
      setTimeout(() => {
        readWhenOtherWorkRan = read;
      }, 0);
      return reply;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    // The client in a process of its own, reading as fast as it can: the socket never pushes back.
    const reader = `const r = await fetch('http://127.0.0.1:${port}/export'); let n = 0; for await (const c of r.body) n += c.length; console.log(n);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', reader], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(Number(out.trim())).toBeGreaterThan(BATCHES * 200);
    expect(readWhenOtherWorkRan).toBeDefined();
    expect(readWhenOtherWorkRan).toBeLessThan(BATCHES);
  });

  it('lists an export whose source fails mid-stream as failed, with what it wrote before', async () => {
    const registry = new Registry();
    const tracker = new ExportTracker(prefixedMetrics(registry));
    async function* failing(): AsyncGenerator<number[]> {
      yield [1, 2, 3];
      throw new Error('connection reset');
    }
    const app = Fastify({ logger: false });
    apps.push(app);
    app.get('/export', async (_request, reply) => {
      await sendCsv(reply, {
        name: 'numbers',
        header: ['n'],
        toRow: (n) => [n],
        batches: failing(),
        tracking: { tracker, kind: 'jobs', companyId: 'c1', branchId: null, actor: 'user:u1' },
      });
      return reply;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    // The download is cut short: the client sees an error or a truncated body, never a complete one.
    await fetch(`http://127.0.0.1:${port}/export`)
      .then((res) => res.text())
      .catch(() => undefined);
    const failed = await eventually(() => tracker.list(SUPER_ADMIN).recent[0], 5_000, 'the export listed as finished');
    expect(failed).toMatchObject({ state: 'failed', error: 'INTERNAL', rows: 3, bytes: 'n\r\n1\r\n2\r\n3\r\n'.length });
    expect(await registry.getSingleMetricAsString('printermaster_exports_total')).toContain(
      'printermaster_exports_total{kind="jobs",outcome="failed"} 1',
    );
  });

  it('lets the source go and lists the export as aborted when the client leaves before the first page', async () => {
    const tracker = new ExportTracker(prefixedMetrics(new Registry()));
    let asked!: () => void;
    const whenAsked = new Promise<void>((resolve) => {
      asked = resolve;
    });
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let released!: () => void;
    const whenReleased = new Promise<void>((resolve) => {
      released = resolve;
    });
    // A first page that takes as long as the test wants (a slow first query of a large export).
    async function* slowFirstPage(): AsyncGenerator<number[]> {
      try {
        asked();
        await answered;
        yield [1, 2, 3];
        for (;;) yield [4];
      } finally {
        released();
      }
    }
    const app = Fastify({ logger: false });
    apps.push(app);
    let closedOnServer!: () => void;
    const whenClosedOnServer = new Promise<void>((resolve) => {
      closedOnServer = resolve;
    });
    app.get('/export', async (_request, reply) => {
      reply.raw.once('close', () => closedOnServer());
      await sendCsv(reply, {
        name: 'numbers',
        header: ['n'],
        toRow: (n) => [n],
        batches: slowFirstPage(),
        tracking: { tracker, kind: 'jobs', companyId: 'c1', branchId: null, actor: 'user:u1' },
      });
      return reply;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const req = httpRequest({ host: '127.0.0.1', port, path: '/export' });
    req.on('error', () => {});
    req.end();
    await whenAsked;
    req.destroy();
    await whenClosedOnServer;
    answer();
    // Without the fix the page's reader waited for a stream nobody read: never released, and the
    // export stayed listed as running for the life of the process.
    await whenReleased;
    const listed = await eventually(() => tracker.list(SUPER_ADMIN).recent[0], 5_000, 'the export listed as finished');
    expect(listed).toMatchObject({ state: 'aborted' });
    expect(tracker.list(SUPER_ADMIN).running).toEqual([]);
  });
});

describe('ExportTracker', () => {
  it('keeps the last 50 finished exports, newest first, and every running one', () => {
    const tracker = new ExportTracker(prefixedMetrics(new Registry()));
    const start = (n: number) =>
      tracker.start({ kind: 'audit-log', companyId: null, branchId: null, actor: `user:${n}`, startedAt: n });
    for (let n = 0; n < 60; n++) start(n).finish('completed');
    const open = start(99);
    open.wrote(10, 100);
    const { running, recent } = tracker.list(SUPER_ADMIN);
    expect(recent).toHaveLength(50);
    expect(recent[0]?.actor).toBe('user:59');
    expect(recent[49]?.actor).toBe('user:10');
    expect(running).toMatchObject([{ actor: 'user:99', state: 'running', finishedAt: null, rows: 10, bytes: 100 }]);
    open.finish('aborted');
    open.finish('completed');
    expect(tracker.list(SUPER_ADMIN).recent[0]).toMatchObject({ actor: 'user:99', state: 'aborted' });
  });
});
