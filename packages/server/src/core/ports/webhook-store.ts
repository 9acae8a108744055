/**
 * `active` endpoints get their deliveries sent; `disabled` ones (by a user, or after a run of
 * failures) still get deliveries made for their events, kept pending and unsent until enabled.
 */
export type WebhookEndpointStatus = 'active' | 'disabled';

/** A webhook endpoint as stored (migration 008's `webhook_endpoints`). */
export interface WebhookEndpoint {
  id: string;
  companyId: string;
  /** Only events of this branch are delivered; null for every branch of the company. */
  branchId: string | null;
  url: string;
  description: string | null;
  /** Event type patterns: `job.completed`, `job.*`, `*`, … */
  events: string[];
  /** Signs every delivery. Never logged, shown only when created or rotated. */
  secret: string;
  /** The secret before the last rotation; it signs too until `previousSecretUntil`. */
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  status: WebhookEndpointStatus;
  disabledReason: string | null;
  /** Failed attempts since the last success, over every delivery of the endpoint. */
  consecutiveFailures: number;
  /** When the current run of failures began; null after a success. */
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewWebhookEndpoint = Pick<
  WebhookEndpoint,
  'id' | 'companyId' | 'branchId' | 'url' | 'description' | 'events' | 'secret'
>;

/** What a user may change on an endpoint. */
export interface WebhookEndpointChanges {
  url?: string;
  description?: string | null;
  events?: string[];
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

/** A delivery this process holds the lease of, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  companyId: string;
  /** Attempt number of this try, from 1 (counted when claimed). */
  attempt: number;
  /**
   * When this claim's lease ends, Unix ms. With `attempt` it names the claim: the outcome is
   * recorded only while the delivery is still leased by it (see WebhookStore.recordSuccesses).
   */
  leasedUntil: number;
  /** When the first attempt was made (this one, for a first attempt). Unix ms. */
  firstAttemptAt: number;
  /** When the delivery was due, Unix ms (lag = now - this, for the first attempt: the event's creation). */
  eventCreatedAt: number;
  event: { id: string; seq: string; type: string; branchId: string | null; data: Record<string, unknown> };
  endpoint: Pick<WebhookEndpoint, 'url' | 'secret' | 'previousSecret' | 'previousSecretUntil'>;
}

/** One attempt's outcome, for the delivery log. */
export interface WebhookAttemptOutcome {
  /** The HTTP status of the answer; null when none came (refused, timeout, connection error). */
  statusCode: number | null;
  latencyMs: number;
  /** Why it failed without an answer (or a short note); null on an answer. */
  error: string | null;
  /** The start of the answer's body, at most a few KB read. */
  responseSnippet: string | null;
}

/** What a failed attempt leads to: another try at `nextAttemptAt`, or the end (`failed`). */
export type FailedAttemptPlan = { retryAt: number } | { giveUp: true };

/** An endpoint's run of failures after a failed attempt was counted. Unix ms. */
export interface WebhookFailureRun {
  consecutiveFailures: number;
  failingSince: number;
}

/**
 * What a redelivery request came to: `pending` (due now), `busy` (an attempt is in flight),
 * `not_found` (no such sequenced event of the endpoint's company, or of its branch), or
 * `filtered` (the endpoint's filter does not match the event's type: nothing was changed).
 */
export type RedeliveryOutcome =
  | { status: 'pending'; deliveryId: string }
  | { status: 'busy'; deliveryId: string }
  | { status: 'not_found' }
  | { status: 'filtered'; eventType: string };

export interface WebhookAttemptView extends WebhookAttemptOutcome {
  attempt: number;
  gatewayInstance: string;
  createdAt: Date;
}

/** A delivery as the delivery log shows it, with its attempts, oldest first. */
export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  subjectId: string;
  state: WebhookDeliveryState;
  attempts: number;
  /** When it is tried next; null once it is no longer pending, and while its endpoint is disabled. */
  nextAttemptAt: Date | null;
  firstAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  attemptLog: WebhookAttemptView[];
}

/**
 * Webhook endpoints, their deliveries and the attempts' log, in the database. Deliveries are made
 * by the event sequencer (one per matching endpoint, enabled or disabled, in the transaction that
 * sequences the event); this store claims, records and resets them. Times are Unix ms from the
 * caller's clock.
 *
 * Outcomes are written under the claim's lease: a delivery deleted meanwhile (its endpoint was)
 * or claimed again after the lease ran out (or redelivered) is not written by the old claim, so a
 * late process never overwrites the state of the one that holds the delivery now.
 */
