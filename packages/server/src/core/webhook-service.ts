import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import type { AuditLog } from './ports/audit-log.js';
import type { TenantStore } from './ports/tenant-store.js';
import type { WebhookResponse, WebhookSender, WebhookUrlChecker } from './ports/webhook-sender.js';
import type {
  WebhookDeliveryState,
  WebhookDeliveryView,
  WebhookEndpoint,
  WebhookEndpointChanges,
  WebhookStore,
} from './ports/webhook-store.js';
import { originOf, requireRole, type UserPrincipal } from './principal.js';
import {
  mayReadWebhookEndpoint,
  placeOfNewWebhookEndpoint,
  WEBHOOK_READ_ROLES as READ_ROLES,
  WEBHOOK_WRITE_ROLES as WRITE_ROLES,
} from './webhook-endpoint-access.js';
import { checkEventPatterns } from './webhook-event-patterns.js';
import { isDelivered, webhookRequest } from './webhook-request.js';

/** The overlap of a rotation: the previous secret still signs this long by default, and at most this long. Ms. */
export const DEFAULT_ROTATION_OVERLAP_MS = 24 * 3_600_000;
export const MAX_ROTATION_OVERLAP_MS = 7 * 24 * 3_600_000;

export interface WebhookServiceDeps {
  store: WebhookStore;
  tenants: Pick<TenantStore, 'findCompany' | 'findBranch'>;
  audit: AuditLog;
  urls: WebhookUrlChecker;
  sender: WebhookSender;
  clock: Clock;
  /** The gateway's version, in the User-Agent of pings. */
  version: string;
}

export interface NewEndpointRequest {
  url: string;
  events: string[];
  /** Required of a super admin without `branchId`; anyone else's is their own. */
  companyId?: string;
  branchId?: string;
  description?: string;
}

/** A ping's outcome, as the caller sees it. */
export interface PingOutcome extends WebhookResponse {
  delivered: boolean;
  eventId: string;
}

/** A new secret, `whsec_` and 32 random bytes in base64url. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * Webhook endpoints of a company: registration (URL checked against internal targets), event
 * filters, secrets and their rotation, enabling after a disable, the delivery log, redelivery
 * and test pings. Company owners manage their company's endpoints, super admins any; branch
 * managers read those of their branch; cashiers nothing. Every change is audited.
 */
export class WebhookService {
  private readonly store: WebhookStore;
  private readonly tenants: WebhookServiceDeps['tenants'];
  private readonly audit: AuditLog;
  private readonly urls: WebhookUrlChecker;
  private readonly sender: WebhookSender;
  private readonly clock: Clock;
  private readonly version: string;

  constructor(deps: WebhookServiceDeps) {
    ({ store: this.store, tenants: this.tenants, audit: this.audit, urls: this.urls } = deps);
    ({ sender: this.sender, clock: this.clock, version: this.version } = deps);
  }

  /** Registers an endpoint; the answer carries its secret, which is never shown again. */
  async create(
    user: UserPrincipal,
    request: NewEndpointRequest,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    requireRole(user, WRITE_ROLES);
    const { companyId, branchId } = await placeOfNewWebhookEndpoint(this.tenants, user, request);
    const events = checkEventPatterns(request.events);
    const url = await this.urls.check(request.url);
    const secret = newSecret();
    const endpoint = await this.store.insertEndpoint({
      id: `whe_${randomUUID().replaceAll('-', '')}`,
      companyId,
      branchId,
      url,
      description: request.description ?? null,
      events,
      secret,
    });
    await this.record(user, endpoint, 'webhook.created', { url, events, branchId });
    return { endpoint, secret };
  }

  /** The endpoints `user` may see: a branch manager's are those of their branch. */
  list(user: UserPrincipal, filter: { companyId?: string; branchId?: string }): Promise<WebhookEndpoint[]> {
    requireRole(user, READ_ROLES);
    if (user.role === 'super_admin') return this.store.listEndpoints(filter);
    if (filter.companyId !== undefined && filter.companyId !== user.companyId) {
      throw new GatewayError('FORBIDDEN', { message: 'that company is outside your scope' });
    }
    if (user.role === 'branch_manager') {
      if (filter.branchId !== undefined && filter.branchId !== user.branchId) {
        throw new GatewayError('FORBIDDEN', { message: 'that branch is outside your scope' });
      }
      return this.store.listEndpoints({ companyId: user.companyId, branchId: user.branchId ?? '' });
    }
    return this.store.listEndpoints({ companyId: user.companyId, branchId: filter.branchId });
  }

