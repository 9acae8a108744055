import { claimedDeliveryRequest } from './claimed-delivery-request.js';
import type { Clock, Timer } from './clock.js';
import type { CoreEvents } from './core-events.js';
import { disableFailingWebhookEndpoint } from './disable-failing-webhook-endpoint.js';
import type { AuditLog } from './ports/audit-log.js';
import type { Logger } from './ports/logger.js';
import type { WebhookSender } from './ports/webhook-sender.js';
import type { ClaimedDelivery, WebhookAttemptOutcome, WebhookStore } from './ports/webhook-store.js';
import { runAsGateway } from './tenant-scope.js';
import { isDelivered } from './webhook-request.js';
import { planAfterFailure, shouldDisable, type WebhookRetrySettings } from './webhook-retry-policy.js';
import { WebhookSuccessBatch } from './webhook-success-batch.js';

/** Shortest time between two claims of one process when woken, ms (see untilNextClaim). */
const MIN_CLAIM_GAP_MS = 100;

/** How the worker runs. Times in ms. */
export interface WebhookWorkerSettings extends WebhookRetrySettings {
  /** This process, in the delivery log. */
  instanceId: string;
  /** The gateway's version, in the User-Agent. */
  version: string;
  /** Time between two looks for due deliveries when there was nothing to do. */
  pollIntervalMs: number;
  /** Deliveries in flight at once on this process. */
  concurrency: number;
  /** Deliveries in flight at once per endpoint on this process. */
  endpointConcurrency: number;
  /** The sender's timeout; the lease of a claim is derived from it. */
  timeoutMs: number;
}

export interface WebhookDeliveryWorkerDeps {
  store: WebhookStore;
  sender: WebhookSender;
  audit: AuditLog;
  events: CoreEvents;
  clock: Clock;
  logger: Logger;
  settings: WebhookWorkerSettings;
  /** Jitter of the retries; in [0, 1). */
  random?: () => number;
}

/** Deliveries claimed by this process for one endpoint: those being sent and those waiting for a slot. */
interface EndpointLane {
  active: number;
  waiting: ClaimedDelivery[];
}

/**
 * Delivers the webhook deliveries that are due, from any process: claims them with a lease
 * (`FOR UPDATE SKIP LOCKED`, so that one process sends each), signs and sends each one, then
 * records the attempt: delivered, or retried later with backoff, or given up after the retry
 * window. An endpoint that keeps failing (a run long in both count and time) is disabled, with an
 * error log, a metric and the audit entry `webhook.disabled`.
 *
 * At least once: a process that dies mid-send leaves the lease to expire, and another process
 * sends the delivery again.
 */
export class WebhookDeliveryWorker {
  private readonly store: WebhookStore;
  private readonly sender: WebhookSender;
  private readonly audit: AuditLog;
  private readonly events: CoreEvents;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly settings: WebhookWorkerSettings;
  private readonly random: () => number;
  private readonly lanes = new Map<string, EndpointLane>();
  private readonly sending = new Set<Promise<void>>();
  private claimed = 0;
  private timer: Timer | undefined;
  private timerDue = 0;
  /** When the last claim started, Unix ms. */
  private lastClaimAt = Number.NEGATIVE_INFINITY;
  private ticking: Promise<void> | undefined;
  private again = false;
  /** Polling (start() called, stop() not). */
  private polling = false;
  /** stop() called: nothing more is claimed or started. */
  private closed = false;
  /** The last claim may have left due deliveries behind (a full batch, endpoints at their limit). */
  private backlog = false;
  /** Successes waiting for the next group write (see recordSuccess). */
  private readonly successes: WebhookSuccessBatch;

  constructor(deps: WebhookDeliveryWorkerDeps) {
    ({ store: this.store, sender: this.sender, audit: this.audit, events: this.events } = deps);
    ({ clock: this.clock, logger: this.logger, settings: this.settings } = deps);
    this.random = deps.random ?? Math.random;
    this.successes = new WebhookSuccessBatch(this.store, this.settings.instanceId, () => this.clock.now());
  }

