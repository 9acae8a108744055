import type { WebhookDeliveryView, WebhookView } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { WebhookDeliveryView as DeliveryRow, WebhookEndpoint } from '../../core/ports/webhook-store.js';
import { MAX_ROTATION_OVERLAP_MS, type WebhookService } from '../../core/webhook-service.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });
/** Event type patterns are checked by the service, which names the unknown one. */
const EventPatterns = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 32 });
const Url = Type.String({ minLength: 1, maxLength: 2048 });
const Description = Type.String({ maxLength: 500 });
const DeliveryState = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);
const NumericId = Type.String({ pattern: '^[0-9]{1,18}$' });

const CreateBody = Type.Object(
  {
    url: Url,
    events: EventPatterns,
    companyId: Type.Optional(Id),
    branchId: Type.Optional(Id),
    description: Type.Optional(Description),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(EventPatterns),
    description: Type.Optional(Type.Union([Description, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ListQuery = Type.Object(
  { companyId: Type.Optional(Id), branchId: Type.Optional(Id) },
  { additionalProperties: false },
);
const Params = Type.Object({ webhookId: Id });
const DeliveryParams = Type.Object({ webhookId: Id, deliveryId: NumericId });
const RotateBody = Type.Union([
  Type.Object(
    { overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ROTATION_OVERLAP_MS / 1000 })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
/** The event's id as payloads carry it (`evt_123`), or its number. */
const RedeliverBody = Type.Object(
  { eventId: Type.String({ pattern: '^(evt_)?[0-9]{1,18}$' }) },
  { additionalProperties: false },
);
const DeliveriesQuery = Type.Object(
  {
    cursor: Type.Optional(NumericId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    state: Type.Optional(DeliveryState),
  },
  { additionalProperties: false },
);

/** An endpoint as the API shows it: never its secrets. */
function toEndpointView(e: WebhookEndpoint): WebhookView {
  return {
    id: e.id,
    companyId: e.companyId,
    branchId: e.branchId,
    url: e.url,
    description: e.description,
    events: e.events,
    status: e.status,
    disabledReason: e.disabledReason,
    consecutiveFailures: e.consecutiveFailures,
    failingSince: e.failingSince?.toISOString() ?? null,
    previousSecretUntil: e.previousSecretUntil?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

function toDeliveryView(d: DeliveryRow): WebhookDeliveryView {
  return {
    id: d.id,
    eventId: `evt_${d.eventId}`,
    eventType: d.eventType,
    subjectId: d.subjectId,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    firstAttemptAt: d.firstAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    attemptLog: d.attemptLog.map((a) => ({
      attempt: a.attempt,
      statusCode: a.statusCode,
      latencyMs: a.latencyMs,
      error: a.error,
      responseSnippet: a.responseSnippet,
      gatewayInstance: a.gatewayInstance,
      at: a.createdAt.toISOString(),
    })),
  };
}

/**
 * Webhook endpoints (docs/webhooks.md): `/admin/webhooks`. Company owners manage their company's,
 * super admins any company's; branch managers read their branch's endpoints and delivery logs.
 */
export async function webhookRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; webhooks: WebhookService },
): Promise<void> {
  const { jwt, webhooks } = opts;
  const tags = ['webhooks'];
  const security = USER_SECURITY;

  app.post('/admin/webhooks', { schema: { tags, security, body: CreateBody } }, async (request, reply) => {
    const user = await requireUser(jwt, request);
    const { endpoint, secret } = await webhooks.create(user, request.body as Static<typeof CreateBody>);
    return reply.status(201).send({ success: true, webhook: toEndpointView(endpoint), secret });
  });

  app.get('/admin/webhooks', { schema: { tags, security, querystring: ListQuery } }, async (request) => {
    const user = await requireUser(jwt, request);
    const list = await webhooks.list(user, request.query as Static<typeof ListQuery>);
    return { success: true, webhooks: list.map(toEndpointView), total: list.length };
  });

  app.get('/admin/webhooks/:webhookId', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { webhookId } = request.params as Static<typeof Params>;
    return { success: true, webhook: toEndpointView(await webhooks.get(user, webhookId)) };
  });

  app.patch(
    '/admin/webhooks/:webhookId',
    { schema: { tags, security, params: Params, body: UpdateBody } },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { webhookId } = request.params as Static<typeof Params>;
      const endpoint = await webhooks.update(user, webhookId, request.body as Static<typeof UpdateBody>);
      return { success: true, webhook: toEndpointView(endpoint) };
    },
  );

  app.delete('/admin/webhooks/:webhookId', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { webhookId } = request.params as Static<typeof Params>;
    await webhooks.delete(user, webhookId);
    return { success: true, message: 'webhook endpoint deleted' };
  });

  app.post(
    '/admin/webhooks/:webhookId/rotate-secret',
    { schema: { tags, security, params: Params, body: RotateBody } },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { webhookId } = request.params as Static<typeof Params>;
      const body = (request.body ?? {}) as { overlapSeconds?: number };
      const overlapMs = body.overlapSeconds === undefined ? undefined : body.overlapSeconds * 1000;
      const { endpoint, secret } = await webhooks.rotateSecret(user, webhookId, overlapMs);
      return { success: true, webhook: toEndpointView(endpoint), secret };
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post(
      `/admin/webhooks/:webhookId/${action}`,
      { schema: { tags, security, params: Params } },
      async (request) => {
        const user = await requireUser(jwt, request);
        const { webhookId } = request.params as Static<typeof Params>;
        const endpoint = await webhooks[action](user, webhookId);
        return { success: true, webhook: toEndpointView(endpoint) };
      },
    );
  }

  app.get(
    '/admin/webhooks/:webhookId/deliveries',
    { schema: { tags, security, params: Params, querystring: DeliveriesQuery } },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { webhookId } = request.params as Static<typeof Params>;
      const query = request.query as Static<typeof DeliveriesQuery>;
      const { deliveries, nextCursor } = await webhooks.deliveries(user, webhookId, {
        cursor: query.cursor,
        limit: query.limit ?? 20,
        state: query.state,
      });
      return { success: true, deliveries: deliveries.map(toDeliveryView), count: deliveries.length, nextCursor };
    },
  );

  app.post(
    '/admin/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    { schema: { tags, security, params: DeliveryParams } },
    async (request, reply) => {
      const user = await requireUser(jwt, request);
      const { webhookId, deliveryId } = request.params as Static<typeof DeliveryParams>;
      const outcome = await webhooks.redeliver(user, webhookId, { deliveryId });
      return reply
        .status(202)
        .send({ success: true, deliveryId: outcome.deliveryId, eventId: `evt_${outcome.eventId}` });
    },
  );

  app.post(
    '/admin/webhooks/:webhookId/redeliver',
    { schema: { tags, security, params: Params, body: RedeliverBody } },
    async (request, reply) => {
      const user = await requireUser(jwt, request);
      const { webhookId } = request.params as Static<typeof Params>;
      const { eventId } = request.body as Static<typeof RedeliverBody>;
      const outcome = await webhooks.redeliver(user, webhookId, { eventId: eventId.replace(/^evt_/, '') });
      return reply
        .status(202)
        .send({ success: true, deliveryId: outcome.deliveryId, eventId: `evt_${outcome.eventId}` });
    },
  );

  app.post('/admin/webhooks/:webhookId/ping', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { webhookId } = request.params as Static<typeof Params>;
    const outcome = await webhooks.ping(user, webhookId);
    return { success: true, ...outcome };
  });
}
