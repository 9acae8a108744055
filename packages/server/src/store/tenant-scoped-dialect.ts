import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type TransactionSettings,
} from 'kysely';
import { currentTenantScope, type TenantScope, trackTenantScopes } from '../core/tenant-scope.js';

/** The setting the row-level security policies read (migration 007). */
export const TENANT_SETTING = 'printermaster.company_id';

/** The value of `TENANT_SETTING` for a scope: a company id, `*` for every company, empty for none. */
export function tenantSettingValue(scope: TenantScope): string {
  if (scope.kind === 'company') return scope.companyId;
  return scope.kind === 'gateway' ? '*' : '';
}

const SET_TENANT = `select set_config('${TENANT_SETTING}', $1, false)`;
const BYPASSES_RLS = 'select rolsuper or rolbypassrls as bypass from pg_roles where rolname = current_user';

/**
 * Wraps a PostgreSQL dialect so that every connection, when it is handed out, carries the
 * scope of the work that asked for it (decision 0007). The setting is kept per connection and
 * changed only when the scope differs from the last one it carried, which costs one round trip.
 * It is a session setting, so the connection must be the gateway's alone between hand-outs:
 * a pooler in front of PostgreSQL has to run in session mode (as LISTEN already requires).
 * A role that bypasses row-level security (a superuser) skips all this: the policies would
 * change nothing for it.
 */
export class TenantScopedDialect implements Dialect {
  constructor(private readonly inner: Dialect) {}

  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }
  createDriver(): Driver {
    return new TenantScopedDriver(this.inner.createDriver());
  }
  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature takes Kysely<any>.
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}

class TenantScopedDriver implements Driver {
  /** The setting each connection carries; a connection not in here has an unknown one. */
  private readonly settings = new WeakMap<DatabaseConnection, string>();
  /** Whether the connected role is subject to row-level security; asked on the first connection. */
  private enforced: boolean | undefined;
  private asking: Promise<boolean> | undefined;

  readonly savepoint?: Driver['savepoint'];
  readonly rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  readonly releaseSavepoint?: Driver['releaseSavepoint'];

  constructor(private readonly inner: Driver) {
    // Offered only when the wrapped driver offers them: Kysely tells a missing one from a no-op.
    this.savepoint = inner.savepoint?.bind(inner);
    this.rollbackToSavepoint = inner.rollbackToSavepoint?.bind(inner);
    this.releaseSavepoint = inner.releaseSavepoint?.bind(inner);
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    // A role the policies do not apply to costs nothing more than a check per query.
    if (this.enforced === false) return connection;
    try {
      if (this.enforced === undefined && !(await this.askEnforced(connection))) return connection;
      const wanted = tenantSettingValue(currentTenantScope());
      if (this.settings.get(connection) === wanted) return connection;
      // Unknown until the server has answered: a failure leaves the connection's setting unknown.
      this.settings.delete(connection);
      await connection.executeQuery(CompiledQuery.raw(SET_TENANT, [wanted]));
      this.settings.set(connection, wanted);
      return connection;
    } catch (err) {
      await this.inner.releaseConnection(connection);
      throw err;
    }
  }

  private askEnforced(connection: DatabaseConnection): Promise<boolean> {
    this.asking ??= (async () => {
      try {
        const { rows } = await connection.executeQuery<{ bypass: boolean }>(CompiledQuery.raw(BYPASSES_RLS));
        this.enforced = rows[0]?.bypass === false;
        if (this.enforced) trackTenantScopes();
        return this.enforced;
      } finally {
        // Asked again on the next connection if this failed (the server may have been unreachable).
        this.asking = undefined;
      }
    })();
    return this.asking;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
