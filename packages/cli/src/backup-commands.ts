import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DataDirLock,
  type GatewayConfig,
  openDatabase,
  restoreEmbeddedBackup,
  writeBackupFile,
} from '@printermaster/server';
import { loadConfigOrExplain } from './load-config-or-explain.js';
import { askRunningGateway, lockErrorLine } from './running-gateway.js';

export const BACKUP_USAGE = `Usage: printermaster backup <file>
       printermaster restore <file>

backup   Writes a consistent copy of the embedded store (PRINTERMASTER_DATA_DIR) to
         <file> (a gzipped tar). Works while the gateway runs: the copy is taken by
         the gateway itself, between queries.
restore  Replaces the embedded store with <file>. Stop the gateway first. The
         store it replaces is kept beside it as pgdata.before-restore-<time>.

On PostgreSQL (DATABASE_URL set) use pg_dump and psql instead, restoring into
a new database and then pointing DATABASE_URL at it:
  pg_dump --clean --if-exists "$DATABASE_URL" > printermaster.sql
  psql "$NEW_DATABASE_URL" -v ON_ERROR_STOP=1 < printermaster.sql
  DATABASE_URL="$NEW_DATABASE_URL" printermaster migrate
(docs/operations.md, "Backup and restore", has the whole sequence).
`;

type Io = { out: (s: string) => void; err: (s: string) => void };

/** What each command says to do on PostgreSQL instead: its own tools. */
const ON_POSTGRES = {
  backup: 'back PostgreSQL up with pg_dump:\n  pg_dump --clean --if-exists "$DATABASE_URL" > printermaster.sql',
  restore:
    'restore PostgreSQL with psql, into a new database (docs/operations.md, "Backup and restore"):\n' +
    '  psql "$NEW_DATABASE_URL" -v ON_ERROR_STOP=1 < printermaster.sql',
};

/**
 * What backup and restore check first: `--help`, exactly one file name, a valid configuration,
 * and an embedded store (not DATABASE_URL). Either the exit code to stop with, or the
 * configuration and the file (resolved against the working directory).
 */
function embeddedStoreFile(
  command: keyof typeof ON_POSTGRES,
  argv: string[],
  io: Io,
): number | { config: GatewayConfig; file: string } {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(BACKUP_USAGE);
    return 0;
  }
  if (argv.length !== 1) {
    io.err(`printermaster ${command}: give exactly one file name\n\n${BACKUP_USAGE}`);
    return 2;
  }
  const config = loadConfigOrExplain(io.err);
  if (!config) return 1;
  if (config.database.url) {
    io.err(`printermaster ${command}: DATABASE_URL is set; ${ON_POSTGRES[command]}\n`);
    return 2;
  }
  return { config, file: resolve(argv[0] as string) };
}

export async function backupCommand(argv: string[], io: Io): Promise<number> {
  const args = embeddedStoreFile('backup', argv, io);
  if (typeof args === 'number') return args;
  const { config, file } = args;
  if (DataDirLock.isHeld(config.database.dataDir)) {
    try {
      const res = (await askRunningGateway(
        config.database.dataDir,
        { command: 'backup', args: { file } },
        120_000,
      )) as { bytes: number };
      io.out(`${JSON.stringify({ file, bytes: res.bytes, takenBy: 'running gateway' })}\n`);
      return 0;
    } catch (err) {
      io.err(`printermaster backup: ${(err as Error).message}\n`);
      return 1;
    }
  }
  // Opening a directory without a store would create an empty one and back that up.
  if (!existsSync(join(config.database.dataDir, 'pgdata'))) {
    io.err(
      `printermaster backup: there is no embedded store in ${resolve(config.database.dataDir)} (set PRINTERMASTER_DATA_DIR)\n`,
    );
    return 1;
  }
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase({ kind: 'pglite', dataDir: config.database.dataDir });
  } catch (err) {
    // A gateway that took the data directory since the check above.
    const line = lockErrorLine(err);
    if (!line) throw err;
    io.err(`printermaster backup: ${line}\n`);
    return 1;
  }
  try {
    const bytes = await (database.backup as () => Promise<Uint8Array>)();
    writeBackupFile(file, bytes);
    io.out(`${JSON.stringify({ file, bytes: bytes.byteLength, takenBy: 'cli' })}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

export async function restoreCommand(argv: string[], io: Io): Promise<number> {
  const args = embeddedStoreFile('restore', argv, io);
  if (typeof args === 'number') return args;
  const { config, file } = args;
  if (DataDirLock.isHeld(config.database.dataDir)) {
    io.err(
      `printermaster restore: a gateway is running on ${config.database.dataDir} (pid ${DataDirLock.ownerPid(config.database.dataDir)}); stop it first\n`,
    );
    return 1;
  }
  try {
    const result = await restoreEmbeddedBackup(config.database.dataDir, file);
    io.out(
      `${JSON.stringify({ restored: file, dataDir: config.database.dataDir, previousStoreKeptAt: result.previous ?? null, migrations: result.migrations })}\n`,
    );
    return 0;
  } catch (e) {
    io.err(`printermaster restore: ${(e as Error).message}\n`);
    return 1;
  }
}
