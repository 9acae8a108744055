import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import { type EventFeed, type EventFeedQuery, MAX_FEED_PAGE } from '../../core/event-feed.js';
import { GatewayError } from '../../core/gateway-error.js';
import { checkEventPatterns } from '../../core/webhook-event-patterns.js';
import { requireUser } from '../authenticate.js';
import { sendEventStream } from '../event-stream.js';
import { USER_SECURITY } from './user-security.js';

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
        security: USER_SECURITY,
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
      if (!wantsStream(request) && !q.wait) return { success: true, ...(await feed.page(user, query)) };
      // Long-polls and streams hold a slot of their credential's cap until they end.
      const lease = feed.admit(user);
      try {
        if (wantsStream(request)) {
          // The first page is read before the answer starts, so that a refusal (scope) is a plain error.
          const first = await feed.page(user, query);
          await sendEventStream(request, reply, { feed, user, query, first, lease, heartbeatMs });
          return reply;
        }
        const closed = abortOnClose(reply);
        const signal = AbortSignal.any([closed.signal, lease.signal]);
        const page = await feed.wait(user, query, (q.wait ?? 0) * 1000, signal);
        // Revoked or expired while it waited: the caller may no longer read what came meanwhile.
        if (lease.signal.aborted) throw lease.signal.reason;
        return { success: true, ...page };
      } finally {
        lease.release();
      }
    },
  );
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

/**
 * The `types` filter as a list. A type or family no event has (`job.exploded`, `foo.*`) is
 * BAD_REQUEST naming it, rather than an empty feed forever; the known ones are those a webhook
 * endpoint may ask for (checkEventPatterns).
 */
function typeList(types: string): string[] {
  const list = types.split(',');
  for (const t of list) {
    try {
      checkEventPatterns([t]);
    } catch {
      throw new GatewayError('BAD_REQUEST', {
        message: `unknown event type "${t}": see docs/events.md for the types and families (job.*, agent.*, printer.*, licence.*)`,
        details: { path: 'querystring/types', value: t },
      });
    }
  }
  return list;
}
