import type { Kysely, Selectable } from 'kysely';
import type {
  ClaimedDelivery,
  FailedAttemptPlan,
  NewWebhookEndpoint,
  RedeliveryOutcome,
  WebhookAttemptOutcome,
  WebhookDeliveryState,
  WebhookDeliveryView,
  WebhookEndpoint,
  WebhookEndpointChanges,
  WebhookEndpointStatus,
  WebhookFailureRun,
  WebhookStore,
} from '../core/ports/webhook-store.js';
import type { DatabaseSchema, WebhookEndpointTable } from './database-schema.js';
import { PgWebhookDeliveryLog } from './pg-webhook-delivery-log.js';
import { PgWebhookLeases } from './pg-webhook-leases.js';
import { HELD_UNTIL } from './webhook-held-deliveries.js';

/**
 * The webhook store: endpoints here; claims and outcomes under a lease in PgWebhookLeases, the
 * delivery log and redelivery in PgWebhookDeliveryLog.
 */
export class PgWebhookStore implements WebhookStore {
  private readonly leases: PgWebhookLeases;
  private readonly log: PgWebhookDeliveryLog;

  constructor(private readonly db: Kysely<DatabaseSchema>) {
    this.leases = new PgWebhookLeases(db);
    this.log = new PgWebhookDeliveryLog(db);
  }

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
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('webhookEndpoints')
        .set({ status: 'disabled', disabledReason: reason, updatedAt: new Date(now) })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      // Parked out of the claim's way; `enable` makes them due again.
      await trx
        .updateTable('webhookDeliveries')
        .set({ nextAttemptAt: HELD_UNTIL })
        .where('endpointId', '=', id)
        .where('state', '=', 'pending')
        .execute();
      return true;
    });
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

  claimDue(options: {
    now: number;
    limit: number;
    leaseMs: number;
    excludeEndpointIds: string[];
  }): Promise<ClaimedDelivery[]> {
    return this.leases.claimDue(options);
  }

  recordSuccesses(
    successes: readonly { delivery: ClaimedDelivery; outcome: WebhookAttemptOutcome }[],
    instance: string,
    now: number,
  ): Promise<string[]> {
    return this.leases.recordSuccesses(successes, instance, now);
  }

  recordFailure(
    delivery: ClaimedDelivery,
    outcome: WebhookAttemptOutcome,
    plan: FailedAttemptPlan,
    instance: string,
    now: number,
  ): Promise<WebhookFailureRun | undefined> {
    return this.leases.recordFailure(delivery, outcome, plan, instance, now);
  }

  release(delivery: ClaimedDelivery): Promise<void> {
    return this.leases.release(delivery);
  }

  listDeliveries(
    endpointId: string,
    options: { before?: string; limit: number; state?: WebhookDeliveryState },
  ): Promise<WebhookDeliveryView[]> {
    return this.log.listDeliveries(endpointId, options);
  }

  redeliverEvent(endpointId: string, eventId: string, now: number): Promise<RedeliveryOutcome> {
    return this.log.redeliverEvent(endpointId, eventId, now);
  }

  findDeliveryEventId(endpointId: string, deliveryId: string): Promise<string | undefined> {
    return this.log.findDeliveryEventId(endpointId, deliveryId);
  }
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