  /**
   * How long a claim holds a delivery: the longest a claimed delivery may wait for its endpoint's
   * slot and then be sent, with a margin. Another process sends it again only after this.
   */
  get leaseMs(): number {
    const { concurrency, endpointConcurrency, timeoutMs } = this.settings;
    return timeoutMs * Math.ceil(concurrency / endpointConcurrency) + 30_000;
  }

  /** Deliveries claimed by this process and not yet recorded. */
  get inFlight(): number {
    return this.claimed;
  }

  /** Starts polling for due deliveries. */
  start(): void {
    if (this.polling || this.closed) return;
    this.polling = true;
    this.arm(0);
  }

  /** Looks for due deliveries now (new ones were just made), instead of at the next poll. */
  wake(): void {
    if (!this.polling) return;
    if (this.ticking) this.again = true;
    else this.arm(this.untilNextClaim());
  }

  /**
   * Wake-ups come with every batch of events and every freed slot: claims at most every
   * MIN_CLAIM_GAP_MS gather them, since each claim is a statement of its own (on the embedded
   * store, one that every other write waits for).
   */
  private untilNextClaim(): number {
    return Math.max(0, this.lastClaimAt + Math.min(MIN_CLAIM_GAP_MS, this.settings.pollIntervalMs) - this.clock.now());
  }

  /**
   * Stops claiming and waits for the deliveries being sent; those still waiting for their
   * endpoint's slot are given back at once, due immediately for any process.
   */
  async stop(): Promise<void> {
    this.polling = false;
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.ticking;
    // No claim is coming to take the successes along: they are written now (and any later at once).
    void this.successes.flush();
    const waiting = [...this.lanes.values()].flatMap((lane) => lane.waiting.splice(0));
    this.claimed -= waiting.length;
    await Promise.all(
      waiting.map((d) =>
        runAsGateway(() => this.store.release(d)).catch((err: unknown) =>
          this.logger.warn({ err, deliveryId: d.id }, 'webhook delivery not released'),
        ),
      ),
    );
    await Promise.all([...this.sending]);
  }

  /**
   * Claims what is due now (within this process's free slots) and sends it; resolves when every
   * delivery it claimed has been recorded. The number claimed. For tests and benchmarks; the
   * running worker polls on its own.
   */
  async runOnce(): Promise<number> {
    const started = await this.claimAndStart();
    // Those waiting for their endpoint's slot start as others end: wait for them too.
    while (this.sending.size > 0) await Promise.all([...this.sending]);
    return started;
  }

