import type { Clock } from './clock.js';
import type { EventStore, SequencedEvent } from './ports/event-store.js';
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

export interface EventFeedDeps {
  events: Pick<EventStore, 'list'>;
  clock: Clock;
  options: {
    /**
     * While a caller waits, how often the store is asked again, ms: events sequenced by another
     * process wake no one here. Those of this process wake waiters at once (`sequenced`).
     */
    pollIntervalMs: number;
  };
}

/** The event feed (`GET /printing/events`): pages of sequenced events, and waiting for the next ones. */
export class EventFeed {
  private wakers = new Set<() => void>();
  private closed = false;

  constructor(private readonly deps: EventFeedDeps) {}

  /** A page of the caller's events after `query.after`, scoped like every listing (listScope). */
  async page(user: UserPrincipal, query: EventFeedQuery): Promise<EventPage> {
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
    for (;;) {
      const page = await this.page(user, query);
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
