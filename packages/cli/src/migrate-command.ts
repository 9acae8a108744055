import { parseArgs } from 'node:util';
import { grantRuntimeRole, migrate, migrationStatus, openDatabase } from '@printermaster/server';
import { loadConfigOrExplain } from './load-config-or-explain.js';
import { MIGRATE_USAGE } from './usage.js';

/** `printermaster migrate [--status] [--grant ROLE]`. */
export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { status: { type: 'boolean' }, grant: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(MIGRATE_USAGE);
    return 0;
  }
  if (values.grant !== undefined && !/^[a-z_][a-z0-9_$]{0,62}$/.test(values.grant)) {
    process.stderr.write(`--grant takes a plain role name (lower case, digits, _), not "${values.grant}"\n`);
    return 2;
  }
  const config = loadConfigOrExplain();
  if (!config) return 1;
  const database = await openDatabase(
    config.database.url
      ? { kind: 'postgres', url: config.database.url, poolSize: 2, schema: config.database.schema }
      : { kind: 'pglite', dataDir: config.database.dataDir },
  );
  try {
    if (values.status) {
      const status = await migrationStatus(database);
      process.stdout.write(
        `${JSON.stringify({ store: database.description, ...status, pending: status.pending.map((m) => ({ version: m.version, name: m.name })) }, null, 2)}\n`,
      );
      return status.pending.length === 0 ? 0 : 3;
    }
    const applied = await migrate(database);
    process.stdout.write(
      applied.length === 0
        ? `${database.description}: up to date, nothing to apply\n`
        : `${database.description}: applied ${applied.map((m) => `${m.version}_${m.name}`).join(', ')}\n`,
    );
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
