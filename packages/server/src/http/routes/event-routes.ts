import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import { type EventFeed, type EventFeedQuery, type EventView, MAX_FEED_PAGE } from '../../core/event-feed.js';
import { GatewayError } from '../../core/gateway-error.js';
import { EVENT_TYPE_PREFIXES } from '../../core/ports/outbox-event.js';
import type { UserPrincipal } from '../../core/principal.js';
import { requireUser } from '../authenticate.js';

/** The longest long-poll, seconds. */
export const MAX_FEED_WAIT_S = 30;

const Cursor = Type.String({ pattern: '^[0-9]{1,18}$', description: 'A seq from a previous page (`nextCursor`)' });
const Id = Type.String({ minLength: 1, maxLength: 128 });
const FeedQuery = Type.Object(
  {
    after: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_FEED_PAGE, default: 100 })),
    companyId: Type.Optional(Id),
    branchId: Type.Optional(Id),
    types: Type.Optional(
      Type.String({
        maxLength: 1024,
        pattern: '^[a-z_]+\\.(\\*|[a-z_]+)(,[a-z_]+\\.(\\*|[a-z_]+))*$',
        description: 'Comma-separated event types or families, e.g. `job.completed,job.failed,agent.*`',
      }),
    ),
    wait: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_FEED_WAIT_S,
        description: 'Long-poll: when nothing is after the cursor, wait up to this many seconds for an event',
      }),
    ),
  },
  { additionalProperties: false },
);
const LastEventId = Type.Object({ 'last-event-id': Type.Optional(Cursor) });

const EventSchema = Type.Object({
  id: Type.String({ description: '`evt_<n>`: the same id as in webhook bodies' }),
  seq: Type.String({ description: 'This event’s cursor' }),
  type: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  companyId: Type.String(),
  branchId: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
});
const PageSchema = Type.Object({
  success: Type.Literal(true),
  events: Type.Array(EventSchema),
  nextCursor: Type.String({ description: 'Pass as `after` for the next page' }),
});

/**
 * docs/events.md: the event feed. Pages of the caller's sequenced events after a cursor, a
 * long-poll (`wait`), or Server-Sent Events (`Accept: text/event-stream`). Registered under
 * `/printing` and `/api/v1/printing`.
 */
export async function eventRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; feed: EventFeed; heartbeatMs: number },
): Promise<void> {
  const { jwt, feed, heartbeatMs } = opts;
  // A stopping gateway ends every wait and stream at once, so that none holds up its drain.
  app.addHook('preClose', (done) => {
    feed.close();
    done();
  });

  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        security: [{ bearerAuth: [] }],
        summary: 'Events in order after a cursor: a page, a long-poll (wait) or Server-Sent Events',
        querystring: FeedQuery,
        headers: LastEventId,
        response: { 200: PageSchema },
      },
    },
    async (request, reply) => {
      const user = await requireUser(jwt, request);
      const q = request.query as Static<typeof FeedQuery>;
      const lastEventId = (request.headers as Static<typeof LastEventId>)['last-event-id'];
      const query: EventFeedQuery = {
        after: lastEventId ?? q.after ?? '0',
        limit: q.limit ?? 100,
        ...(q.companyId !== undefined ? { companyId: q.companyId } : {}),
        ...(q.branchId !== undefined ? { branchId: q.branchId } : {}),
        ...(q.types !== undefined ? { types: typeList(q.types) } : {}),
      };
      if (wantsStream(request)) return stream(request, reply, user, query);
      const closed = abortOnClose(reply);
      const page =
        q.wait && q.wait > 0
          ? await feed.wait(user, query, q.wait * 1000, closed.signal)
          : await feed.page(user, query);
      return { success: true, ...page };
    },
  );

  /**
   * Server-Sent Events: each event as `id: <seq>` and `data: <event JSON>`, so that a client's
   * reconnection (`Last-Event-ID`) resumes after the last event it got; a comment line every
   * `heartbeatMs` when nothing comes. Ends when the client goes, or the gateway stops.
   */
  async function stream(request: FastifyRequest, reply: FastifyReply, user: UserPrincipal, query: EventFeedQuery) {
    // The first page is read before the answer starts, so that a refusal (scope) is a plain error.
    let page = await feed.page(user, query);
    const closed = abortOnClose(reply);
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
    raw.write(`retry: 2000\n\n`);
    try {
      for (;;) {
        if (page.events.length > 0) raw.write(page.events.map(frame).join(''));
        else raw.write(': heartbeat\n\n');
        if (closed.signal.aborted || feed.isClosed) break;
        page = await feed.wait(user, { ...query, after: page.nextCursor }, heartbeatMs, closed.signal);
        if (closed.signal.aborted) break;
      }
    } catch (err) {
      // The client reconnects with Last-Event-ID and misses nothing.
      request.log.warn({ err }, 'event stream ended by an error');
    }
    raw.end();
  }
}

function frame(event: EventView): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

function wantsStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

/** Aborts when the answer's connection closes (sent, or the client gone): a wait stops polling for no one. */
function abortOnClose(reply: FastifyReply): AbortController {
  const controller = new AbortController();
  reply.raw.once('close', () => controller.abort());
  return controller;
}

/** The `types` filter as a list; a family no event has is BAD_REQUEST rather than an empty feed forever. */
function typeList(types: string): string[] {
  const list = types.split(',');
  for (const t of list) {
    const family = t.slice(0, t.indexOf('.'));
    if (!(EVENT_TYPE_PREFIXES as readonly string[]).includes(family)) {
      throw new GatewayError('BAD_REQUEST', {
        message: `unknown event type "${t}": types start with ${EVENT_TYPE_PREFIXES.join(', ')}`,
      });
    }
  }
  return list;
}
