import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/socket-clients.js';
import { createTestSchema } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** One Server-Sent Events frame: its `event:` (`message` when none), `id:` and `data:` lines. */
interface Frame {
  event: string;
  id?: string;
  data?: string;
}

/** Reads SSE frames from a fetch body as they come; comments (`: heartbeat`) and `retry:` are skipped. */
class FrameReader {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }

  /** The next frame with data; undefined when the stream ended. */
  async next(): Promise<Frame | undefined> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(text)?.[1];
        if (data === undefined) continue;
        return { event: /^event: (.*)$/m.exec(text)?.[1] ?? 'message', id: /^id: (.*)$/m.exec(text)?.[1], data };
      }
      const { done, value } = await this.reader.read();
      if (done) return undefined;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** Frames until the stream ends (the last one included). */
  async rest(): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (let f = await this.next(); f; f = await this.next()) frames.push(f);
    return frames;
  }
}

/**
 * The feed's waits and streams within their credentials (PostgreSQL: revocations come by LISTEN):
 * they end when the token expires or the key or session is taken back, one credential may hold
 * only so many at once, and a client that stops reading is cut off.
 */
describe('event feed streams and long-polls within their credentials (PostgreSQL)', () => {
  let gw: TestGateway;
  let drop: () => Promise<void>;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let owner: string;

  beforeAll(async () => {
    const schema = await createTestSchema();
    drop = schema.drop;
    gw = await startTestGateway({
      store: 'postgres',
      schema: schema.schema,
      env: {
        PRINTERMASTER_EVENT_STREAM_HEARTBEAT_MS: '200',
        PRINTERMASTER_EVENT_FEED_MAX_STREAMS_PER_CREDENTIAL: '2',
      },
    });
    tenant = await gw.seedTenant('Guarded feed');
    owner = await gw.token('company_owner', { companyId: tenant.companyId });
  });
  afterAll(async () => {
    await gw?.close();
    await drop?.();
  });

  /** A token of a user of its own, so that each test has its own slots under the cap. */
  const ownToken = (untilS?: number) =>
    gw.jwt.sign(
      { sub: `user-${randomUUID()}`, role: 'company_owner', companyId: tenant.companyId },
      untilS === undefined ? '1h' : { until: untilS },
    );
  const auth = (credential: string): Record<string, string> =>
    credential.startsWith('pm_') ? { 'x-api-key': credential } : { authorization: `Bearer ${credential}` };
  const openStream = async (credential: string, query = '?after=0&types=agent.connected') => {
    const res = await fetch(`${gw.url}/printing/events${query}`, {
      headers: { ...auth(credential), accept: 'text/event-stream' },
    });
    return {
      status: res.status,
      res,
      reader: res.ok ? new FrameReader(res.body as ReadableStream<Uint8Array>) : undefined,
    };
  };
  const longPoll = async (credential: string, query = '?after=0&types=agent.connected&wait=30') => {
    const res = await fetch(`${gw.url}/printing/events${query}`, { headers: auth(credential) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const post = async (path: string, credential: string, body?: unknown) => {
    const res = await fetch(`${gw.url}${path}`, {
      method: 'POST',
      headers: { ...auth(credential), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const newApiKey = async () => {
    const created = await post('/admin/api-keys', owner, { name: `POS ${randomUUID()}`, role: 'company_owner' });
    expect(created.status).toBe(201);
    return created.body as { key: string; apiKey: { id: string } };
  };
  const lastFrame = (frames: Frame[]) => {
    const last = frames.at(-1);
    return { event: last?.event, ...(last?.data ? (JSON.parse(last.data) as Record<string, unknown>) : {}) };
  };

  it('ends a stream with an AUTH_EXPIRED error frame when its token expires', async () => {
    const token = await ownToken(Math.floor(Date.now() / 1000) + 2);
    const { status, reader } = await openStream(token);
    expect(status).toBe(200);
    const frames = await (reader as FrameReader).rest();
    expect(lastFrame(frames)).toMatchObject({ event: 'error', code: 'AUTH_FAILED', reason: 'AUTH_EXPIRED' });
  });

  it('ends a stream with an AUTH_REVOKED error frame when its API key is revoked', async () => {
    const { key, apiKey } = await newApiKey();
    const { status, reader } = await openStream(key);
    expect(status).toBe(200);
    const rest = (reader as FrameReader).rest();
    expect((await post(`/admin/api-keys/${apiKey.id}/revoke`, owner)).status).toBe(200);
    expect(lastFrame(await rest)).toMatchObject({ event: 'error', code: 'AUTH_FAILED', reason: 'AUTH_REVOKED' });
  });

  it('ends a stream with an AUTH_REVOKED error frame when its session logs out', async () => {
    const started = await post('/auth/sessions', owner, {
      sub: 'alice',
      role: 'company_owner',
      companyId: tenant.companyId,
    });
    expect(started.status).toBe(201);
    const accessToken = started.body.accessToken as string;
    const { status, reader } = await openStream(accessToken);
    expect(status).toBe(200);
    const rest = (reader as FrameReader).rest();
    expect((await post('/auth/logout', accessToken)).status).toBe(200);
    expect(lastFrame(await rest)).toMatchObject({ event: 'error', code: 'AUTH_FAILED', reason: 'AUTH_REVOKED' });
  });

  it('answers a waiting long-poll 401 AUTH_FAILED when its API key is revoked meanwhile', async () => {
    const { key, apiKey } = await newApiKey();
    expect((await longPoll(key, '?after=0&limit=1')).status).toBe(200);
    const waiting = longPoll(key);
    // The long-poll holds one of the key's two slots once it waits: a stream then takes the
    // other, and one more is refused.
    await eventually(async () => {
      const probe = await openStream(key);
      const extra = await openStream(key);
      await Promise.all([probe, extra].map((p) => (p.reader ? p.reader.close() : p.res.body?.cancel())));
      return probe.status === 200 && extra.status === 429 ? true : undefined;
    }, 10_000);
    expect((await post(`/admin/api-keys/${apiKey.id}/revoke`, owner)).status).toBe(200);
    expect(await waiting).toMatchObject({ status: 401, body: { code: 'AUTH_FAILED', reason: 'AUTH_REVOKED' } });
  });

  it('refuses a credential’s long-polls and streams past the cap with 429, and admits again once one ends', async () => {
    const token = await ownToken();
    const first = await openStream(token);
    const second = await openStream(token);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await openStream(token);
    expect(third.status).toBe(429);
    expect(await third.res.json()).toMatchObject({ success: false, code: 'RATE_LIMIT_EXCEEDED' });
    expect((await longPoll(token, '?after=0&wait=1')).body).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
    // A page without wait is not held open, and is not counted.
    expect((await longPoll(token, '?after=0&limit=1')).status).toBe(200);
    // Another credential has slots of its own.
    const other = await openStream(await ownToken());
    expect(other.status).toBe(200);
    await other.reader?.close();

    await first.reader?.close();
    const admitted = await eventually(async () => {
      const again = await openStream(token);
      if (again.status === 200) return again;
      await again.res.body?.cancel();
      return undefined;
    }, 10_000);
    await admitted.reader?.close();
    await second.reader?.close();
  });

  it('cuts off a stream whose client stops reading, and frees its slot', async () => {
    const token = await ownToken();
    const head = (await longPoll(token, '?after=0&limit=1000&wait=0')).body.nextCursor as string;
    // A client that reads the answer's head, then nothing more.
    const stalled = net.connect(gw.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    stalled.on('error', () => {});
    stalled.write(
      [
        `GET /printing/events?after=${head} HTTP/1.1`,
        'Host: 127.0.0.1',
        `Authorization: Bearer ${token}`,
        'Accept: text/event-stream',
        '',
        '',
      ].join('\r\n'),
    );
    const firstChunk = await new Promise<string>((resolve) =>
      stalled.once('data', (c: Buffer) => resolve(c.toString())),
    );
    expect(firstChunk).toMatch(/^HTTP\/1\.1 200/);
    stalled.pause();
    // The other slot, held by a stream that hears none of what follows.
    const quiet = await openStream(token);
    expect(quiet.status).toBe(200);
    expect((await longPoll(token, '?after=0&wait=1&types=agent.connected')).status).toBe(429);

    // Far more than the socket buffers hold: the gateway's writes to the stalled client back up.
    const blob = 'x'.repeat(250_000);
    await gw.database.db
      .insertInto('events')
      .values(
        Array.from({ length: 40 }, (_, i) => ({
          companyId: tenant.companyId,
          branchId: tenant.branchId,
          type: 'printer.status_changed',
          subjectId: `backpressure-${i}`,
          data: JSON.stringify({ blob }),
        })),
      )
      .execute();

    // The gateway gives up on the stalled client: its slot is free again.
    const admitted = await eventually(async () => {
      const again = await longPoll(token, '?after=0&wait=1&types=agent.connected');
      return again.status === 200 ? again : undefined;
    }, 20_000);
    expect(admitted.status).toBe(200);
    // And its connection is gone: reading again finds its end instead of a stream that goes on.
    stalled.resume();
    stalled.on('data', () => {});
    await closed;
    await quiet.reader?.close();
  });
});
