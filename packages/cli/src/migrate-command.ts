import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Database,
  DataDirLock,
  type GatewayConfig,
  GatewayError,
  grantRuntimeRole,
  loadMigrations,
  migrate,
  migrationStatus,
  openDatabase,
  repairSequences,
  rollback,
  rollbackTargets,
} from '@printermaster/server';
import { loadConfigOrExplain } from './load-config-or-explain.js';
import { askRunningGateway, lockErrorLine } from './running-gateway.js';
import { describeRepair } from './sequence-repair-line.js';
import { MIGRATE_USAGE } from './usage.js';

/** `printermaster migrate [--status] [--grant ROLE] [--down-to VERSION]`. */
export async function migrateCommand(argv: string[]): Promise<number> {
  let values: { status?: boolean; grant?: string; 'down-to'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        status: { type: 'boolean' },
        grant: { type: 'string' },
        'down-to': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`printermaster migrate: ${(err as Error).message}\n\n${MIGRATE_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(MIGRATE_USAGE);
    return 0;
  }
  if (values.grant !== undefined && !/^[a-z_][a-z0-9_$]{0,62}$/.test(values.grant)) {
    process.stderr.write(`--grant takes a plain role name (lower case, digits, _), not "${values.grant}"\n`);
    return 2;
  }
  const downTo = values['down-to'];
  if (downTo !== undefined) {
    if (!/^\d{1,9}$/.test(downTo)) {
      process.stderr.write(
        `--down-to takes the version of an applied migration (a number; 0 undoes every migration), not "${downTo}"\n`,
      );
      return 2;
    }
    if (values.status || values.grant !== undefined) {
      process.stderr.write('--down-to goes alone: without --status or --grant\n');
      return 2;
    }
  }
  const config = loadConfigOrExplain();
  if (!config) return 1;
  if (downTo !== undefined) {
    const refusal = embeddedStoreRefusal(config);
    if (refusal) {
      process.stderr.write(`printermaster migrate: ${refusal}\n`);
      return 1;
    }
  }
  if (!config.database.url && DataDirLock.isHeld(config.database.dataDir)) {
    if (values.grant !== undefined) {
      process.stderr.write('--grant is for PostgreSQL (DATABASE_URL); the embedded store has no roles\n');
      return 2;
    }
    return reportRunningGateway(config.database.dataDir, values.status === true);
  }
  let database: Database;
  try {
    database = await openDatabase(
      config.database.url
        ? { kind: 'postgres', url: config.database.url, poolSize: 2, schema: config.database.schema }
        : { kind: 'pglite', dataDir: config.database.dataDir },
    );
  } catch (err) {
    // A gateway that took the data directory between the check above and here.
    const line = lockErrorLine(err);
    if (!line) throw err;
    process.stderr.write(`printermaster migrate: ${line}\n`);
    return 1;
  }
  try {
    if (downTo !== undefined) return await rollBack(database, Number(downTo));
    if (values.status) {
      const status = await migrationStatus(database);
      const view = {
        store: database.description,
        ...status,
        pending: status.pending.map((m) => ({ version: m.version, name: m.name })),
        rollbackTargets: await rollbackTargets(database),
      };
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      return status.pending.length === 0 ? 0 : 3;
    }
    const applied = await migrate(database);
    process.stdout.write(
      applied.length === 0
        ? `${database.description}: up to date, nothing to apply\n`
        : `${database.description}: applied ${applied.map((m) => `${m.version}_${m.name}`).join(', ')}\n`,
    );
    const { repaired } = await repairSequences(database);
    for (const fix of repaired) process.stderr.write(`printermaster migrate: ${describeRepair(fix)}\n`);
    if (values.grant !== undefined) {
      if (database.kind !== 'postgres') {
        process.stderr.write('--grant is for PostgreSQL (DATABASE_URL); the embedded store has no roles\n');
        return 2;
      }
      await grantRuntimeRole(database, values.grant);
      process.stdout.write(`${database.description}: granted the gateway's run-time privileges to ${values.grant}\n`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

/**
 * Why a rollback may not open the embedded store, if it may not: a running gateway holds it (the
 * schema would change under it), or there is none (opening would create one, to undo nothing).
 */
function embeddedStoreRefusal(config: GatewayConfig): string | undefined {
  if (config.database.url) return undefined;
  const dataDir = config.database.dataDir;
  if (DataDirLock.isHeld(dataDir)) {
    return `a gateway is running on ${dataDir} (pid ${DataDirLock.ownerPid(dataDir)}); stop it first`;
  }
  if (!existsSync(join(dataDir, 'pgdata'))) {
    return `there is no embedded store in ${resolve(dataDir)} (set PRINTERMASTER_DATA_DIR as the gateway has it)`;
  }
  return undefined;
}

async function rollBack(database: Database, toVersion: number): Promise<number> {
  try {
    const undone = await rollback(database, toVersion);
    process.stdout.write(
      undone.length === 0
        ? `${database.description}: at version ${toVersion} already, nothing to roll back\n`
        : `${database.description}: rolled back ${undone.map((m) => `${m.version}_${m.name}`).join(', ')}; now at version ${toVersion}\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    process.stderr.write(`printermaster migrate: ${err.message}\n`);
    return err.code === 'BAD_REQUEST' ? 2 : 1;
  }
}

/** What the gateway holding the embedded store answers to `migrate.status`. */
interface GatewayMigrations {
  store: string;
  pid: number;
  applied: { version: number; name: string; appliedAt: string }[];
}

/**
 * `migrate` while a gateway holds the embedded store: it may not be opened here, and need not be,
 * since the gateway migrates it when it starts. The deploy runbook runs `migrate` before
 * `pm2 reload`, with the old release still running: say what the running store has and what the
 * new release will apply when it starts. `--status` answers as it does on an open store.
 */
async function reportRunningGateway(dataDir: string, status: boolean): Promise<number> {
  const dir = resolve(dataDir);
  let running: GatewayMigrations;
  try {
    running = (await askRunningGateway(dataDir, { command: 'migrate.status', args: {} })) as GatewayMigrations;
  } catch (err) {
    if (!(err instanceof GatewayError) || err.code !== 'BAD_REQUEST') {
      process.stderr.write(`printermaster migrate: ${(err as Error).message}\n`);
      return 1;
    }
    // A gateway of a release before this command: it cannot say what it has applied.
    const pid = DataDirLock.ownerPid(dataDir);
    if (status) {
      process.stderr.write(
        `printermaster migrate: the gateway running on ${dir} (pid ${pid}) is of an older release that does not report its migrations; stop it for --status, or ask again once the new release runs\n`,
      );
      return 1;
    }
    process.stdout.write(
      `embedded store ${dir}: in use by the running gateway (pid ${pid}), an older release; nothing done here: the gateway applies this checkout's pending migrations when the new release starts (pm2 reload)\n`,
    );
    return 0;
  }
  const appliedVersions = new Set(running.applied.map((m) => m.version));
  const pending = loadMigrations()
    .filter((m) => !appliedVersions.has(m.version))
    .map((m) => ({ version: m.version, name: m.name }));
  const store = `embedded store ${dir}, held by the running gateway (pid ${running.pid})`;
  if (status) {
    const view = { store, applied: running.applied, pending, appliedBy: 'the gateway, when the new release starts' };
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return pending.length === 0 ? 0 : 3;
  }
  const last = running.applied.at(-1);
  const has = last
    ? `has migrations up to ${last.version}_${last.name} (${running.applied.length} applied)`
    : 'has no migration applied';
  process.stdout.write(
    pending.length === 0
      ? `${store}: ${has}; up to date with this checkout, nothing to apply\n`
      : `${store}: ${has}; this checkout's ${pending.map((m) => `${m.version}_${m.name}`).join(', ')} ${pending.length === 1 ? 'is' : 'are'} pending and applied by the gateway when the new release starts (pm2 reload); nothing done here\n`,
  );
  return 0;
}
