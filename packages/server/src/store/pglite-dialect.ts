import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import type { PGlite } from '@electric-sql/pglite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely dialect for PGlite. PGlite is one connection, so the driver hands it out
 * to one user at a time: a transaction holds it from BEGIN to COMMIT and other
 * queries wait. Queries without parameters go through PGlite's simple-query path
 * so that multi-statement scripts (migrations) run as they do on PostgreSQL.
 */
export class PgliteDialect implements Dialect {
  private readonly driver: Driver;

  /** `pglite` may still be starting (or not yet started: the store built before it opens, decision 0010). */
  constructor(
    pglite:
      | PGlite
      | Promise<PGlite>
      | { shares: PgliteDialect; after: Promise<unknown>; refusal?: () => Error | undefined },
  ) {
    this.driver =
      'shares' in pglite
        ? new WaitingDriver(pglite.shares.driver, pglite.after, pglite.refusal)
        : new PgliteDriver(pglite);
  }

  /**
   * A dialect on the same connection, in the same queue, whose statements first wait for `gate`
   * (and fail if it fails): the store's users, while the migrations run on this one. A statement
   * fails with what `refusal` returns, when it returns an error, instead of reaching the store.
   */
  after(gate: Promise<unknown>, refusal: () => Error | undefined = () => undefined): PgliteDialect {
    return new PgliteDialect({ shares: this, after: gate, refusal });
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return this.driver;
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature takes Kysely<any>.
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/**
 * Longest stretch of queued queries run back to back before the event loop gets a turn, ms.
 * PGlite runs on the event loop: queued queries would otherwise follow one another
 * microtask after microtask, and sockets, timers and HTTP would wait for as long as the
 * queue lasts (seconds in a reconnect storm: health probes answered 10 s late, agents'
 * connects timing out).
 */
const SLICE_MS = 2;

class PgliteDriver implements Driver {
  private tail: Promise<void> = Promise.resolve();
  private readonly opening: Promise<PGlite>;
  private pglite: PGlite | undefined;
  /** Set by `init`, which Kysely runs before the first acquire. */
  private connection!: PgliteConnection;
  /** Acquirers holding or waiting for the connection. */
  private users = 0;
  private sliceStartedAt = 0;

  constructor(pglite: PGlite | Promise<PGlite>) {
    this.opening = Promise.resolve(pglite);
  }

  /** Idempotent: two Kysely instances may share the driver (`PgliteDialect.after`). */
  async init(): Promise<void> {
    const pglite = await this.opening;
    await pglite.waitReady;
    if (!this.pglite) {
      this.pglite = pglite;
      this.connection = new PgliteConnection(pglite);
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // A promise chain is the queue: each acquirer waits for the previous release.
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => {
      release = () => {
        this.users -= 1;
        resolve();
      };
    });
    const queued = this.users > 0;
    this.users += 1;
    await previous;
    if (!queued) this.sliceStartedAt = performance.now();
    else if (performance.now() - this.sliceStartedAt >= SLICE_MS) {
      // Sockets, timers and HTTP get their turn; a waiting handshake batch grows meanwhile.
      await nextLoopTurn();
      this.sliceStartedAt = performance.now();
    }
    this.connection.release = release;
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).run('BEGIN');
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).run('COMMIT');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).run('ROLLBACK');
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PgliteConnection).release?.();
  }
  async destroy(): Promise<void> {
    if (this.pglite && !this.pglite.closed) await this.pglite.close();
  }
}

/** A driver whose users wait for a gate before they reach the shared one, and are refused while `refusal` says so. */
class WaitingDriver implements Driver {
  constructor(
    private readonly shared: Driver,
    private readonly gate: Promise<unknown>,
    private readonly refusal: () => Error | undefined = () => undefined,
  ) {}

  async init(): Promise<void> {
    await this.gate;
    await this.shared.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.gate;
    const refused = this.refusal();
    if (refused) throw refused;
    return this.shared.acquireConnection();
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.shared.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.shared.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.shared.rollbackTransaction(connection);
  }
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.shared.releaseConnection(connection);
  }
  destroy(): Promise<void> {
    return this.shared.destroy();
  }
}

class PgliteConnection implements DatabaseConnection {
  release: (() => void) | undefined;

  constructor(private readonly pglite: PGlite) {}

  async run(sqlText: string): Promise<void> {
    await this.pglite.exec(sqlText);
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (compiled.parameters.length === 0) {
      const results = await this.pglite.exec(compiled.sql);
      const last = results[results.length - 1];
      return {
        rows: (last?.rows ?? []) as R[],
        numAffectedRows: last?.affectedRows === undefined ? undefined : BigInt(last.affectedRows),
      };
    }
    const result = await this.pglite.query<R>(compiled.sql, compiled.parameters as unknown[]);
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered by PGlite's API.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}
