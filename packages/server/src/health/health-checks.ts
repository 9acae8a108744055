import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isoTime } from '@printermaster/protocol';

export type CheckStatus = 'up' | 'down' | 'warning';

export interface CheckResult {
  status: CheckStatus;
  /** ms the check took (store and Redis pings). */
  responseTime?: number;
  details?: Record<string, unknown>;
  error?: string;
}

export interface HealthDeps {
  version: string;
  /** Process start, Unix ms. */
  startedAt: number;
  pingDatabase: () => Promise<number>;
  /** Round trip to Redis, ms; `undefined` when no Redis is configured. */
  pingRedis: (() => Promise<number>) | undefined;
  isWebsocketActive: () => boolean;
  isDraining: () => boolean;
  connections: () => { agents: number; webClients: number; uniqueUsers: number };
  pendingRequests: () => number;
  memoryLimitBytes: number;
  /** PostgreSQL's connection pool now; absent on the embedded store (one connection). */
  databasePool?: () => DatabasePoolState | undefined;
}

/** The store's connection pool: connections open, idle, queries waiting for one, and the most it opens. */
export interface DatabasePoolState {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  ready: boolean;
  reason?: string;
  timestamp: string;
  uptime: number;
  database: 'connected' | 'disconnected';
  websocket: 'active' | 'inactive';
  checks: Record<string, CheckResult>;
}

/** A ping that does not hang a health probe when the store is stuck. */
async function timedCheck(ping: () => Promise<number>, timeoutMs: number): Promise<CheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const ms = await Promise.race([
      ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', responseTime: Math.round(ms * 100) / 100 };
  } catch (err) {
    return { status: 'down', error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The facts behind every health endpoint. Liveness is "the process answers";
 * readiness is "store reachable, Redis reachable when configured, not draining".
 */
export class HealthChecks {
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly deps: HealthDeps) {
    this.loopDelay.enable();
  }

  close(): void {
    this.loopDelay.disable();
  }

  /** Event-loop lag over the last interval, ms (mean and p99). */
  eventLoopLag(): { meanMs: number; p99Ms: number; maxMs: number } {
    const ns = (v: number) => Math.round((Number.isFinite(v) ? v : 0) / 1e4) / 100;
    return { meanMs: ns(this.loopDelay.mean), p99Ms: ns(this.loopDelay.percentile(99)), maxMs: ns(this.loopDelay.max) };
  }

  async report(): Promise<HealthReport> {
    const [database, redis] = await Promise.all([
      timedCheck(this.deps.pingDatabase, 2_000),
      this.deps.pingRedis ? timedCheck(this.deps.pingRedis, 2_000) : Promise.resolve(undefined),
    ]);
    const websocketActive = this.deps.isWebsocketActive();
    const connections = this.deps.connections();
    const mem = process.memoryUsage();
    const memRatio = mem.rss / this.deps.memoryLimitBytes;
    const lag = this.eventLoopLag();
    const checks: Record<string, CheckResult> = {
      database,
      websocket: {
        status: websocketActive ? 'up' : 'down',
        details: {
          connectedAgents: connections.agents,
          connectedUsers: connections.uniqueUsers,
          webClients: connections.webClients,
        },
      },
      memory: {
        status: memRatio >= 0.9 ? 'down' : memRatio >= 0.8 ? 'warning' : 'up',
        details: {
          heapUsedMB: Math.round(mem.heapUsed / 1_048_576),
          heapTotalMB: Math.round(mem.heapTotal / 1_048_576),
          rssMB: Math.round(mem.rss / 1_048_576),
          limitMB: Math.round(this.deps.memoryLimitBytes / 1_048_576),
          usedPercent: Math.round(memRatio * 1000) / 10,
        },
      },
      eventLoop: { status: lag.p99Ms > 1000 ? 'down' : lag.p99Ms > 200 ? 'warning' : 'up', details: lag },
    };
    if (redis) checks.redis = redis;
    const draining = this.deps.isDraining();
    const storeDown = database.status === 'down';
    const redisDown = redis?.status === 'down';
    const ready = !storeDown && !redisDown && !draining && websocketActive;
    const status: HealthReport['status'] = storeDown
      ? 'down'
      : ready && checks.memory?.status !== 'down'
        ? 'ok'
        : 'degraded';
    return {
      status,
      ready,
      ...(ready
        ? {}
        : {
            reason: draining
              ? 'draining'
              : storeDown
                ? 'store unreachable'
                : redisDown
                  ? 'redis unreachable'
                  : 'websocket inactive',
          }),
      timestamp: isoTime(Date.now()),
      uptime: Math.round((Date.now() - this.deps.startedAt) / 1000),
      database: storeDown ? 'disconnected' : 'connected',
      websocket: websocketActive ? 'active' : 'inactive',
      checks,
    };
  }

  get version(): string {
    return this.deps.version;
  }

  connections() {
    return this.deps.connections();
  }

  pendingRequests(): number {
    return this.deps.pendingRequests();
  }

  databasePool(): DatabasePoolState | undefined {
    return this.deps.databasePool?.();
  }
}
