import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  adminSocketPath,
  ConfigError,
  DataDirLock,
  type GatewayConfig,
  loadConfig,
  openDatabase,
  restoreEmbeddedBackup,
  sendAdminCommand,
  writeBackupFile,
} from '@printermaster/server';

export const BACKUP_USAGE = `Usage: printermaster backup <file>
       printermaster restore <file>

backup   Writes a consistent copy of the embedded store (PRINTERMASTER_DATA_DIR) to
         <file> (a gzipped tar). Works while the gateway runs: the copy is taken by
         the gateway itself, between queries.
restore  Replaces the embedded store with <file>. Stop the gateway first. The
         store it replaces is kept beside it as pgdata.before-restore-<time>.

On PostgreSQL (DATABASE_URL set) use pg_dump and psql instead:
  pg_dump "$DATABASE_URL" > printermaster.sql
  psql "$DATABASE_URL" < printermaster.sql
(docs/operations.md, "Backup and restore").
`;

type Io = { out: (s: string) => void; err: (s: string) => void };

function configOrExit(io: Io): GatewayConfig | undefined {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`printermaster: ${e.message}\n`);
      return undefined;
    }
    throw e;
  }
}

export async function backupCommand(argv: string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(BACKUP_USAGE);
    return 0;
  }
  if (argv.length !== 1) {
    io.err(`printermaster backup: give exactly one file name\n\n${BACKUP_USAGE}`);
    return 2;
  }
  const config = configOrExit(io);
  if (!config) return 1;
  if (config.database.url) {
    io.err(
      `printermaster backup: DATABASE_URL is set; back PostgreSQL up with pg_dump:\n  pg_dump "$DATABASE_URL" > printermaster.sql\n`,
    );
    return 2;
  }
  const file = resolve(argv[0] as string);
  if (DataDirLock.isHeld(config.database.dataDir)) {
    const res = (await sendAdminCommand(
      adminSocketPath(config.database.dataDir),
      { command: 'backup', args: { file } },
      120_000,
    )) as { bytes: number };
    io.out(`${JSON.stringify({ file, bytes: res.bytes, takenBy: 'running gateway' })}\n`);
    return 0;
  }
  // Opening a directory without a store would create an empty one and back that up.
  if (!existsSync(join(config.database.dataDir, 'pgdata'))) {
    io.err(
      `printermaster backup: there is no embedded store in ${resolve(config.database.dataDir)} (set PRINTERMASTER_DATA_DIR)\n`,
    );
    return 1;
  }
  const database = await openDatabase({ kind: 'pglite', dataDir: config.database.dataDir });
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
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(BACKUP_USAGE);
    return 0;
  }
  if (argv.length !== 1) {
    io.err(`printermaster restore: give exactly one file name\n\n${BACKUP_USAGE}`);
    return 2;
  }
  const config = configOrExit(io);
  if (!config) return 1;
  if (config.database.url) {
    io.err(
      `printermaster restore: DATABASE_URL is set; restore PostgreSQL with psql:\n  psql "$DATABASE_URL" < printermaster.sql\n`,
    );
    return 2;
  }
  if (DataDirLock.isHeld(config.database.dataDir)) {
    io.err(
      `printermaster restore: a gateway is running on ${config.database.dataDir} (pid ${DataDirLock.ownerPid(config.database.dataDir)}); stop it first\n`,
    );
    return 1;
  }
  try {
    const result = await restoreEmbeddedBackup(config.database.dataDir, resolve(argv[0] as string));
    io.out(
      `${JSON.stringify({ restored: resolve(argv[0] as string), dataDir: config.database.dataDir, previousStoreKeptAt: result.previous ?? null, migrations: result.migrations })}\n`,
    );
    return 0;
  } catch (e) {
    io.err(`printermaster restore: ${(e as Error).message}\n`);
    return 1;
  }
}
