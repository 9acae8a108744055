import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { GatewayConfig } from '../config.js';
import type { Logger } from '../core/ports/logger.js';
import { createLogger } from '../logger.js';
import { StartupError } from '../startup-error.js';
import { type Database, openDatabase } from './database.js';
import { migrate, migrationStatus } from './migrator.js';
import { pendingPglite } from './pending-pglite.js';
import { repairSequences } from './sequence-check.js';
import type { Stores } from './stores.js';

/**
 * Opens the store and applies (embedded) or checks (PostgreSQL) migrations, then moves up any
 * sequence left behind its table (a dump restored over the live database), with a warning each.
 * `logger` defaults to one like the gateway's, on stderr. Only a caller that gives its logger (the
 * gateway) has the PostgreSQL pool's lines logged: a command's output stays its own.
 */
export async function openStore(
  config: GatewayConfig,
  gatewayLogger?: Logger,
  onPhase?: (phase: string) => void,
): Promise<Database> {
  // A command's stdout is its answer (JSON that scripts parse): its log lines go to stderr.
  const logger =
    gatewayLogger ??
    createLogger({ level: config.logLevel, instanceId: config.instanceId, destination: pino.destination(2) });
  const database = await openDatabase(
    config.database.url
      ? {
          kind: 'postgres',
          url: config.database.url,
          poolSize: config.database.poolSize,
          schema: config.database.schema,
          applicationName: `printermaster:${config.instanceId}`,
          ...(gatewayLogger ? { logger: gatewayLogger } : {}),
        }
      : {
          kind: 'pglite',
          dataDir: config.database.dataDir,
          lockWaitMs: config.database.lockWaitMs,
          ...(config.database.seed ? { seed: config.database.seed } : {}),
          ...(onPhase ? { onPhase } : {}),
        },
  );
  if (database.kind === 'postgres') onPhase?.('connect');
  try {
    await setUpStore(database, logger);
    onPhase?.('migrations');
    return database;
  } catch (err) {
    await database.close();
    throw err;
  }
}

/**
 * The store, to build the gateway on before it opens (decision 0010). On the embedded store, a
 * handle whose statements wait until `open()` has taken the data directory's lock, started PGlite
 * and applied the migrations (close the store if it fails); on PostgreSQL, open already.
 */
export async function storeToOpen(
  config: GatewayConfig,
  logger: Logger,
  onPhase?: (phase: string) => void,
): Promise<{ database: Database; open(): Promise<void> }> {
  if (config.database.url) {
    const database = await openStore(config, logger, onPhase);
    return { database, open: async () => {} };
  }
  const pending = pendingPglite(config.database.dataDir, config.database.lockWaitMs, onPhase, config.database.seed);
  return {
    database: pending.database,
    open: () =>
      pending.open(async (first) => {
        await setUpStore(first, logger);
        onPhase?.('migrations');
      }),
  };
}

/** Applies (embedded) or checks (PostgreSQL) the migrations, and moves up sequences left behind. */
async function setUpStore(database: Database, logger: Logger): Promise<void> {
  if (database.kind === 'pglite') {
    await migrate(database);
  } else {
    const status = await migrationStatus(database);
    if (status.pending.length > 0) {
      throw new StartupError(
        `the database ${database.description} is missing ${status.pending.length} migration(s) ` +
          `(${status.pending.map((m) => `${m.version}_${m.name}`).join(', ')}); run \`npx printermaster migrate\` first`,
      );
    }
  }
  const { unchecked } = await repairSequences(database, logger);
  if (unchecked.length > 0) {
    logger.info(
      { sequences: unchecked.length },
      'sequences not checked: this role may not set them (`printermaster migrate` as the owner checks them)',
    );
  }
}

/** The JWT secret: configured, or (development) generated once and kept in the store. */
export async function resolveJwtSecret(config: GatewayConfig, stores: Stores): Promise<string> {
  if (config.jwt.secret) return config.jwt.secret;
  const existing = await stores.meta.get<string>('dev_jwt_secret');
  if (existing) return existing;
  await stores.meta.putIfAbsent('dev_jwt_secret', randomBytes(48).toString('base64url'));
  return (await stores.meta.get<string>('dev_jwt_secret')) as string;
}

/** Writes what is still gathering for a group commit, then closes the store. */
export async function closeStore(stores: Stores, database: Database, logger: Logger): Promise<void> {
  // Session closes of the sockets just closed may still be gathering for a group commit.
  await stores.flush().catch((err: unknown) => logger.error({ err }, 'writing the last device sessions failed'));
  await database.close().catch((err: unknown) => logger.error({ err }, 'closing the store failed'));
}
