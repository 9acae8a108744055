import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent, connectWeb, eventually, nextEvent } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

interface FeedEvent {
  id: string;
  seq: string;
  type: string;
  createdAt: string;
  companyId: string;
  branchId: string | null;
  data: Record<string, unknown>;
}
interface Page {
  success: boolean;
  events: FeedEvent[];
  nextCursor: string;
}

/** Reads Server-Sent Events frames from a fetch body as they come. */
class SseReader {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  ended = false;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** Stops reading; the gateway sees the client go. */
  async close(): Promise<void> {
    await this.reader.cancel();
  }

  /** The next frame with an `id:` (an event), skipping comments and `retry:`; undefined when the stream ends. */
  async nextEvent(): Promise<{ id: string; event: FeedEvent } | undefined> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const id = /^id: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (id !== undefined && data !== undefined) return { id, event: JSON.parse(data) as FeedEvent };
        continue;
      }
      const { done, value } = await this.reader.read();
      if (done) {
        this.ended = true;
        return undefined;
      }
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }
}

/** The event feed and the socket's room subscriptions, on a real gateway with real clients. */
export function describeEventFeed(store: 'pglite' | 'postgres', extra: { rowLevelSecurity?: boolean } = {}) {
  describe(`event feed (${store}${extra.rowLevelSecurity ? ', row-level security' : ''})`, () => {
    let gw: TestGateway;
    let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
    let other: Awaited<ReturnType<TestGateway['seedTenant']>>;
    let owner: string;
    let cashier: string;
    let printerId: string;
    let stopped = false;

    beforeAll(async () => {
      gw = await startTestGateway({ store, ...extra, env: { PRINTERMASTER_EVENT_STREAM_HEARTBEAT_MS: '200' } });
      tenant = await gw.seedTenant('Feed company');
      other = await gw.seedTenant('Other company');
      owner = await gw.token('company_owner', { companyId: tenant.companyId });
      cashier = await gw.token('cashier', { companyId: tenant.companyId, branchId: tenant.branchId });
      const created = await api('POST', '/printing/printers', owner, {
        branchId: tenant.branchId,
        name: 'Kitchen',
        ip: '127.0.0.1',
        port: 9100,
      });
      printerId = (created.body as { printer: { id: string } }).printer.id;
    });
    afterAll(async () => {
      if (!stopped) await gw.close();
    });

    async function api(method: string, path: string, token: string | undefined, body?: unknown, headers = {}) {
      const res = await fetch(`${gw.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }
    const feed = async (query: string, token = owner) => {
      const res = await api('GET', `/printing/events${query}`, token);
      expect(res.status).toBe(200);
      return res.body as unknown as Page;
    };
    const newJob = async () => {
      const res = await api('POST', '/printing/jobs', cashier, {
        printerId,
        content: Buffer.from('\x1b@hello\n', 'latin1').toString('base64'),
      });
      expect(res.status).toBe(202);
      return (res.body as { job: { id: string } }).job.id;
    };
    /**
     * The cursor after every event written so far: first waits until the sequencer has numbered
     * them all, so that an earlier test's last event cannot arrive after it.
     */
    const head = async () => {
      await eventually(
        async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from events where seq is null`.execute(
            gw.database.db,
          );
          return rows[0]?.n === 0;
        },
        30_000,
        'every event sequenced',
      );
      let cursor = '0';
      for (;;) {
        const page = await feed(`?after=${cursor}&limit=1000`);
        if (page.events.length === 0) return cursor;
        cursor = page.nextCursor;
      }
    };

    it('pages through the company’s events in seq order, each event once', async () => {
      const start = await head();
      const jobs = [await newJob(), await newJob(), await newJob()];
      const all = await eventually(async () => {
        const page = await feed(`?after=${start}&types=job.queued`);
        return page.events.length >= 3 ? page.events : undefined;
      }, 10_000);
      expect(all.map((e) => e.data.jobId)).toEqual(jobs);
      const first = await feed(`?after=${start}&limit=2&types=job.queued`);
      expect(first.events.map((e) => e.data.jobId)).toEqual(jobs.slice(0, 2));
      expect(first.nextCursor).toBe(first.events[1]?.seq);
      const second = await feed(`?after=${first.nextCursor}&limit=2&types=job.queued`);
      expect(second.events.map((e) => e.data.jobId)).toEqual(jobs.slice(2));
      const event = all[0] as FeedEvent;
      expect(event).toMatchObject({
        type: 'job.queued',
        companyId: tenant.companyId,
        branchId: tenant.branchId,
        data: { jobId: jobs[0], printerId, state: 'queued', branchId: tenant.branchId },
      });
      expect(event.id).toMatch(/^evt_\d+$/);
      expect(Number.isNaN(Date.parse(event.createdAt))).toBe(false);
      // Seqs only grow.
      const seqs = all.map((e) => BigInt(e.seq));
      expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
      // Another company sees none of them; an empty page keeps the cursor.
      const stranger = await gw.token('company_owner', { companyId: other.companyId });
      const theirs = await feed(`?after=${start}&types=job.*`, stranger);
      expect(theirs).toEqual({ success: true, events: [], nextCursor: start });
    });

    it('scopes branch roles to their branch and refuses a filter outside the scope', async () => {
      const secondBranch = await gw.tenants.createBranch(tenant.companyId, 'Harbour', 'test');
      const elsewhere = await gw.token('cashier', { companyId: tenant.companyId, branchId: secondBranch.id });
      await newJob();
      const mine = await eventually(async () => {
        const page = await feed('?after=0&limit=1000', cashier);
        return page.events.length > 0 ? page : undefined;
      });
      expect(mine.events.every((e) => e.branchId === tenant.branchId)).toBe(true);
      expect((await feed('?after=0&limit=1000', elsewhere)).events).toEqual([]);
      const refused = await api('GET', `/printing/events?branchId=${tenant.branchId}`, elsewhere);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ success: false, code: 'FORBIDDEN' });
    });

    it('refuses a company’s caller a branch or company of another company, or a branch that does not exist, with 403', async () => {
      const apiKey = await api('POST', '/admin/api-keys', owner, { name: 'Feed POS', role: 'company_owner' });
      expect(apiKey.status).toBe(201);
      const key = (apiKey.body as { key: string }).key;
      for (const query of [
        `?branchId=${other.branchId}`,
        `?branchId=${randomUUID()}`,
        `?companyId=${other.companyId}`,
      ]) {
        for (const [credential, headers] of [
          ['owner', { authorization: `Bearer ${owner}` }],
          ['api key', { 'x-api-key': key }],
        ] as const) {
          for (const extra of ['', '&wait=1']) {
            const res = await api('GET', `/printing/events${query}${extra}`, undefined, undefined, headers);
            expect({ query, credential, extra, status: res.status, code: res.body.code }).toEqual({
              query,
              credential,
              extra,
              status: 403,
              code: 'FORBIDDEN',
            });
          }
        }
      }
      // Its own branch is fine.
      expect((await api('GET', `/printing/events?branchId=${tenant.branchId}`, owner)).status).toBe(200);
    });

    it('answers bad cursors, limits, waits and types with 400 BAD_REQUEST, and no credentials with 401', async () => {
      for (const query of [
        '?after=abc',
        '?after=-1',
        '?limit=0',
        '?limit=1001',
        '?wait=31',
        '?wait=x',
        '?types=job',
        '?types=foo.bar',
        '?types=job.exploded',
        '?types=agent.*,printer.melted',
        '?extra=1',
      ]) {
        const res = await api('GET', `/printing/events${query}`, owner);
        expect({ query, status: res.status, code: (res.body as { code?: string }).code }).toEqual({
          query,
          status: 400,
          code: 'BAD_REQUEST',
        });
      }
      expect((await api('GET', '/printing/events', undefined)).status).toBe(401);
      // An unknown type is named, so that a typo is not mistaken for a quiet feed.
      const unknown = await api('GET', '/printing/events?types=job.completed,job.exploded', owner);
      expect(unknown.body).toMatchObject({ code: 'BAD_REQUEST', path: 'querystring/types', value: 'job.exploded' });
      expect(unknown.body.message).toContain('"job.exploded"');
    });

    it('long-polls: answers as soon as an event arrives, or with an empty page when the wait ends', async () => {
      const start = await head();
      const empty = await feed(`?after=${start}&wait=1`);
      expect(empty.events).toEqual([]);
      expect(empty.nextCursor).toBe(start);
      const waiting = feed(`?after=${start}&wait=30`);
      const jobId = await newJob();
      const page = await waiting;
      expect(page.events.length).toBeGreaterThan(0);
      expect(page.events[0]?.data.jobId).toBe(jobId);
    });

    it('streams Server-Sent Events as they are sequenced and resumes after Last-Event-ID without a gap', async () => {
      const start = await head();
      const controller = new AbortController();
      const res = await fetch(`${gw.url}/printing/events?after=${start}&types=job.queued`, {
        headers: { authorization: `Bearer ${owner}`, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const stream = new SseReader(res.body as ReadableStream<Uint8Array>);
      const first = await newJob();
      const got = await stream.nextEvent();
      expect(got?.event.data.jobId).toBe(first);
      expect(got?.id).toBe(got?.event.seq);
      controller.abort();
      // Two more while nobody listens; the reconnection resumes after the last one seen.
      const later = [await newJob(), await newJob()];
      const resumed = await fetch(`${gw.url}/printing/events?types=job.queued`, {
        headers: { authorization: `Bearer ${owner}`, accept: 'text/event-stream', 'last-event-id': got?.id ?? '' },
      });
      const again = new SseReader(resumed.body as ReadableStream<Uint8Array>);
      const seen = [(await again.nextEvent())?.event.data.jobId, (await again.nextEvent())?.event.data.jobId];
      expect(seen).toEqual(later);
      await again.close();
    });

    it('publishes an agent’s connection and disconnection with its device and version', async () => {
      const start = await head();
      const deviceId = `dev-${randomUUID().slice(0, 8)}`;
      const agent = await connectAgent(gw.url, { licenseKey: tenant.licenseKey, branchId: tenant.branchId, deviceId });
      agent.close();
      const events = await eventually(async () => {
        const page = await feed(`?after=${start}&types=agent.*`);
        const mine = page.events.filter((e) => e.data.deviceId === deviceId);
        return mine.length >= 2 ? mine : undefined;
      }, 10_000);
      expect(events.map((e) => e.type)).toEqual(['agent.connected', 'agent.disconnected']);
      expect(events[0]).toMatchObject({
        branchId: tenant.branchId,
        data: { deviceId, branchId: tenant.branchId, appVersion: '2.1.0-test' },
      });
      expect(events[1]?.data.sessionId).toBe(events[0]?.data.sessionId);
      expect(typeof events[1]?.data.reason).toBe('string');
    });

    it('lets a dashboard subscribe to and unsubscribe from the branches its token allows, and nothing else', async () => {
      const web = await connectWeb(gw.url, cashier);
      try {
        const emit = (event: string, payload: unknown) =>
          web.timeout(5_000).emitWithAck(event, payload) as Promise<{
            ok: boolean;
            data?: unknown;
            error?: { code: string };
          }>;
        // Out of its own branch's room, the cashier hears nothing of its jobs; back in, it does.
        expect(await emit('unsubscribe', { branchId: tenant.branchId })).toEqual({
          ok: true,
          data: { branchId: tenant.branchId, subscribed: false },
        });
        expect(await emit('subscribe', { branchId: tenant.branchId })).toEqual({
          ok: true,
          data: { branchId: tenant.branchId, subscribed: true },
        });
        const update = nextEvent<{ job: { id: string } }>(web, 'printJobUpdate', 5_000);
        const jobId = await newJob();
        expect((await update).job.id).toBe(jobId);

        const refused = nextEvent<{ code: string; event: string }>(web, 'error:event');
        const forbidden = await emit('subscribe', { branchId: other.branchId });
        expect(forbidden).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
        expect(await refused).toMatchObject({ code: 'FORBIDDEN', event: 'subscribe' });
        expect(await emit('subscribe', { branchId: randomUUID() })).toMatchObject({
          ok: false,
          error: { code: 'FORBIDDEN' },
        });
        expect(await emit('unsubscribe', { branchId: other.branchId })).toMatchObject({
          ok: false,
          error: { code: 'FORBIDDEN' },
        });
        expect(await emit('subscribe', { branch: 'x' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
        expect(await emit('join:room', { branchId: tenant.branchId })).toMatchObject({
          ok: false,
          error: { code: 'BAD_REQUEST' },
        });
      } finally {
        web.close();
      }
      // An owner may subscribe to any branch of its company.
      const ownerSocket = await connectWeb(gw.url, owner);
      try {
        expect(await ownerSocket.timeout(5_000).emitWithAck('subscribe', { branchId: tenant.branchId })).toMatchObject({
          ok: true,
        });
      } finally {
        ownerSocket.close();
      }
    });

    it('ends its long-polls and streams when the gateway stops, so they do not hold up the drain', async () => {
      const start = await head();
      const polling = feed(`?after=${start}&wait=30`);
      const res = await fetch(`${gw.url}/printing/events?after=${start}`, {
        headers: { authorization: `Bearer ${owner}`, accept: 'text/event-stream' },
      });
      const stream = new SseReader(res.body as ReadableStream<Uint8Array>);
      // The stream is open: its headers came.
      stopped = true;
      await gw.close();
      expect((await polling).events).toEqual([]);
      expect(await stream.nextEvent()).toBeUndefined();
      expect(stream.ended).toBe(true);
    });
  });
}
