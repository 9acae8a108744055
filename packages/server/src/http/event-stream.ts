import { once } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventFeed, EventFeedQuery, EventPage, EventView } from '../core/event-feed.js';
import type { FeedLease } from '../core/feed-admission.js';
import { GatewayError } from '../core/gateway-error.js';
import type { UserPrincipal } from '../core/principal.js';

/**
 * Heartbeat intervals a stream waits for its client to take what was written (`drain`) before
 * it gives up on it: a client that takes nothing for that long is gone or stuck, and what the
 * gateway holds for it stays bounded by one page plus the socket's buffers.
 */
const STALL_HEARTBEATS = 2;

export interface EventStreamOptions {
  feed: EventFeed;
  user: UserPrincipal;
  query: EventFeedQuery;
  /** The first page, read before the answer started (a refusal is then a plain error answer). */
  first: EventPage;
  /** The stream's slot; it ends the stream when the credential expires or is revoked. */
  lease: FeedLease;
  heartbeatMs: number;
}

/**
 * Server-Sent Events: each event as `id: <seq>` and `data: <event JSON>`, so that a client's
 * reconnection (`Last-Event-ID`) resumes after the last event it got; a comment line every
 * `heartbeatMs` when nothing comes. Ends when the client goes, the gateway stops, the credential
 * expires or is revoked (after an `event: error` frame naming why), or the client stops reading.
 * The caller releases the lease once this returns.
 */
export async function sendEventStream(request: FastifyRequest, reply: FastifyReply, o: EventStreamOptions) {
  const closed = new AbortController();
  reply.raw.once('close', () => closed.abort());
  const signal = AbortSignal.any([closed.signal, o.lease.signal]);
  reply.hijack();
  const raw = reply.raw;
  // Headers set so far (CORS, the correlation id) are Fastify's to send; a hijacked answer sends its own.
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) raw.setHeader(name, value);
  }
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // nginx buffers answers unless told not to; a stream must go out as it is written.
    'x-accel-buffering': 'no',
  });
  const stallMs = o.heartbeatMs * STALL_HEARTBEATS;
  /** Writes `chunk`, then waits until the client took it; false when it did not in time, or left. */
  const send = async (chunk: string): Promise<boolean> => {
    if (raw.write(chunk)) return true;
    const drained = await waitForDrain(raw, stallMs, closed.signal);
    if (!drained && !closed.signal.aborted) {
      request.log.warn(
        { bufferedBytes: raw.writableLength, stalledMs: stallMs },
        'event stream ended: the client is not reading',
      );
      // A reset frees the socket's buffers now; a graceful close would keep them for a peer that reads nothing.
      raw.socket?.resetAndDestroy();
    }
    return drained;
  };
  let page = o.first;
  try {
    if (!(await send('retry: 2000\n\n'))) return;
    for (;;) {
      if (o.lease.signal.aborted) break;
      const chunk = page.events.length > 0 ? page.events.map(frame).join('') : ': heartbeat\n\n';
      if (!(await send(chunk))) return;
      if (signal.aborted || o.feed.isClosed) break;
      page = await o.feed.wait(o.user, { ...o.query, after: page.nextCursor }, o.heartbeatMs, signal);
      if (closed.signal.aborted) return;
    }
    if (o.lease.signal.aborted) {
      const reason = endReason(o.lease.signal.reason);
      request.log.info({ reason: reason.reason }, 'event stream ended: its credential is no longer valid');
      await send(`event: error\ndata: ${JSON.stringify(reason)}\n\n`);
    }
  } catch (err) {
    // The client reconnects with Last-Event-ID and misses nothing.
    request.log.warn({ err }, 'event stream ended by an error');
  }
  raw.end();
}

function frame(event: EventView): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The `error` frame's body: the code and message of the lease's reason, and why (`AUTH_EXPIRED`, `AUTH_REVOKED`). */
function endReason(reason: unknown): { code: string; reason: string; message: string } {
  const e = reason instanceof GatewayError ? reason : new GatewayError('AUTH_FAILED');
  const why = typeof e.details?.reason === 'string' ? e.details.reason : 'AUTH_REVOKED';
  return { code: e.code, reason: why, message: e.message };
}

/** Resolves true on `drain`, false after `timeoutMs` or when `signal` aborts (the client left). */
async function waitForDrain(raw: FastifyReply['raw'], timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    await once(raw, 'drain', { signal: AbortSignal.any([signal, timeout]) });
    return true;
  } catch {
    return false;
  }
}
