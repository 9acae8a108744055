import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  AdminCommands,
  type AdminRequest,
  adminSocketPath,
  ConfigError,
  createStores,
  DataDirLock,
  grantRuntimeRole,
  JwtService,
  LicenseService,
  loadConfig,
  migrate,
  migrationStatus,
  openDatabase,
  openStore,
  resolveJwtSecret,
  StartupError,
  sendAdminCommand,
  startGateway,
  systemClock,
  TenantService,
  VERSION,
} from '@printermaster/server';
import { ADMIN_USAGE, MAIN_USAGE, MIGRATE_USAGE, SERVE_USAGE } from './usage.js';

type Handler = (argv: string[]) => Promise<number>;

const commands: Record<string, Handler> = {
  serve,
  migrate: migrateCommand,
  admin,
  // Loaded on demand: a branch PC running the agent never loads the server code, and vice versa.
  agent: async (argv) => {
    const { runAgentCli } = await import('@printermaster/agent');
    return runAgentCli(argv, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
  },
  'virtual-printer': async (argv) => {
    const { runVirtualPrinterCli } = await import('@printermaster/virtual-printer');
    return runVirtualPrinterCli(argv, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
  },
  backup: async (argv) => {
    const { backupCommand } = await import('./backup-commands.js');
    return backupCommand(argv, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  },
  restore: async (argv) => {
    const { restoreCommand } = await import('./backup-commands.js');
    return restoreCommand(argv, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  },
  demo: async (argv) => {
    const { runDemo } = await import('./demo.js');
    return runDemo(
      argv,
      (s) => process.stdout.write(s),
      (s) => process.stderr.write(s),
    );
  },
  version: async () => {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  },
};

/**
 * Node's own options given to the script instead of to node, as in
 * `pm2 start main.js -- --max-old-space-size=4096` (the operators' runbook): they can no
 * longer take effect in this process, so they are named on stderr and set aside.
 */
function setAsideNodeOptions(argv: string[]): string[] {
  const isNodeOption = (a: string) =>
    a.startsWith('--') && process.allowedNodeEnvironmentFlags.has(a.split('=')[0] as string);
  const nodeOptions = argv.filter(isNodeOption);
  if (nodeOptions.length > 0) {
    process.stderr.write(
      `printermaster: ${nodeOptions.join(' ')} ${nodeOptions.length === 1 ? 'is an option' : 'are options'} of node, ` +
        'not of printermaster, and cannot take effect once the process runs; give ' +
        `${nodeOptions.length === 1 ? 'it' : 'them'} to node instead (pm2: --node-args="${nodeOptions.join(' ')}", ` +
        `or NODE_OPTIONS="${nodeOptions.join(' ')}"). Going on without.\n`,
    );
  }
  return argv.filter((a) => !isNodeOption(a));
}

/** `.env` in the working directory, as operators keep settings next to the process; the environment wins. */
function loadDotEnv(): void {
  if (!existsSync('.env')) return;
  try {
    process.loadEnvFile('.env');
  } catch (err) {
    process.stderr.write(`printermaster: .env could not be read: ${(err as Error).message}\n`);
  }
}

async function main(rawArgv: string[]): Promise<number> {
  const argv = setAsideNodeOptions(rawArgv);
  const [name = 'serve', ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(MAIN_USAGE);
    return 0;
  }
  // The agent and the virtual printer run on branch PCs with their own settings, not the gateway's .env.
  if (name !== 'agent' && name !== 'virtual-printer') loadDotEnv();
  if (name === '--version') return commands.version?.([]) ?? 0;
  const handler = commands[name];
  if (!handler) {
    process.stderr.write(`printermaster: unknown command "${name}"\n\n${MAIN_USAGE}`);
    return 2;
  }
  return handler(rest);
}

function loadConfigOrExplain() {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`printermaster: ${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}

async function serve(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`printermaster serve: unexpected arguments ${argv.join(' ')}\n\n${SERVE_USAGE}`);
    return 2;
  }
  const config = loadConfigOrExplain();
  if (!config) return 1;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway(config);
  } catch (err) {
    if (err instanceof StartupError || (err instanceof Error && err.name === 'DataDirLockedError')) {
      process.stderr.write(`printermaster serve: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const { logger } = gateway;
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; stopping');
    void gateway.stop('uncaught exception').finally(() => process.exit(1));
  });
  // pm2 `--wait-ready`: the process takes traffic from here on.
  process.send?.('ready');
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'signal received; draining');
      const force = setTimeout(() => {
        logger.error({ signal }, 'drain took too long; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs + 2_000);
      force.unref();
      void gateway.stop(signal).then(() => resolve(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

async function migrateCommand(argv: string[]): Promise<number> {
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

async function admin(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(ADMIN_USAGE);
    return group ? 0 : 2;
  }
  const commandName =
    group === 'token'
      ? 'token'
      : action === 'revoke' || action === 'suspend' || action === 'activate'
        ? 'license.set-status'
        : `${group}.${action ?? ''}`;
  const known = [
    'company.create',
    'company.list',
    'branch.create',
    'branch.list',
    'license.issue',
    'license.list',
    'license.set-status',
    'token',
  ];
  if (!known.includes(commandName)) {
    process.stderr.write(`printermaster admin: unknown subcommand "${argv.slice(0, 2).join(' ')}"\n\n${ADMIN_USAGE}`);
    return 2;
  }
  const optionArgs = group === 'token' ? argv.slice(1) : rest;
  const names = ['name', 'company', 'branch', 'max-printers', 'expires', 'device', 'id', 'role', 'sub', 'email'];
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: optionArgs,
      options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    process.stderr.write(`printermaster admin: ${(err as Error).message}\n\n${ADMIN_USAGE}`);
    return 2;
  }
  if (commandName === 'license.set-status') {
    values.status = action === 'revoke' ? 'revoked' : action === 'suspend' ? 'suspended' : 'active';
  }
  const config = loadConfigOrExplain();
  if (!config) return 1;
  const request: AdminRequest = { command: commandName, args: values };
  try {
    const result = await runAdmin(config, request);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    const e = err as Error & { code?: string };
    process.stderr.write(`printermaster admin: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    return 1;
  }
}

async function runAdmin(config: ReturnType<typeof loadConfig>, request: AdminRequest): Promise<unknown> {
  if (!config.database.url && DataDirLock.isHeld(config.database.dataDir)) {
    return sendAdminCommand(adminSocketPath(config.database.dataDir), request);
  }
  const database = await openStore(config);
  try {
    const stores = createStores(database, () => {});
    const jwt = new JwtService(await resolveJwtSecret(config, stores), config.jwt.expiresIn);
    const tenants = new TenantService(stores.tenants, stores.audit);
    const licenses = new LicenseService(stores.licenses, stores.tenants, stores.audit, systemClock);
    return await new AdminCommands(tenants, licenses, jwt).run(request);
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit explicitly: under pm2 (cluster mode) the IPC channel would keep a drained gateway alive.
    process.exitCode = code;
    if (process.argv[2] === 'serve' || process.send) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`printermaster: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
    // A failed start must end the process: under pm2 the IPC channel (and anything a half-done
    // start left open) would keep it alive, and pm2 would never restart it.
    if (process.argv[2] === 'serve' || process.send) process.exit(1);
  },
);