  private arm(delayMs: number): void {
    const due = this.clock.now() + delayMs;
    // A claim already due sooner stays as it is.
    if (this.timer && this.timerDue <= due) return;
    this.timer?.cancel();
    this.timerDue = due;
    this.timer = this.clock.setTimer(delayMs, () => {
      this.timer = undefined;
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        if (!this.polling) return;
        const more = this.again;
        this.again = false;
        this.arm(more ? this.untilNextClaim() : this.settings.pollIntervalMs);
      });
    });
  }

  private async tick(): Promise<void> {
    try {
      // The successes first: their deliveries' next events (a job's next step) become claimable
      // in the claim that follows.
      await this.successes.flush();
      await this.claimAndStart();
    } catch (err) {
      this.logger.error({ err }, 'claiming webhook deliveries failed');
    }
  }

  private async claimAndStart(): Promise<number> {
    const limit = this.settings.concurrency - this.claimed;
    if (limit <= 0 || this.closed) return 0;
    const excludeEndpointIds = [...this.lanes]
      .filter(([, lane]) => lane.active + lane.waiting.length >= this.settings.endpointConcurrency)
      .map(([id]) => id);
    const now = this.clock.now();
    this.lastClaimAt = now;
    const deliveries = await runAsGateway(() =>
      this.store.claimDue({ now, limit, leaseMs: this.leaseMs, excludeEndpointIds }),
    );
    this.claimed += deliveries.length;
    this.backlog = deliveries.length === limit || excludeEndpointIds.length > 0;
    for (const delivery of deliveries) {
      const lane = this.lanes.get(delivery.endpointId) ?? { active: 0, waiting: [] };
      this.lanes.set(delivery.endpointId, lane);
      lane.waiting.push(delivery);
      this.pump(delivery.endpointId, lane);
    }
    return deliveries.length;
  }

  /** Starts the endpoint's waiting deliveries while it has free slots. */
  private pump(endpointId: string, lane: EndpointLane): void {
    while (!this.closed && lane.active < this.settings.endpointConcurrency && lane.waiting.length > 0) {
      const delivery = lane.waiting.shift() as ClaimedDelivery;
      lane.active += 1;
      const run = runAsGateway(() => this.deliver(delivery))
        .catch((err: unknown) =>
          // The lease runs out and another attempt follows: at least once.
          this.logger.error({ err, deliveryId: delivery.id, endpointId }, 'recording a webhook attempt failed'),
        )
        .finally(() => {
          this.sending.delete(run);
          this.claimed -= 1;
          lane.active -= 1;
          if (lane.active === 0 && lane.waiting.length === 0) this.lanes.delete(endpointId);
          else this.pump(endpointId, lane);
          // A slot is free: what the last claim left behind may be claimed now.
          if (this.backlog) this.wake();
        });
      this.sending.add(run);
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const request = claimedDeliveryRequest(delivery, this.settings.version, this.clock.now());
    const response = await this.sender.send(request);
    const now = this.clock.now();
    const fields = { deliveryId: delivery.id, endpointId: delivery.endpointId, eventId: delivery.event.id };
    if (isDelivered(response.statusCode)) {
      if (!(await this.recordSuccess(delivery, response))) return this.notRecorded(delivery);
      this.events.emit('webhookDelivery', 'delivered', response.latencyMs, now - delivery.eventCreatedAt);
      this.logger.debug({ ...fields, attempt: delivery.attempt, statusCode: response.statusCode }, 'webhook delivered');
      return;
    }
    const plan = planAfterFailure(this.settings, delivery.attempt, delivery.firstAttemptAt, now, this.random);
    const run = await this.store.recordFailure(delivery, response, plan, this.settings.instanceId, now);
    if (!run) return this.notRecorded(delivery);
    const gaveUp = 'giveUp' in plan;
    this.events.emit('webhookDelivery', gaveUp ? 'failed' : 'retry', response.latencyMs, undefined);
    const failure = { ...fields, attempt: delivery.attempt, statusCode: response.statusCode, error: response.error };
    if (gaveUp) this.logger.warn(failure, 'webhook delivery given up');
    else this.logger.info({ ...failure, retryInMs: plan.retryAt - now }, 'webhook attempt failed');
    if (!shouldDisable(this.settings, run, now)) return;
    const { store, audit, events, logger } = this;
    await disableFailingWebhookEndpoint({ store, audit, events, logger }, delivery, run, now);
  }

  /**
   * The attempt's outcome was not written: the delivery is gone (its endpoint was deleted) or no
   * longer this claim's (the lease ran out and another claim took it, or it was redelivered). The
   * one that holds it now records its own attempts; this one is dropped, and not counted.
   */
  private notRecorded(delivery: ClaimedDelivery): void {
    this.logger.info(
      { deliveryId: delivery.id, endpointId: delivery.endpointId, attempt: delivery.attempt },
      'webhook attempt not recorded: delivery no longer held',
    );
  }

  /**
   * Records a success together with the others that end before the next claim (group commit,
   * WebhookSuccessBatch), written by the next claim's tick just before it claims (woken claims
   * come at most every MIN_CLAIM_GAP_MS). Outside polling (runOnce, after stop) it is written at
   * once. False when it was not written (see WebhookSuccessBatch.add).
   */
  private recordSuccess(delivery: ClaimedDelivery, outcome: WebhookAttemptOutcome): Promise<boolean> {
    const written = this.successes.add(delivery, outcome);
    if (this.polling) this.wake();
    else void this.successes.flush();
    return written;
  }
}
