import { type Kysely, sql } from 'kysely';
import type { RedeliveryOutcome, WebhookDeliveryState, WebhookDeliveryView } from '../core/ports/webhook-store.js';
import type { DatabaseSchema } from './database-schema.js';
import { webhookFilterMatches } from './pg-webhook-filter.js';
import { HELD_UNTIL, isHeld } from './webhook-held-deliveries.js';

/** The users' side of an endpoint's deliveries: the delivery log and redelivery. */
export class PgWebhookDeliveryLog {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async listDeliveries(
    endpointId: string,
    options: { before?: string; limit: number; state?: WebhookDeliveryState },
  ): Promise<WebhookDeliveryView[]> {
    let q = this.db
      .selectFrom('webhookDeliveries as d')
      .innerJoin('events as v', 'v.id', 'd.eventId')
      .select([
        'd.id',
        'd.endpointId',
        'd.eventId',
        'v.type',
        'v.subjectId',
        'd.state',
        'd.attempts',
        'd.nextAttemptAt',
        'd.firstAttemptAt',
        'd.deliveredAt',
        'd.createdAt',
      ])
      .where('d.endpointId', '=', endpointId);
    if (options.before !== undefined) q = q.where('d.id', '<', options.before);
    if (options.state !== undefined) q = q.where('d.state', '=', options.state);
    const rows = await q.orderBy('d.id', 'desc').limit(options.limit).execute();
    if (rows.length === 0) return [];
    const attempts = await this.db
      .selectFrom('webhookAttempts')
      .selectAll()
      .where(
        'deliveryId',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: String(r.id),
      endpointId: r.endpointId,
      eventId: String(r.eventId),
      eventType: r.type,
      subjectId: r.subjectId,
      state: r.state as WebhookDeliveryState,
      attempts: r.attempts,
      nextAttemptAt: r.state === 'pending' && !isHeld(r.nextAttemptAt) ? r.nextAttemptAt : null,
      firstAttemptAt: r.firstAttemptAt,
      deliveredAt: r.deliveredAt,
      createdAt: r.createdAt,
      attemptLog: attempts
        .filter((a) => String(a.deliveryId) === String(r.id))
        .map((a) => ({
          attempt: a.attempt,
          statusCode: a.statusCode,
          latencyMs: a.latencyMs,
          error: a.error,
          responseSnippet: a.responseSnippet,
          gatewayInstance: a.gatewayInstance,
          createdAt: a.createdAt,
        })),
    }));
  }

  async redeliverEvent(endpointId: string, eventId: string, now: number): Promise<RedeliveryOutcome> {
    return this.db.transaction().execute(async (trx): Promise<RedeliveryOutcome> => {
      const event = await trx
        .selectFrom('events as v')
        .innerJoin('webhookEndpoints as e', 'e.companyId', 'v.companyId')
        .select([
          'v.id',
          'v.seq',
          'v.type',
          'v.subjectId',
          'v.companyId',
          'e.status',
          webhookFilterMatches(sql.ref('v.type'), sql.ref('e.events')).as('matches'),
        ])
        .where('e.id', '=', endpointId)
        .where('v.id', '=', eventId)
        .where('v.seq', 'is not', null)
        // A branch's endpoint gets that branch's events only, redelivered or not.
        .where((eb) => eb.or([eb('e.branchId', 'is', null), eb('e.branchId', '=', eb.ref('v.branchId'))]))
        .executeTakeFirst();
      if (!event) return { status: 'not_found' };
      // The filter says what the receiver takes, now: an event it does not match is not sent to it,
      // by redelivery either (also when the filter changed after the delivery was made).
      if (!event.matches) return { status: 'filtered', eventType: event.type };
      // A disabled endpoint's delivery waits parked with the others, and goes when it is enabled.
      const due = event.status === 'active' ? new Date(now) : HELD_UNTIL;
      const existing = await trx
        .selectFrom('webhookDeliveries')
        .select(['id', 'state', 'lockedUntil'])
        .where('endpointId', '=', endpointId)
        .where('eventId', '=', eventId)
        .forUpdate()
        .executeTakeFirst();
      if (existing) {
        if (existing.state === 'pending' && existing.lockedUntil && existing.lockedUntil.getTime() > now) {
          return { status: 'busy', deliveryId: String(existing.id) };
        }
        await trx
          .updateTable('webhookDeliveries')
          .set({
            state: 'pending',
            attempts: 0,
            nextAttemptAt: due,
            lockedUntil: null,
            firstAttemptAt: null,
            deliveredAt: null,
          })
          .where('id', '=', existing.id)
          .execute();
        return { status: 'pending', deliveryId: String(existing.id) };
      }
      const row = await trx
        .insertInto('webhookDeliveries')
        .values({
          endpointId,
          companyId: event.companyId,
          eventId,
          seq: event.seq as string,
          orderingKey: event.subjectId,
          nextAttemptAt: due,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { status: 'pending', deliveryId: String(row.id) };
    });
  }

  async findDeliveryEventId(endpointId: string, deliveryId: string): Promise<string | undefined> {
    if (!/^\d{1,18}$/.test(deliveryId)) return undefined;
    const row = await this.db
      .selectFrom('webhookDeliveries')
      .select('eventId')
      .where('endpointId', '=', endpointId)
      .where('id', '=', deliveryId)
      .executeTakeFirst();
    return row && String(row.eventId);
  }
}
