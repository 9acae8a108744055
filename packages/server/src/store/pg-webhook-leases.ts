import { type Kysely, sql } from 'kysely';
import type {
  ClaimedDelivery,
  FailedAttemptPlan,
  WebhookAttemptOutcome,
  WebhookFailureRun,
} from '../core/ports/webhook-store.js';
import type { DatabaseSchema } from './database-schema.js';

/** A claimed delivery with its event and endpoint, as the claim returns it (camelCased by the plugin). */
interface ClaimRow {
  id: string;
  endpointId: string;
  companyId: string;
  attempts: number;
  lockedUntil: Date;
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

/**
 * The delivery worker's side of the webhook store: claims under a lease, and outcomes written
 * only while the claim still holds the delivery. A claim is named by its attempt number and its
 * lease end: claiming again counts another attempt and sets another lease end, a redelivery
 * clears the lease, and deleting the endpoint deletes the delivery; in each case the old claim's
 * outcome matches no row and is skipped, without failing the others written with it.
 *
 * The outcome statements lock the endpoints first (FOR KEY SHARE, which other processes' counter
 * updates do not wait for): deleting an endpoint locks it and then its deliveries, so taking the
 * same order lets a deletion wait for the statement, or the statement for it, never both.
 */
export class PgWebhookLeases {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

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
    // it after this transaction commits. A disabled endpoint's deliveries wait for it to be enabled.
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
      RETURNING w.id, w.endpoint_id, w.company_id, w.attempts, w.locked_until, w.first_attempt_at,
        w.next_attempt_at, v.id AS event_id, v.seq, v.type, v.branch_id, v.data, v.created_at AS event_created_at,
        e.url, e.secret, e.previous_secret, e.previous_secret_until
    `.execute(this.db);
    return claimed.rows
      .sort((x, y) => x.nextAttemptAt.getTime() - y.nextAttemptAt.getTime() || Number(x.id) - Number(y.id))
      .map((r) => ({
        id: String(r.id),
        endpointId: r.endpointId,
        companyId: r.companyId,
        attempt: r.attempts,
        leasedUntil: r.lockedUntil.getTime(),
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
  ): Promise<string[]> {
    if (successes.length === 0) return [];
    const rows = successes.map((s) => attemptRow(s.delivery, s.outcome));
    const at = new Date(now);
    // One statement, atomic on its own: no BEGIN and COMMIT around several (on the embedded store
    // every statement is one the print path waits for). The attempts are logged for the
    // deliveries it marked delivered only, so a deleted one cannot fail the batch.
    const { rows: written } = await sql<{ id: string }>`
      WITH done AS (
        SELECT * FROM unnest(${rows.map((r) => r.deliveryId)}::bigint[], ${rows.map((r) => r.attempt)}::integer[],
          ${rows.map((r) => r.leasedUntil)}::timestamptz[], ${rows.map((r) => r.statusCode)}::integer[],
          ${rows.map((r) => r.latencyMs)}::integer[], ${rows.map((r) => r.error)}::text[],
          ${rows.map((r) => r.responseSnippet)}::text[])
          AS a (delivery_id, attempt, leased_until, status_code, latency_ms, error, response_snippet)
      ), endpoints AS (
        SELECT id FROM webhook_endpoints WHERE id = ANY (${[...new Set(rows.map((r) => r.endpointId))]}::text[])
        ORDER BY id FOR KEY SHARE
      ), delivered AS (
        UPDATE webhook_deliveries d SET state = 'delivered', delivered_at = ${at}, locked_until = NULL
        FROM done a
        WHERE d.id = a.delivery_id AND d.endpoint_id IN (SELECT id FROM endpoints)
          AND d.state = 'pending' AND d.attempts = a.attempt AND d.locked_until = a.leased_until
        RETURNING d.id, d.endpoint_id, d.company_id, a.attempt, a.status_code, a.latency_ms, a.error,
          a.response_snippet
      ), logged AS (
        INSERT INTO webhook_attempts (delivery_id, endpoint_id, company_id, attempt, status_code, latency_ms,
          error, response_snippet, gateway_instance, created_at)
        SELECT id, endpoint_id, company_id, attempt, status_code, latency_ms, error, response_snippet,
          ${instance}, ${at}
        FROM delivered ORDER BY id
      ), ended AS (
        -- Written only when there is a run to end: a healthy endpoint's row is not rewritten per delivery.
        UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL
        WHERE id IN (SELECT endpoint_id FROM delivered) AND (consecutive_failures > 0 OR failing_since IS NOT NULL)
      )
      SELECT id::text AS id FROM delivered
    `.execute(this.db);
    return written.map((r) => String(r.id));
  }

  async recordFailure(
    delivery: ClaimedDelivery,
    outcome: WebhookAttemptOutcome,
    plan: FailedAttemptPlan,
    instance: string,
    now: number,
  ): Promise<WebhookFailureRun | undefined> {
    const row = attemptRow(delivery, outcome);
    const at = new Date(now);
    const retryAt = 'giveUp' in plan ? null : new Date(plan.retryAt);
    const { rows } = await sql<{ consecutiveFailures: number; failingSince: Date }>`
      WITH endpoint AS (
        SELECT id FROM webhook_endpoints WHERE id = ${delivery.endpointId} FOR KEY SHARE
      ), failed AS (
        UPDATE webhook_deliveries d
        SET state = ${retryAt === null ? 'failed' : 'pending'},
          next_attempt_at = coalesce(${retryAt}::timestamptz, d.next_attempt_at), locked_until = NULL
        WHERE d.id = ${delivery.id} AND d.endpoint_id IN (SELECT id FROM endpoint)
          AND d.state = 'pending' AND d.attempts = ${row.attempt}::integer AND d.locked_until = ${row.leasedUntil}::timestamptz
        RETURNING d.id, d.endpoint_id, d.company_id
      ), logged AS (
        INSERT INTO webhook_attempts (delivery_id, endpoint_id, company_id, attempt, status_code, latency_ms,
          error, response_snippet, gateway_instance, created_at)
        SELECT id, endpoint_id, company_id, ${row.attempt}::integer, ${row.statusCode}::integer,
          ${row.latencyMs}::integer, ${row.error}::text, ${row.responseSnippet}::text, ${instance}::text,
          ${at}::timestamptz
        FROM failed
      )
      UPDATE webhook_endpoints e
      SET consecutive_failures = e.consecutive_failures + 1, failing_since = coalesce(e.failing_since, ${at}::timestamptz)
      FROM failed f WHERE e.id = f.endpoint_id
      RETURNING e.consecutive_failures, e.failing_since
    `.execute(this.db);
    const run = rows[0];
    return run && { consecutiveFailures: run.consecutiveFailures, failingSince: run.failingSince.getTime() };
  }

  async release(delivery: ClaimedDelivery): Promise<void> {
    await this.db
      .updateTable('webhookDeliveries')
      .set((eb) => ({ lockedUntil: null, attempts: eb('attempts', '-', 1) }))
      .where('id', '=', delivery.id)
      .where('state', '=', 'pending')
      .where('attempts', '=', delivery.attempt)
      .where('lockedUntil', '=', new Date(delivery.leasedUntil))
      .execute();
  }
}

/** One attempt as written, with the claim it belongs to (`attempt` and `leasedUntil`). */
function attemptRow(delivery: ClaimedDelivery, outcome: WebhookAttemptOutcome) {
  return {
    deliveryId: delivery.id,
    endpointId: delivery.endpointId,
    attempt: delivery.attempt,
    // As text: exact to the millisecond on both drivers, whatever their own timestamp encoding.
    leasedUntil: new Date(delivery.leasedUntil).toISOString(),
    statusCode: outcome.statusCode,
    latencyMs: Math.max(0, Math.round(outcome.latencyMs)),
    error: outcome.error === null ? null : outcome.error.slice(0, MAX_ERROR_CHARS),
    responseSnippet: outcome.responseSnippet,
  };
}
