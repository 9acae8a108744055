import type { Clock } from './clock.js';
import { FeedAdmission, type FeedAdmissionDeps, type FeedLease } from './feed-admission.js';
import { GatewayError } from './gateway-error.js';
import type { EventStore, SequencedEvent } from './ports/event-store.js';
import type { TenantStore } from './ports/tenant-store.js';
import { listScope, type UserPrincipal } from './principal.js';

/**
 * One event as the feed and the webhooks send it (docs/events.md). `seq` is the feed's cursor;
 * webhooks leave it out of their bodies' contract but may carry it.
 */
export interface EventView {
  /** `evt_<events.id>`: stable, unique, the same in the feed and in webhook bodies. */
  id: string;
  /** The cursor: a decimal bigint, increasing in the order events are published. */
  seq: string;
  type: string;
  /** ISO 8601, when the change was written. */
  createdAt: string;
  companyId: string;
  branchId: string | null;
  data: Record<string, unknown>;
}

export interface EventPage {
  events: EventView[];
  /** Pass as `after` for the next page: the last event's seq, or the `after` given when empty. */
  nextCursor: string;
}

export interface EventFeedQuery {
  /** Events after this seq (a decimal bigint); `'0'` from the start. */
  after: string;
  /** At most this many (1 to MAX_FEED_PAGE). */
  limit: number;
  /** Narrows to one company (super admins) or branch; outside the caller's scope is FORBIDDEN. */
  companyId?: string;
  branchId?: string;
  /** Exact types or families (`job.*`); empty for every type. */
  types?: readonly string[];
}

/** The longest page of the feed. */
export const MAX_FEED_PAGE = 1000;

/** The feed's part of the gateway's settings (event-settings.ts). */
export interface EventFeedSettings {
  /** How often a waiting request asks the store again for other processes' events, ms. */
  feedPollIntervalMs: number;
  /** Long-polls and streams one credential may hold open at once on this process. */
  feedMaxStreams: number;
}

export interface EventFeedDeps {
  events: Pick<EventStore, 'list'>;
  /**
   * Where a `branchId` filter's company is looked up, so that a company's caller naming another
   * company's branch is FORBIDDEN rather than an empty feed. Without it, only listScope applies.
   */
  tenants?: Pick<TenantStore, 'findBranch'>;
  /** Revocation notices that end the waits and streams of a taken-back credential (FeedAdmission). */
  credentials?: Pick<FeedAdmissionDeps, 'sessions' | 'apiKeys'>;
  clock: Clock;
  options: {
    /**
     * While a caller waits, how often the store is asked again, ms: events sequenced by another
     * process wake no one here. Those of this process wake waiters at once (`sequenced`).
     */
    pollIntervalMs: number;
    /** Long-polls and streams one credential may hold open at once on this process; undefined for no cap. */
    maxStreams?: number;
  };
}

/** The event feed (`GET /printing/events`): pages of sequenced events, and waiting for the next ones. */
export class EventFeed {
  private wakers = new Set<() => void>();
  private closed = false;
  private readonly admission: FeedAdmission;

  constructor(private readonly deps: EventFeedDeps) {
    this.admission = new FeedAdmission({
      clock: deps.clock,
      maxPerCredential: deps.options.maxStreams,
      ...deps.credentials,
    });
  }

  /**
   * A slot for a long-poll or stream of `user` (`RATE_LIMIT_EXCEEDED` past the cap), whose signal
   * aborts when the credential expires or is revoked. Release it when the answer ends.
   */
  admit(user: UserPrincipal): FeedLease {
    return this.admission.admit(user);
  }

  /** A page of the caller's events after `query.after`, scoped like every listing (listScope). */
  async page(user: UserPrincipal, query: EventFeedQuery): Promise<EventPage> {
    await this.checkBranch(user, query);
    return this.read(user, query);
  }

  /**
   * FORBIDDEN for a `branchId` outside the caller's company: listScope alone would narrow the
   * listing to the caller's company and that branch, and answer an empty feed forever. A branch
   * that does not exist is refused the same way (the answer does not say which).
   */
  private async checkBranch(user: UserPrincipal, query: EventFeedQuery): Promise<void> {
    if (query.branchId === undefined || user.role === 'super_admin' || !this.deps.tenants) return;
    const branch = await this.deps.tenants.findBranch(query.branchId);
    if (!branch || branch.companyId !== user.companyId) {
      throw new GatewayError('FORBIDDEN', { message: `branch ${query.branchId} is outside your scope` });
    }
  }

  private async read(user: UserPrincipal, query: EventFeedQuery): Promise<EventPage> {
    const scope = listScope(user, { companyId: query.companyId, branchId: query.branchId });
    const rows = await this.deps.events.list({
      ...(scope.companyId !== undefined ? { companyId: scope.companyId } : {}),
      ...(scope.branchId !== undefined ? { branchId: scope.branchId } : {}),
      ...(query.types ? { types: query.types } : {}),
      afterSeq: query.after,
      limit: query.limit,
    });
    const events = rows.map(toEventView);
    return { events, nextCursor: events.at(-1)?.seq ?? query.after };
  }

  /**
   * Like `page`, but when nothing is after the cursor, waits up to `waitMs` for the first event
   * (long-poll): answers as soon as one is there, or with an empty page at the deadline, when the
   * feed closes (the gateway stops) or when `signal` aborts (the caller went away).
   */
  async wait(user: UserPrincipal, query: EventFeedQuery, waitMs: number, signal?: AbortSignal): Promise<EventPage> {
    const deadline = this.deps.clock.now() + waitMs;
    await this.checkBranch(user, query);
    for (;;) {
      const page = await this.read(user, query);
      const left = deadline - this.deps.clock.now();
      if (page.events.length > 0 || this.closed || signal?.aborted || left <= 0) return page;
      await this.nextWake(Math.min(left, this.deps.options.pollIntervalMs), signal);
    }
  }

  /** Whether the feed was closed: waits end at once, and streams should end. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Events were sequenced on this process: every waiter looks again now. */
  sequenced(): void {
    this.wakeAll();
  }

  /** Ends every wait now and every later one at once (the gateway is stopping). Idempotent. */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  private wakeAll(): void {
    const wakers = this.wakers;
    this.wakers = new Set();
    for (const wake of wakers) wake();
  }

  private nextWake(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        timer.cancel();
        signal?.removeEventListener('abort', wake);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = this.deps.clock.setTimer(ms, wake);
      this.wakers.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }
}

export function toEventView(e: SequencedEvent): EventView {
  return {
    id: `evt_${e.id}`,
    seq: e.seq,
    type: e.type,
    createdAt: e.createdAt.toISOString(),
    companyId: e.companyId,
    branchId: e.branchId,
    data: e.data,
  };
}
