import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  ClaimedDelivery,
  FailedAttemptPlan,
  NewWebhookEndpoint,
  WebhookAttemptOutcome,
  WebhookDeliveryState,
  WebhookDeliveryView,
  WebhookEndpoint,
  WebhookEndpointChanges,
  WebhookEndpointStatus,
  WebhookStore,
} from '../core/ports/webhook-store.js';
import type { DatabaseSchema, WebhookEndpointTable } from './database-schema.js';

/** A claimed delivery with its event and endpoint, as the claim returns it (camelCased by the plugin). */
interface ClaimRow {
  id: string;
  endpointId: string;
  companyId: string;
  attempts: number;
  firstAttemptAt: Date | null;
  nextAttemptAt: Date;
  eventId: string;
  seq: string;
  type: string;
  branchId: string | null;
  data: Record<string, unknown>;
  eventCreatedAt: Date;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
}

/** Longest error text kept per attempt. */
const MAX_ERROR_CHARS = 500;

export class PgWebhookStore implements WebhookStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insertEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint> {
    const row = await this.db.insertInto('webhookEndpoints').values(endpoint).returningAll().executeTakeFirstOrThrow();
    return toEndpoint(row);
  }

  async findEndpoint(id: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db.selectFrom('webhookEndpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toEndpoint(row);
  }

  async listEndpoints(filter: { companyId?: string; branchId?: string }): Promise<WebhookEndpoint[]> {
    let q = this.db.selectFrom('webhookEndpoints').selectAll();
    if (filter.companyId !== undefined) q = q.where('companyId', '=', filter.companyId);
    if (filter.branchId !== undefined) q = q.where('branchId', '=', filter.branchId);
    const rows = await q.orderBy('createdAt').orderBy('id').execute();
    return rows.map(toEndpoint);
  }

  async updateEndpoint(id: string, changes: WebhookEndpointChanges, now: number): Promise<WebhookEndpoint | undefined> {
    const row = await this.db
      .updateTable('webhookEndpoints')
      .set({ ...changes, updatedAt: new Date(now) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toEndpoint(row);
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhookEndpoints').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async rotateSecret(
    id: string,
    secret: string,
    previousUntil: number,
    now: number,
  ): Promise<WebhookEndpoint | undefined> {
    const row = await this.db
      .updateTable('webhookEndpoints')
      .set((eb) => ({
        previousSecret: eb.ref('secret'),
        previousSecretUntil: new Date(previousUntil),
        secret,
        updatedAt: new Date(now),
      }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toEndpoint(row);
  }

  async disableEndpoint(id: string, reason: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('webhookEndpoints')
      .set({ status: 'disabled', disabledReason: reason, updatedAt: new Date(now) })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async enableEndpoint(id: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('webhookEndpoints')
        .set({
          status: 'active',
          disabledReason: null,
          consecutiveFailures: 0,
          failingSince: null,
          updatedAt: new Date(now),
        })
        .where('id', '=', id)
        .where('status', '=', 'disabled')
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await trx
        .updateTable('webhookDeliveries')
        .set({ nextAttemptAt: new Date(now) })
        .where('endpointId', '=', id)
        .where('state', '=', 'pending')
        .where('nextAttemptAt', '>', new Date(now))
        .execute();
      return true;
    });
  }

  async claimDue(options: {
    now: number;
    limit: number;
    leaseMs: number;
    excludeEndpointIds: string[];
  }): Promise<ClaimedDelivery[]> {
    const now = new Date(options.now);
    const leaseEnd = new Date(options.now + options.leaseMs);
    // Only the first pending delivery of an endpoint and ordering key (a job) may go: a leased or
    // retrying one holds back the later ones, so a job's events arrive in order. SKIP LOCKED lets
    // processes that claim at once take different deliveries; the lease then keeps the others off
    // it after this transaction commits.
    const claimed = await sql<ClaimRow>`
      WITH due AS (
        SELECT d.id FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'active'
        WHERE d.state = 'pending'
          AND d.next_attempt_at <= ${now}
          AND (d.locked_until IS NULL OR d.locked_until <= ${now})
          AND NOT (d.endpoint_id = ANY(${options.excludeEndpointIds}::text[]))
          AND NOT EXISTS (
            SELECT 1 FROM webhook_deliveries p
            WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key
              AND p.state = 'pending' AND p.seq < d.seq
          )
        ORDER BY d.next_attempt_at, d.id
        LIMIT ${options.limit}
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE webhook_deliveries w
      SET locked_until = ${leaseEnd}, attempts = w.attempts + 1,
          first_attempt_at = coalesce(w.first_attempt_at, ${now})
      FROM due, events v, webhook_endpoints e
      WHERE w.id = due.id AND v.id = w.event_id AND e.id = w.endpoint_id
      RETURNING w.id, w.endpoint_id, w.company_id, w.attempts, w.first_attempt_at, w.next_attempt_at,
        v.id AS event_id, v.seq, v.type, v.branch_id, v.data, v.created_at AS event_created_at,
        e.url, e.secret, e.previous_secret, e.previous_secret_until
    `.execute(this.db);
    return claimed.rows
      .sort((x, y) => x.nextAttemptAt.getTime() - y.nextAttemptAt.getTime() || Number(x.id) - Number(y.id))
      .map((r) => ({
        id: String(r.id),
        endpointId: r.endpointId,
        companyId: r.companyId,
        attempt: r.attempts,
        firstAttemptAt: (r.firstAttemptAt ?? now).getTime(),
        eventCreatedAt: r.eventCreatedAt.getTime(),
        event: { id: String(r.eventId), seq: String(r.seq), type: r.type, branchId: r.branchId, data: r.data },
        endpoint: {
          url: r.url,
          secret: r.secret,
          previousSecret: r.previousSecret,
          previousSecretUntil: r.previousSecretUntil,
        },
      }));
  }

  async recordSuccesses(
    successes: readonly { delivery: ClaimedDelivery; outcome: WebhookAttemptOutcome }[],
    instance: string,
    now: number,
  ): Promise<void> {
    if (successes.length === 0) return;
    const rows = successes.map((s) => attemptRow(s.delivery, s.outcome, instance, now));
    const endpointIds = [...new Set(rows.map((r) => r.endpointId))];
    // One statement, atomic on its own: no BEGIN and COMMIT around three (on the embedded store
    // every statement is one the print path waits for).
    await sql`
      WITH attempts AS (
        INSERT INTO webhook_attempts (delivery_id, endpoint_id, company_id, attempt, status_code, latency_ms,
          error, response_snippet, gateway_instance, created_at)
        SELECT a.delivery_id, a.endpoint_id, a.company_id, a.attempt, a.status_code, a.latency_ms,
          a.error, a.response_snippet, ${instance}, ${new Date(now)}
        FROM unnest(${rows.map((r) => r.deliveryId)}::bigint[], ${rows.map((r) => r.endpointId)}::text[],
          ${rows.map((r) => r.companyId)}::text[], ${rows.map((r) => r.attempt)}::integer[],
          ${rows.map((r) => r.statusCode)}::integer[], ${rows.map((r) => r.latencyMs)}::integer[],
          ${rows.map((r) => r.error)}::text[], ${rows.map((r) => r.responseSnippet)}::text[])
          AS a (delivery_id, endpoint_id, company_id, attempt, status_code, latency_ms, error, response_snippet)
        ORDER BY a.delivery_id
      ), delivered AS (
        UPDATE webhook_deliveries SET state = 'delivered', delivered_at = ${new Date(now)}, locked_until = NULL
        WHERE id = ANY (${rows.map((r) => r.deliveryId)}::bigint[])
      )
      -- Written only when there is a run to end: a healthy endpoint's row is not rewritten per delivery.
      UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL
      WHERE id = ANY (${endpointIds}::text[]) AND (consecutive_failures > 0 OR failing_since IS NOT NULL)
    `.execute(this.db);
  }

  async recordFailure(
    delivery: ClaimedDelivery,
    outcome: WebhookAttemptOutcome,
    plan: FailedAttemptPlan,
    instance: string,
    now: number,
  ): Promise<{ consecutiveFailures: number; failingSince: number }> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhookAttempts')
        .values(attemptRow(delivery, outcome, instance, now))
        .execute();
      await trx
        .updateTable('webhookDeliveries')
        .set(
          'giveUp' in plan
            ? { state: 'failed', lockedUntil: null }
            : { nextAttemptAt: new Date(plan.retryAt), lockedUntil: null },
        )
        .where('id', '=', delivery.id)
        .execute();
      const run = await trx
        .updateTable('webhookEndpoints')
        .set((eb) => ({
          consecutiveFailures: eb('consecutiveFailures', '+', 1),
          failingSince: eb.fn.coalesce('failingSince', sql<Date>`${new Date(now)}::timestamptz`),
        }))
        .where('id', '=', delivery.endpointId)
        .returning(['consecutiveFailures', 'failingSince'])
        .executeTakeFirst();
      return {
        consecutiveFailures: run?.consecutiveFailures ?? 0,
        failingSince: run?.failingSince?.getTime() ?? now,
      };
    });
  }

  async release(deliveryId: string): Promise<void> {
    await this.db
      .updateTable('webhookDeliveries')
      .set((eb) => ({ lockedUntil: null, attempts: eb('attempts', '-', 1) }))
      .where('id', '=', deliveryId)
      .where('state', '=', 'pending')
      .execute();
  }

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
      nextAttemptAt: r.nextAttemptAt,
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

  async redeliverEvent(
    endpointId: string,
    eventId: string,
    now: number,
  ): Promise<{ found: boolean; busy: boolean; deliveryId?: string }> {
    return this.db.transaction().execute(async (trx) => {
      const event = await trx
        .selectFrom('events as v')
        .innerJoin('webhookEndpoints as e', 'e.companyId', 'v.companyId')
        .select(['v.id', 'v.seq', 'v.subjectId', 'v.companyId'])
        .where('e.id', '=', endpointId)
        .where('v.id', '=', eventId)
        .where('v.seq', 'is not', null)
        // A branch's endpoint gets that branch's events only, redelivered or not.
        .where((eb) => eb.or([eb('e.branchId', 'is', null), eb('e.branchId', '=', eb.ref('v.branchId'))]))
        .executeTakeFirst();
      if (!event) return { found: false, busy: false };
      const existing = await trx
        .selectFrom('webhookDeliveries')
        .select(['id', 'state', 'lockedUntil'])
        .where('endpointId', '=', endpointId)
        .where('eventId', '=', eventId)
        .forUpdate()
        .executeTakeFirst();
      if (existing) {
        if (existing.state === 'pending' && existing.lockedUntil && existing.lockedUntil.getTime() > now) {
          return { found: true, busy: true, deliveryId: String(existing.id) };
        }
        await trx
          .updateTable('webhookDeliveries')
          .set({
            state: 'pending',
            attempts: 0,
            nextAttemptAt: new Date(now),
            lockedUntil: null,
            firstAttemptAt: null,
            deliveredAt: null,
          })
          .where('id', '=', existing.id)
          .execute();
        return { found: true, busy: false, deliveryId: String(existing.id) };
      }
      const row = await trx
        .insertInto('webhookDeliveries')
        .values({
          endpointId,
          companyId: event.companyId,
          eventId,
          seq: event.seq as string,
          orderingKey: event.subjectId,
          nextAttemptAt: new Date(now),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { found: true, busy: false, deliveryId: String(row.id) };
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

function attemptRow(delivery: ClaimedDelivery, outcome: WebhookAttemptOutcome, instance: string, now: number) {
  return {
    deliveryId: delivery.id,
    endpointId: delivery.endpointId,
    companyId: delivery.companyId,
    attempt: delivery.attempt,
    statusCode: outcome.statusCode,
    latencyMs: Math.max(0, Math.round(outcome.latencyMs)),
    error: outcome.error === null ? null : outcome.error.slice(0, MAX_ERROR_CHARS),
    responseSnippet: outcome.responseSnippet,
    gatewayInstance: instance,
    createdAt: new Date(now),
  };
}

function toEndpoint(row: Selectable<WebhookEndpointTable>): WebhookEndpoint {
  return {
    id: row.id,
    companyId: row.companyId,
    branchId: row.branchId,
    url: row.url,
    description: row.description,
    events: row.events,
    secret: row.secret,
    previousSecret: row.previousSecret,
    previousSecretUntil: row.previousSecretUntil,
    status: row.status as WebhookEndpointStatus,
    disabledReason: row.disabledReason,
    consecutiveFailures: row.consecutiveFailures,
    failingSince: row.failingSince,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