  /** The endpoint if `user` may read it; `WEBHOOK_NOT_FOUND` otherwise (no hint that it exists elsewhere). */
  async get(user: UserPrincipal, id: string): Promise<WebhookEndpoint> {
    requireRole(user, READ_ROLES);
    const endpoint = await this.store.findEndpoint(id);
    if (!endpoint || !mayReadWebhookEndpoint(user, endpoint)) throw new GatewayError('WEBHOOK_NOT_FOUND');
    return endpoint;
  }

  async update(user: UserPrincipal, id: string, changes: WebhookEndpointChanges): Promise<WebhookEndpoint> {
    await this.writable(user, id);
    const checked: WebhookEndpointChanges = { ...changes };
    if (changes.events !== undefined) checked.events = checkEventPatterns(changes.events);
    if (changes.url !== undefined) checked.url = await this.urls.check(changes.url);
    const endpoint = await this.store.updateEndpoint(id, checked, this.clock.now());
    if (!endpoint) throw new GatewayError('WEBHOOK_NOT_FOUND');
    await this.record(user, endpoint, 'webhook.updated', { ...checked });
    return endpoint;
  }

  /** Deletes the endpoint with its pending deliveries and its log. */
  async delete(user: UserPrincipal, id: string): Promise<void> {
    const endpoint = await this.writable(user, id);
    if (!(await this.store.deleteEndpoint(id))) throw new GatewayError('WEBHOOK_NOT_FOUND');
    await this.record(user, endpoint, 'webhook.deleted', { url: endpoint.url });
  }

  /**
   * A new secret, shown once; the previous one keeps signing (a second `v1`) for `overlapMs`
   * (default 24 h, at most 7 days, 0 to stop it at once), so receivers can switch without a gap.
   */
  async rotateSecret(
    user: UserPrincipal,
    id: string,
    overlapMs = DEFAULT_ROTATION_OVERLAP_MS,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    await this.writable(user, id);
    if (!(overlapMs >= 0 && overlapMs <= MAX_ROTATION_OVERLAP_MS)) {
      throw new GatewayError('BAD_REQUEST', {
        message: `the overlap must be from 0 to ${MAX_ROTATION_OVERLAP_MS / 1000} seconds`,
        details: { path: '/overlapSeconds' },
      });
    }
    const now = this.clock.now();
    const secret = newSecret();
    const endpoint = await this.store.rotateSecret(id, secret, now + overlapMs, now);
    if (!endpoint) throw new GatewayError('WEBHOOK_NOT_FOUND');
    await this.record(user, endpoint, 'webhook.secret_rotated', {
      previousSecretUntil: new Date(now + overlapMs).toISOString(),
    });
    return { endpoint, secret };
  }

  /** Enables a disabled endpoint: its run of failures is forgotten and its pending deliveries are due at once. */
  async enable(user: UserPrincipal, id: string): Promise<WebhookEndpoint> {
    const before = await this.writable(user, id);
    const changed = await this.store.enableEndpoint(id, this.clock.now());
    if (changed) await this.record(user, before, 'webhook.enabled', { disabledReason: before.disabledReason });
    return this.get(user, id);
  }

  /** Stops deliveries to the endpoint; its events still get deliveries made, kept pending until it is enabled. */
  async disable(user: UserPrincipal, id: string): Promise<WebhookEndpoint> {
    const before = await this.writable(user, id);
    const reason = `disabled by user:${user.userId}`;
    const changed = await this.store.disableEndpoint(id, reason, this.clock.now());
    if (changed) await this.audit.record(this.entry(user, before, 'webhook.disabled', { reason }));
    return this.get(user, id);
  }

