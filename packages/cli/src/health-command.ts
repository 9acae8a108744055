import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Database,
  DataDirLock,
  type GatewayConfig,
  migrationStatus,
  openDatabase,
  repairSequences,
} from '@printermaster/server';
import { Redis } from 'ioredis';
import { loadConfigOrExplain } from './load-config-or-explain.js';
import { askRunningGateway } from './running-gateway.js';
import { describeRepair } from './sequence-repair-line.js';
import { describeError, elapsedMs } from './target-url.js';

export const HEALTH_USAGE = `Usage: printermaster health <db|redis|websocket> [options]

Checks one dependency of the gateway with the gateway's own configuration (environment and
.env, as \`serve\` reads them) and prints one line: a summary and exit code 0, or what failed
and exit code 1.

  db         DATABASE_URL set: connects to PostgreSQL, runs \`select 1\` and checks that every
             migration is applied (pending ones fail: run \`printermaster migrate\`).
             Otherwise the embedded store in PRINTERMASTER_DATA_DIR: through the running
             gateway when it holds the store, else opened here (pending migrations are
             applied by the next \`serve\` and do not fail the check).
  redis      REDIS_URL: connects and sends PING. Without REDIS_URL there is nothing to check:
             it says so and exits with code 3.
  websocket  A Socket.IO handshake to /printing-ws as a web client, and round trips;
             \`printermaster health websocket --help\` lists its options.
`;

/** Output of a check: one line each, as an operator's script greps or shows it. */
export interface CheckIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A dependency answers within this or the check fails (ioredis would otherwise retry forever). */
const CHECK_TIMEOUT_MS = 5_000;

/** `printermaster health db|redis|websocket`. */
export async function healthCommand(argv: string[], io: CheckIo): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'websocket') {
    const { websocketCheckCommand } = await import('./websocket-check.js');
    return websocketCheckCommand(rest, io);
  }
  if (what === undefined || what === '--help' || what === '-h') {
    (what === undefined ? io.err : io.out)(HEALTH_USAGE);
    return what === undefined ? 2 : 0;
  }
  if (what !== 'db' && what !== 'redis') {
    io.err(`printermaster health: unknown check "${what}" (db, redis or websocket)\n`);
    return 2;
  }
  try {
    const { values } = parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      io.out(HEALTH_USAGE);
      return 0;
    }
  } catch (e) {
    io.err(`printermaster health ${what}: ${(e as Error).message}\n`);
    return 2;
  }
  const config = loadConfigOrExplain(io.err);
  if (!config) return 1;
  return what === 'db' ? checkDatabase(config, io) : checkRedis(config, io);
}

async function checkDatabase(config: GatewayConfig, io: CheckIo): Promise<number> {
  const { url, schema, dataDir } = config.database;
  if (!url) return checkEmbeddedStore(dataDir, io);
  const startedAt = performance.now();
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let where = 'PostgreSQL (DATABASE_URL)';
  try {
    database = await openDatabase({
      kind: 'postgres',
      url,
      poolSize: 1,
      schema,
      applicationName: 'printermaster-health',
    });
    where = database.description;
    const pingMs = Math.round((await database.ping()) * 10) / 10;
    const status = await migrationStatus(database);
    if (status.pending.length > 0) {
      io.err(
        `database FAILED: ${where}: ${status.pending.length} migration(s) pending (${status.pending.map((m) => `${m.version}_${m.name}`).join(', ')}); run \`printermaster migrate\`\n`,
      );
      return 1;
    }
    const modified = status.modified.length > 0 ? `; ${status.modified.length} applied migration(s) changed since` : '';
    const sequences = await checkSequences(database, io);
    io.out(
      `database ok: ${where}, select 1 in ${pingMs} ms, ${status.applied.length} migrations applied, none pending${modified}${sequences} (${elapsedMs(startedAt)} ms in all)\n`,
    );
    return 0;
  } catch (err) {
    io.err(`database FAILED: ${where}: ${describeError(err)}\n`);
    return 1;
  } finally {
    await database?.close().catch(() => {});
  }
}

