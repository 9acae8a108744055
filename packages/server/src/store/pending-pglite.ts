import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, sql } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import { DataDirLock } from './data-dir-lock.js';
import type { Database } from './database.js';
import type { DatabaseSchema } from './database-schema.js';
import { PGLITE_BYTEA_TYPES } from './pglite-bytea.js';
import { PgliteDialect } from './pglite-dialect.js';
import { preloadedPgliteOptions } from './pglite-preload.js';
import { queryWatch, timed } from './query-watch.js';
import { StoreOwnership } from './store-ownership.js';
import { seedOptions } from './store-seed.js';
import { translatingDialect } from './translating-dialect.js';

/** The embedded store before it is open: see `pendingPglite`. */
export interface PendingDatabase {
  /** The store, to build on now; its statements wait until `open` has finished (and fail if it failed). */
  readonly database: Database;
  /**
   * Takes the data directory's lock (waiting up to the lock wait), starts PGlite, and runs `setUp`
   * (the migrations) on it before any statement of `database`. On failure, close `database`.
   */
  open(setUp: (database: Database) => Promise<void>): Promise<void>;
}

/**
 * The embedded store as a handle that can be built on before the data directory is opened: the
 * stores, the services and the HTTP edge only keep it until they start. A successor taking the store
 * over from the old process (decision 0010) builds all that first, and opens the store only once the
 * old process has let go, so that what it does meanwhile, holding every request, is short.
 */
export function pendingPglite(
  dataDir: string,
  lockWaitMs: number,
  onPhase: (phase: string) => void = () => {},
  /** A backup a new store starts from (PRINTERMASTER_STORE_SEED): in memory, or when `dataDir` has no store yet. */
  seed?: string,
): PendingDatabase {
  let lock: DataDirLock | undefined;
  let pglite: PGlite | undefined;
  let ownership: StoreOwnership | undefined;
  let ownershipChecks: NodeJS.Timeout | undefined;
  let opening: Promise<void> | undefined;
  const starting = deferred<PGlite>();
  const ready = deferred<void>();
  const dialect = new PgliteDialect(starting.promise);
  const queries = queryWatch();
  const db = new Kysely<DatabaseSchema>({
    // Once the store's files were replaced under this process, no new statement reaches them (one under way finishes).
    dialect: translatingDialect(
      dialect.after(ready.promise, () => (ownership?.replaced ? storeReplaced(dataDir) : undefined)),
    ),
    plugins: [new CamelCasePlugin()],
    log: queries.log,
  });
  const database: Database = {
    kind: 'pglite',
    db,
    description: dataDir === 'memory' ? 'pglite (in memory)' : `pglite ${dataDir}`,
    ping: () => timed(() => sql`select 1`.execute(db)),
    watchQueries: queries.watch,
    // In process: a notification cannot be missed, so the listener is live from the start.
    listen: async (channel, onMessage, onLive) => {
      await ready.promise;
      const open = await starting.promise;
      const unlisten = await open.listen(channel, onMessage);
      onLive(true);
      return () => (open.closed ? Promise.resolve() : unlisten());
    },
    // Holding the driver's one connection keeps every other query out while the files are copied.
    backup: () =>
      db.connection().execute(async (): Promise<Uint8Array> => {
        const open = await starting.promise;
        return new Uint8Array(await (await open.dumpDataDir('gzip')).arrayBuffer());
      }),
    close: async () => {
      // An opening under way is let finish first: the lock must not go while PGlite still starts on the directory.
      await opening?.catch(() => {});
      clearInterval(ownershipChecks);
      // Files unpacked over the open store (a rollback that restored the checkout, store included):
      // closing PGlite (here or through the driver) would write this process's checkpoint into them
      // and leave a store that cannot open. The process is ending: it lets go without closing.
      const replaced = ownership?.check() === true;
      if (!replaced) {
        // A Kysely whose first statement waited for a failed opening fails its destroy too: nothing to end.
        await db.destroy().catch(() => {});
        if (pglite && !pglite.closed) await pglite.close();
      }
      lock?.release();
      if (replaced) throw storeReplaced(dataDir);
    },
  };
  return {
    database,
    open(setUpWith) {
      opening ??= (async () => {
        try {
          lock = dataDir === 'memory' ? undefined : await DataDirLock.acquireWaiting(dataDir, lockWaitMs);
          onPhase('lock');
          const options = {
            ...PGLITE_BYTEA_TYPES,
            ...(await preloadedPgliteOptions()),
            ...(seed === undefined ? {} : await seedOptions(dataDir, seed)),
          };
          pglite = dataDir === 'memory' ? new PGlite(options) : new PGlite(`${dataDir}/pgdata`, options);
          await pglite.waitReady;
          if (dataDir !== 'memory') {
            const owned = new StoreOwnership(`${dataDir}/pgdata`);
            ownership = owned;
            ownershipChecks = setInterval(() => owned.check(), OWNERSHIP_CHECK_MS).unref();
          }
          starting.resolve(pglite);
          onPhase('pglite');
          // The same connection and queue, without the wait: only `setUp` uses it.
          const first = new Kysely<DatabaseSchema>({
            dialect: translatingDialect(dialect),
            plugins: [new CamelCasePlugin()],
          });
          await setUpWith({ ...database, db: first });
          ready.resolve();
        } catch (err) {
          starting.reject(err);
          ready.reject(err);
          throw err;
        }
      })();
      return opening;
    },
  };
}

/** The error of every statement, and of the close, once the store's files were replaced under this process. */
function storeReplaced(dataDir: string): GatewayError {
  return new GatewayError('SERVICE_UNAVAILABLE', {
    message:
      `the embedded store's files in ${dataDir} were replaced while this process had them open (unpacked from an ` +
      'archive?): it no longer reads or writes them; restart the gateway to open them as they are now',
  });
}

/** How often the process holding the store rewrites and checks its file there (store-ownership.ts), ms. */
const OWNERSHIP_CHECK_MS = 5_000;

/** A promise and its settlers; its failure is reported to whoever awaits it, never as unhandled. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
