import type { Clock, Timer } from './clock.js';
import { GatewayError } from './gateway-error.js';

export interface PendingRequestInfo {
  correlationId: string;
  /** e.g. `printer_test`. */
  type: string;
  /** Matching key for replies that carry no correlation ID (legacy results: the printer id). */
  matchKey?: string;
  /** Unix ms. */
  createdAt: number;
  /** Unix ms after which the request times out. */
  deadline: number;
  /** Set when the agent acknowledged delivery. */
  acknowledgedAt?: number;
}

interface Entry<T> extends PendingRequestInfo {
  resolve: (value: T) => void;
  reject: (err: GatewayError) => void;
  timer: Timer;
  onTimeout?: (info: PendingRequestInfo) => T | undefined;
}

export interface PendingRequestsOptions {
  /** Most requests held at once; further ones fail with `TOO_MANY_PENDING_REQUESTS`. */
  maxPending: number;
  /** Deadlines run on its timers. */
  clock: Clock;
  /** Called when a request times out (for logs and metrics). */
  onTimeout?: (info: PendingRequestInfo) => void;
  /** Called when a reply resolves a request, with the time it took, ms (metrics). */
  onResolve?: (info: PendingRequestInfo, durationMs: number) => void;
}

/**
 * Requests waiting for an agent's reply, by correlation ID. Each has a deadline
 * enforced by its own timer; `sweep` removes whatever outlived its deadline
 * anyway (a lost timer must not leak memory) and reports how many.
 */
export class PendingRequests<T> {
  private readonly byId = new Map<string, Entry<T>>();
  private readonly byMatchKey = new Map<string, string>();

  constructor(private readonly options: PendingRequestsOptions) {}

  get size(): number {
    return this.byId.size;
  }

  /**
   * Holds a request until `resolve(correlationId)` or its deadline. At the deadline
   * the promise rejects with `TIMEOUT`, unless `onTimeout` returns a value to resolve with.
   * Throws `CONFLICT` when `matchKey` already has a pending request.
   */
  register(
    req: { correlationId: string; type: string; timeoutMs: number; matchKey?: string },
    onTimeout?: (info: PendingRequestInfo) => T | undefined,
  ): Promise<T> {
    if (this.byId.size >= this.options.maxPending) {
      throw new GatewayError('TOO_MANY_PENDING_REQUESTS', {
        details: { pending: this.byId.size, limit: this.options.maxPending },
      });
    }
    if (req.matchKey !== undefined && this.byMatchKey.has(req.matchKey)) {
      throw new GatewayError('CONFLICT', { message: 'a request for this target is already waiting for its reply' });
    }
    const now = this.options.clock.now();
    return new Promise<T>((resolve, reject) => {
      const timer = this.options.clock.setTimer(req.timeoutMs, () => this.expire(req.correlationId));
      const entry: Entry<T> = {
        correlationId: req.correlationId,
        type: req.type,
        matchKey: req.matchKey,
        createdAt: now,
        deadline: now + req.timeoutMs,
        resolve,
        reject,
        timer,
        onTimeout,
      };
      this.byId.set(req.correlationId, entry);
      if (req.matchKey !== undefined) this.byMatchKey.set(req.matchKey, req.correlationId);
    });
  }

  find(correlationId: string): PendingRequestInfo | undefined {
    const e = this.byId.get(correlationId);
    return e && info(e);
  }

  /** The correlation ID pending for `matchKey`, if any. */
  findByMatchKey(matchKey: string): string | undefined {
    return this.byMatchKey.get(matchKey);
  }

  acknowledge(correlationId: string): boolean {
    const e = this.byId.get(correlationId);
    if (!e) return false;
    e.acknowledgedAt ??= this.options.clock.now();
    return true;
  }

  /** Resolves and removes the request; false if it is unknown (late or duplicate reply). */
  resolve(correlationId: string, value: T): boolean {
    const e = this.take(correlationId);
    if (!e) return false;
    this.options.onResolve?.(info(e), this.options.clock.now() - e.createdAt);
    e.resolve(value);
    return true;
  }

  reject(correlationId: string, err: GatewayError): boolean {
    const e = this.take(correlationId);
    if (!e) return false;
    e.reject(err);
    return true;
  }

  /** Removes requests past their deadline; returns how many it removed. */
  sweep(): number {
    const now = this.options.clock.now();
    let removed = 0;
    for (const e of [...this.byId.values()]) {
      if (e.deadline <= now) {
        this.expire(e.correlationId);
        removed++;
      }
    }
    return removed;
  }

  /** Rejects everything (shutdown). */
  rejectAll(err: GatewayError): void {
    for (const id of [...this.byId.keys()]) this.reject(id, err);
  }

  list(): PendingRequestInfo[] {
    return [...this.byId.values()].map(info);
  }

  private expire(correlationId: string): void {
    const e = this.take(correlationId);
    if (!e) return;
    const snapshot = info(e);
    this.options.onTimeout?.(snapshot);
    const fallback = e.onTimeout?.(snapshot);
    if (fallback !== undefined) e.resolve(fallback);
    else e.reject(new GatewayError('TIMEOUT', { details: { correlationId, type: e.type } }));
  }

  private take(correlationId: string): Entry<T> | undefined {
    const e = this.byId.get(correlationId);
    if (!e) return undefined;
    e.timer.cancel();
    this.byId.delete(correlationId);
    if (e.matchKey !== undefined && this.byMatchKey.get(e.matchKey) === correlationId)
      this.byMatchKey.delete(e.matchKey);
    return e;
  }
}

function info(e: PendingRequestInfo): PendingRequestInfo {
  return {
    correlationId: e.correlationId,
    type: e.type,
    matchKey: e.matchKey,
    createdAt: e.createdAt,
    deadline: e.deadline,
    acknowledgedAt: e.acknowledgedAt,
  };
}