async function checkEmbeddedStore(dataDir: string, io: CheckIo): Promise<number> {
  const dir = resolve(dataDir);
  const startedAt = performance.now();
  if (!existsSync(join(dir, 'pgdata'))) {
    io.err(
      `database FAILED: no DATABASE_URL and no embedded store in ${dir} (set DATABASE_URL, or PRINTERMASTER_DATA_DIR as the gateway has it)\n`,
    );
    return 1;
  }
  // Only one process may open the embedded store: while the gateway holds it, ask the gateway
  // (its admin socket) to run a query on it, which is what a health check of the store means.
  if (DataDirLock.isHeld(dir)) {
    try {
      await askRunningGateway(dir, { command: 'company.list', args: {} }, CHECK_TIMEOUT_MS);
      io.out(
        `database ok: embedded store ${dir}, held by the running gateway, which answered a query in ${elapsedMs(startedAt)} ms\n`,
      );
      return 0;
    } catch (err) {
      io.err(
        `database FAILED: embedded store ${dir}: the gateway holding it did not answer a query: ${describeError(err)}\n`,
      );
      return 1;
    }
  }
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    database = await openDatabase({ kind: 'pglite', dataDir: dir });
    const pingMs = Math.round((await database.ping()) * 10) / 10;
    const status = await migrationStatus(database);
    const pending =
      status.pending.length === 0
        ? 'none pending'
        : `${status.pending.length} pending (the next \`serve\` applies them)`;
    const sequences = await checkSequences(database, io);
    io.out(
      `database ok: embedded store ${dir} (no gateway running), select 1 in ${pingMs} ms, ${status.applied.length} migrations applied, ${pending}${sequences}\n`,
    );
    return 0;
  } catch (err) {
    io.err(`database FAILED: embedded store ${dir}: ${describeError(err)}\n`);
    return 1;
  } finally {
    await database?.close().catch(() => {});
  }
}

/**
 * Moves up the id sequences left behind their tables (each named on stderr): inserts would
 * otherwise fail with duplicate keys. The summary's part about them, empty when all were in order.
 */
async function checkSequences(database: Database, io: CheckIo): Promise<string> {
  const { repaired, unchecked } = await repairSequences(database);
  for (const fix of repaired) io.err(`database: ${describeRepair(fix)}\n`);
  const parts = [
    ...(repaired.length > 0 ? [`${repaired.length} sequence(s) behind their table repaired`] : []),
    ...(unchecked.length > 0 ? [`${unchecked.length} sequence(s) not checked (this role may not set them)`] : []),
  ];
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

async function checkRedis(config: GatewayConfig, io: CheckIo): Promise<number> {
  if (!config.redisUrl) {
    io.err(
      'redis not configured: REDIS_URL is not set, so this gateway runs as a single process without Redis; nothing to check\n',
    );
    return 3;
  }
  const where = redactedUrl(config.redisUrl);
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: CHECK_TIMEOUT_MS,
    commandTimeout: CHECK_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectionName: 'printermaster-health',
  });
  // connect() rejects only with "Connection is closed"; the event carries the cause (ECONNREFUSED, DNS, auth).
  let cause: Error | undefined;
  redis.on('error', (err: Error) => {
    cause ??= err;
  });
  const startedAt = performance.now();
  try {
    await redis.connect();
    const pingStartedAt = performance.now();
    const answer = await redis.ping();
    const pingMs = elapsedMs(pingStartedAt);
    if (answer !== 'PONG') throw new Error(`PING answered "${answer}"`);
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
    io.out(
      `redis ok: ${where}${version ? ` (Redis ${version})` : ''}, PING in ${pingMs} ms (${elapsedMs(startedAt)} ms with connecting)\n`,
    );
    return 0;
  } catch (err) {
    io.err(`redis FAILED: ${where}: ${describeError(cause ?? err)}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

/** The URL without its password, for output. */
function redactedUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'REDIS_URL';
  }
}