  /** The delivery log: the endpoint's deliveries, newest first, each with its attempts. */
  async deliveries(
    user: UserPrincipal,
    id: string,
    options: { cursor?: string; limit: number; state?: WebhookDeliveryState },
  ): Promise<{ deliveries: WebhookDeliveryView[]; nextCursor: string | null }> {
    await this.get(user, id);
    const deliveries = await this.store.listDeliveries(id, {
      before: options.cursor,
      limit: options.limit,
      state: options.state,
    });
    const last = deliveries.at(-1);
    return { deliveries, nextCursor: deliveries.length === options.limit && last ? last.id : null };
  }

  /**
   * Sends an event again: a delivery of the endpoint (by its id) or any event of the endpoint's
   * company (by its id, with or without a delivery yet) becomes pending and due now. An event
   * the endpoint's filter does not match (now: it may have changed since) is refused,
   * `BAD_REQUEST` with its type and the filter: the filter says what the receiver takes.
   */
  async redeliver(
    user: UserPrincipal,
    id: string,
    target: { deliveryId: string } | { eventId: string },
  ): Promise<{ deliveryId: string; eventId: string }> {
    const endpoint = await this.writable(user, id);
    const eventId = 'eventId' in target ? target.eventId : await this.store.findDeliveryEventId(id, target.deliveryId);
    if (eventId === undefined || !/^\d{1,18}$/.test(eventId)) throw new GatewayError('WEBHOOK_DELIVERY_NOT_FOUND');
    const outcome = await this.store.redeliverEvent(id, eventId, this.clock.now());
    if (outcome.status === 'not_found') throw new GatewayError('WEBHOOK_DELIVERY_NOT_FOUND');
    if (outcome.status === 'busy') {
      throw new GatewayError('CONFLICT', { message: 'an attempt of this delivery is in flight; try again shortly' });
    }
    if (outcome.status === 'filtered') {
      throw new GatewayError('BAD_REQUEST', {
        message: `the endpoint's event filter does not match ${outcome.eventType}: add it to the filter to send it`,
        details: {
          ...('eventId' in target ? { path: '/eventId' } : {}),
          eventType: outcome.eventType,
          events: endpoint.events,
        },
      });
    }
    await this.record(user, endpoint, 'webhook.redelivered', { eventId, deliveryId: outcome.deliveryId });
    return { deliveryId: outcome.deliveryId, eventId };
  }

  /**
   * Sends a `webhook.ping` event to the endpoint now, signed like any delivery (even when the
   * endpoint is disabled, to check it before enabling it), and answers with what came of it. A
   * ping is not stored and not retried.
   */
  async ping(user: UserPrincipal, id: string): Promise<PingOutcome> {
    const endpoint = await this.writable(user, id);
    const now = this.clock.now();
    const eventId = `evt_ping_${randomUUID().replaceAll('-', '')}`;
    const request = webhookRequest(
      endpoint,
      {
        id: eventId,
        seq: null,
        type: 'webhook.ping',
        createdAt: new Date(now).toISOString(),
        companyId: endpoint.companyId,
        branchId: endpoint.branchId,
        data: { endpointId: endpoint.id },
      },
      { deliveryId: 'ping', attempt: 1, version: this.version },
      now,
    );
    const response = await this.sender.send(request);
    return { ...response, delivered: isDelivered(response.statusCode), eventId };
  }

  /** The endpoint if `user` may change it: `WEBHOOK_NOT_FOUND` if they may not see it, `FORBIDDEN` if only read it. */
  private async writable(user: UserPrincipal, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.get(user, id);
    requireRole(user, WRITE_ROLES);
    return endpoint;
  }

  private record(
    user: UserPrincipal,
    endpoint: WebhookEndpoint,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(this.entry(user, endpoint, action, details));
  }

  private entry(user: UserPrincipal, endpoint: WebhookEndpoint, action: string, details: Record<string, unknown>) {
    return {
      companyId: endpoint.companyId,
      actor: `user:${user.userId}`,
      action,
      targetType: 'webhook_endpoint',
      targetId: endpoint.id,
      details,
      ...originOf(user),
    };
  }
}