export interface WebhookStore {
  insertEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint>;
  findEndpoint(id: string): Promise<WebhookEndpoint | undefined>;
  /** Endpoints of a company (every company when undefined), optionally only those of one branch; oldest first. */
  listEndpoints(filter: { companyId?: string; branchId?: string }): Promise<WebhookEndpoint[]>;
  /** The endpoint after the change; undefined when it does not exist. */
  updateEndpoint(id: string, changes: WebhookEndpointChanges, now: number): Promise<WebhookEndpoint | undefined>;
  /** Deletes the endpoint with its deliveries and attempts. False when it did not exist. */
  deleteEndpoint(id: string): Promise<boolean>;
  /** Makes `secret` the signing secret; the current one signs too until `previousUntil`. */
  rotateSecret(id: string, secret: string, previousUntil: number, now: number): Promise<WebhookEndpoint | undefined>;
  /**
   * Disables an active endpoint. True only for the call that disabled it (several processes may
   * try at once after a run of failures: one audits and alerts).
   */
  disableEndpoint(id: string, reason: string, now: number): Promise<boolean>;
  /**
   * Enables a disabled endpoint: its run of failures is forgotten and its pending deliveries are
   * due at once. False when it was not disabled.
   */
  enableEndpoint(id: string, now: number): Promise<boolean>;

  /**
   * Claims up to `limit` due deliveries for `leaseMs` (others skip them until then): pending, due by
   * `now`, not leased, of an active (enabled) endpoint not in `excludeEndpointIds`, and each the first pending
   * delivery of its endpoint and ordering key (so one subject's events go one at a time, in `seq`
   * order). Uses `FOR UPDATE SKIP LOCKED`: processes claiming at once never get the same delivery.
   * Counts the attempt and sets `firstAttemptAt` on the first.
   */
  claimDue(options: {
    now: number;
    limit: number;
    leaseMs: number;
    excludeEndpointIds: string[];
  }): Promise<ClaimedDelivery[]>;
  /**
   * Logs successful attempts, marks their deliveries delivered and ends their endpoints' runs of
   * failures, all in one transaction (the worker gathers the successes that end before its next
   * claim). Only deliveries still held by the claim that sent them are written (pending, same
   * attempt, same lease end; a lease that ran out counts while no other claim took the delivery);
   * the others are skipped without failing the rest. Returns the ids of those written.
   */
  recordSuccesses(
    successes: readonly { delivery: ClaimedDelivery; outcome: WebhookAttemptOutcome }[],
    instance: string,
    now: number,
  ): Promise<string[]>;
  /**
   * Logs a failed attempt, schedules the retry or gives up as `plan` says, and counts the failure
   * on the endpoint; returns the endpoint's run of failures after it. Written only while the
   * delivery is still held by this claim (as recordSuccesses); `undefined`, with nothing written,
   * when it is not.
   */
  recordFailure(
    delivery: ClaimedDelivery,
    outcome: WebhookAttemptOutcome,
    plan: FailedAttemptPlan,
    instance: string,
    now: number,
  ): Promise<WebhookFailureRun | undefined>;
  /**
   * Gives a leased delivery back unattempted (shutting down): due again at once, its attempt
   * uncounted. Does nothing when the delivery is no longer held by this claim.
   */
  release(delivery: ClaimedDelivery): Promise<void>;

  /**
   * The endpoint's deliveries, newest first, with their attempts: `before` is a delivery id (the
   * cursor); at most `limit`.
   */
  listDeliveries(
    endpointId: string,
    options: { before?: string; limit: number; state?: WebhookDeliveryState },
  ): Promise<WebhookDeliveryView[]>;
  /**
   * Makes the delivery of `eventId` to the endpoint pending and due at `now`, creating it if the
   * event never had one (a sequenced event of the endpoint's company, and of its branch for a
   * branch's endpoint, whose type the endpoint's filter matches now). Its attempts count from 0
   * again. See RedeliveryOutcome for the cases where nothing changes.
   */
  redeliverEvent(endpointId: string, eventId: string, now: number): Promise<RedeliveryOutcome>;
  /** The event id of one of the endpoint's deliveries. */
  findDeliveryEventId(endpointId: string, deliveryId: string): Promise<string | undefined>;
}
