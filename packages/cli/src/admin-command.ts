import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AdminCommands,
  type AdminRequest,
  createLogger,
  createStores,
  DataDirLock,
  type GatewayConfig,
  JwtService,
  LicenseService,
  openStore,
  resolveJwtSecret,
  sessionTokensFor,
  systemClock,
  TenantService,
} from '@printermaster/server';
import { loadConfigOrExplain } from './load-config-or-explain.js';
import { askRunningGateway } from './running-gateway.js';
import { ADMIN_USAGE } from './usage.js';

/** `printermaster admin …`: prints the result as JSON. */
export async function adminCommand(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(ADMIN_USAGE);
    return group ? 0 : 2;
  }
  const commandName =
    group === 'token' || group === 'login-link'
      ? group
      : group === 'license' && (action === 'revoke' || action === 'suspend' || action === 'activate')
        ? 'license.set-status'
        : `${group}.${action ?? ''}`;
  const known = [
    'company.create',
    'company.list',
    'company.get',
    'company.update',
    'company.deactivate',
    'company.activate',
    'branch.create',
    'branch.list',
    'branch.get',
    'branch.update',
    'branch.deactivate',
    'branch.activate',
    'license.issue',
    'license.list',
    'license.get',
    'license.set-status',
    'license.rotate',
    'license.bind',
    'license.unbind',
    'token',
    'login-link',
  ];
  if (!known.includes(commandName)) {
    process.stderr.write(`printermaster admin: unknown subcommand "${argv.slice(0, 2).join(' ')}"\n\n${ADMIN_USAGE}`);
    return 2;
  }
  const optionArgs = group === 'token' || group === 'login-link' ? argv.slice(1) : rest;
  const names = [
    'name',
    'company',
    'branch',
    'max-printers',
    'expires',
    'device',
    'id',
    'role',
    'sub',
    'email',
    'grace',
  ];
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: optionArgs.filter((arg) => arg !== '--session'),
      options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    process.stderr.write(`printermaster admin: ${(err as Error).message}\n\n${ADMIN_USAGE}`);
    return 2;
  }
  // `token --session`: an access and a refresh token instead of one JWT (docs/credentials.md).
  if (group === 'token' && optionArgs.includes('--session')) values.session = 'true';
  if (commandName === 'license.set-status') {
    values.status = action === 'revoke' ? 'revoked' : action === 'suspend' ? 'suspended' : 'active';
  }
  const config = loadConfigOrExplain();
  if (!config) return 1;
  const request: AdminRequest = { command: commandName, args: values };
  try {
    const answer = await runAdmin(config, request);
    const result = commandName === 'login-link' ? loginLink(config.http.publicUrl, answer) : answer;
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    const e = err as Error & { code?: string };
    process.stderr.write(`printermaster admin: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    return 1;
  }
}

/** Runs one admin request where `printermaster admin` would: through the gateway that holds the embedded store, else on the store itself. */
export async function runAdmin(config: GatewayConfig, request: AdminRequest): Promise<unknown> {
  // Never open the store beside a live gateway, even one whose admin socket is not there yet.
  if (!config.database.url && DataDirLock.isHeld(config.database.dataDir)) {
    return askRunningGateway(config.database.dataDir, request);
  }
  // Opening a directory without a store would create an empty one, and every command would then
  // answer as if the gateway's companies did not exist (BRANCH_NOT_FOUND): say where we looked.
  if (!config.database.url && !existsSync(join(config.database.dataDir, 'pgdata'))) {
    throw new Error(
      `there is no embedded store in ${resolve(config.database.dataDir)}: run this in the gateway's directory or set PRINTERMASTER_DATA_DIR (or DATABASE_URL) as the gateway has it; a new store is made by \`npx printermaster serve\` or \`npx printermaster migrate\``,
    );
  }
  const database = await openStore(config);
  try {
    const stores = createStores(database, () => {});
    const jwt = new JwtService(await resolveJwtSecret(config, stores), config.jwt.expiresIn);
    const logger = createLogger({ level: 'warn', instanceId: 'cli' });
    const sessions = sessionTokensFor({ config, stores, jwt, clock: systemClock, logger });
    const tenants = new TenantService(stores);
    const licenses = new LicenseService({ ...stores, clock: systemClock });
    return await new AdminCommands(tenants, licenses, jwt, undefined, sessions).run(request);
  } finally {
    await database.close();
  }
}

/**
 * The dashboard's link for a one-time code: in the fragment, which browsers send to no server
 * (nor in a Referer); the page reads it, swaps it for the session's cookies and erases it. The
 * address is the running gateway's when it answered (embedded store), else this command's settings.
 */
function loginLink(publicUrl: string, answer: unknown): unknown {
  const { code, publicUrl: gatewayUrl, ...rest } = answer as { code: string; publicUrl?: string };
  return { url: `${gatewayUrl ?? publicUrl}/login#${code}`, ...rest };
}
