import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { refusedValueError } from './pg-errors.js';

/**
 * `dialect` with its driver's errors translated at the store's edge: a value PostgreSQL
 * refuses (`refusedValueError`) becomes a `BAD_REQUEST` for every store and query alike.
 * Other errors pass through unchanged, so stores still see and map unique violations.
 */
export function translatingDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: (): DialectAdapter => dialect.createAdapter(),
    createDriver: (): Driver => new TranslatingDriver(dialect.createDriver()),
    createQueryCompiler: (): QueryCompiler => dialect.createQueryCompiler(),
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature takes Kysely<any>.
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => dialect.createIntrospector(db),
  };
}

function translated(err: unknown): never {
  throw refusedValueError(err) ?? err;
}

class TranslatingConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return this.inner.executeQuery<R>(compiled).catch(translated);
  }

  streamQuery<R>(compiled: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(compiled, chunkSize);
  }
}

/** The driver's connections, wrapped; the driver itself is always handed its own. */
class TranslatingDriver implements Driver {
  private readonly wrappers = new WeakMap<DatabaseConnection, TranslatingConnection>();

  constructor(private readonly inner: Driver) {
    if (inner.savepoint)
      this.savepoint = (c, name, compile) => inner.savepoint?.(unwrap(c), name, compile) ?? Promise.resolve();
    if (inner.rollbackToSavepoint) {
      this.rollbackToSavepoint = (c, name, compile) =>
        inner.rollbackToSavepoint?.(unwrap(c), name, compile) ?? Promise.resolve();
    }
    if (inner.releaseSavepoint) {
      this.releaseSavepoint = (c, name, compile) =>
        inner.releaseSavepoint?.(unwrap(c), name, compile) ?? Promise.resolve();
    }
  }

  savepoint?: Driver['savepoint'];
  rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  releaseSavepoint?: Driver['releaseSavepoint'];

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let wrapper = this.wrappers.get(connection);
    if (!wrapper) {
      wrapper = new TranslatingConnection(connection);
      this.wrappers.set(connection, wrapper);
    }
    return wrapper;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(unwrap(connection), settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(unwrap(connection));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(unwrap(connection));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof TranslatingConnection ? connection.inner : connection;
}
