import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../core/ports/logger.js';
import type { DatabaseSchema } from './database-schema.js';
import { pendingPglite } from './pending-pglite.js';
import { callbackQueryClient } from './pg-callback-client.js';
import { type PoolState, poolState, watchedPool } from './pg-pool-watch.js';
import { queryWatch, timed } from './query-watch.js';
import { TenantScopedDialect } from './tenant-scoped-dialect.js';
import { translatingDialect } from './translating-dialect.js';

/** Where the store lives: a PostgreSQL server, or PGlite in a directory (or in memory). */
export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      schema?: string;
      applicationName?: string;
      /** Logs the connection pool's state when it is ready, and slow waits for a connection (the gateway's). */
      logger?: Logger;
    }
  | {
      kind: 'pglite';
      dataDir: string | 'memory';
      lockWaitMs?: number;
      /** A backup file a new store starts from (`memory`, or a directory with no store yet). */
      seed?: string;
      /** Called as each step of the opening ends (`lock`, `pglite`): the gateway's start-up phases. */
      onPhase?: (phase: string) => void;
    };

/** A statement that ran: its SQL text (placeholders such as `$1`, never the values) and how long it took. */
export type QueryListener = (query: { sql: string; durationMs: number }) => void;

/** An open store database. Open it once per process; `close` ends every connection. */
export interface Database {
  readonly kind: DatabaseTarget['kind'];
  readonly db: Kysely<DatabaseSchema>;
  /** A short description for logs, without credentials. */
  readonly description: string;
  /** PostgreSQL: the schema set as search path (PRINTERMASTER_DATABASE_SCHEMA), if any. */
  readonly schema?: string;
  /** Round-trip time of `select 1`, ms. Throws when the database is unreachable. */
  ping(): Promise<number>;
  /** PostgreSQL: the connection pool's state now. `undefined` on the embedded store, which has one connection. */
  pool?(): PoolState;
  /**
   * Listens on a notification channel (`LISTEN`/`NOTIFY`): `onMessage(payload)` for each
   * notification, after the notifying transaction committed. `onLive(false)` when the
   * listening connection is lost (notifications meanwhile are missed; it reconnects with
   * backoff), `onLive(true)` once listening, the first time included. Resolves once the
   * first attempt has succeeded or failed; the returned function stops listening.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onLive: (live: boolean) => void,
  ): Promise<() => Promise<void>>;
  /**
   * A consistent copy of the embedded data directory (gzipped tar), taken while
   * no query runs. `undefined` on PostgreSQL, which is backed up with pg_dump.
   */
  backup?(): Promise<Uint8Array>;
  /** Calls `listener` after every statement (the slow-query log); `undefined` stops. One listener at a time. */
  watchQueries(listener: QueryListener | undefined): void;
  close(): Promise<void>;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres'
    ? openPostgres(target)
    : openPglite(target.dataDir, target.lockWaitMs ?? 0, target.onPhase, target.seed);
}

async function openPostgres(target: Extract<DatabaseTarget, { kind: 'postgres' }>): Promise<Database> {
  // Loaded only when used: the driver is a tenth of a second of every start of the embedded store.
  const pg = (await import('pg')).default;
  const max = target.poolSize ?? 10;
  const pool = new pg.Pool({
    // Each query's result handed over through pg's callback form (pg-callback-client.ts).
    Client: callbackQueryClient(pg.Client),
    connectionString: target.url,
    // Shown in pg_stat_activity: which gateway process holds which connections.
    ...(target.applicationName ? { application_name: target.applicationName } : {}),
    max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Tests give each file its own schema; production uses the default search path.
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // A client checked out of the pool has no listener of the pool's: its connection reset (a
  // failover, a proxy, a cut cable) between two statements of a transaction would be an
  // uncaught 'error' and end the process. The statement in flight, or the next one, fails with
  // the error instead, and the pool drops the client when it comes back.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  // Each connection carries the tenant scope of the work it serves (row-level security, decision 0007).
  const queries = queryWatch();
  const db = new Kysely<DatabaseSchema>({
    dialect: translatingDialect(
      new TenantScopedDialect(
        new PostgresDialect({ pool: target.logger ? watchedPool(pool, max, { logger: target.logger }) : pool }),
      ),
    ),
    plugins: [new CamelCasePlugin()],
    log: queries.log,
  });
  const url = new URL(target.url);
  /** Listening connections, ended with the pool. */
  const listeners = new Set<() => Promise<void>>();
  return {
    kind: 'postgres',
    db,
    description: `postgres://${url.hostname}:${url.port || 5432}${url.pathname}${target.schema ? ` (schema ${target.schema})` : ''}`,
    ...(target.schema ? { schema: target.schema } : {}),
    ping: () => timed(() => sql`select 1`.execute(db)),
    pool: () => poolState(pool, max),
    watchQueries: queries.watch,
    listen: async (channel, onMessage, onLive) => {
      const stop = await listenPostgres(target, channel, onMessage, onLive);
      listeners.add(stop);
      return async () => {
        listeners.delete(stop);
        await stop();
      };
    },
    close: async () => {
      await Promise.all([...listeners].map((stop) => stop()));
      listeners.clear();
      await db.destroy();
    },
  };
}

/** Longest wait between attempts to get a lost listening connection back, ms. */
const LISTEN_RETRY_MAX_MS = 30_000;

/**
 * A dedicated connection for `LISTEN` (a pooled one would be handed to queries and its
 * notifications lost), reconnected whenever it drops.
 */
async function listenPostgres(
  target: Extract<DatabaseTarget, { kind: 'postgres' }>,
  channel: string,
  onMessage: (payload: string) => void,
  onLive: (live: boolean) => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;
  const { Client, escapeIdentifier } = (await import('pg')).default;
  const connect = async (): Promise<void> => {
    const c = new Client({
      connectionString: target.url,
      ...(target.applicationName ? { application_name: `${target.applicationName}:listen` } : {}),
      connectionTimeoutMillis: 5_000,
    });
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      c.removeAllListeners('notification');
      c.end().catch(() => {});
      if (client === c) client = undefined;
      if (stopped) return;
      onLive(false);
      schedule();
    };
    c.on('error', onLost);
    c.on('end', onLost);
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) onMessage(n.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${escapeIdentifier(channel)}`);
    } catch {
      onLost();
      return;
    }
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    failures = 0;
    onLive(true);
  };
  const schedule = () => {
    failures += 1;
    const delay = Math.min(LISTEN_RETRY_MAX_MS, 500 * 2 ** Math.min(failures, 6));
    retry = setTimeout(() => void connect(), delay);
    retry.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

async function openPglite(
  dataDir: string,
  lockWaitMs: number,
  onPhase?: (phase: string) => void,
  seed?: string,
): Promise<Database> {
  const pending = pendingPglite(dataDir, lockWaitMs, onPhase, seed);
  try {
    await pending.open(async () => {});
  } catch (err) {
    await pending.database.close();
    throw err;
  }
  return pending.database;
}
