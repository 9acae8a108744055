import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../../server/test/support/test-database.js';
import { runCli } from './cli-process.js';

/** Each CLI process starts node and loads the CLI again; a busy machine is slow at it. */
const SLOW_MS = 240_000;

/**
 * `printermaster admin` for the tenant and licence operations of the admin API (issue 16), on
 * PostgreSQL (each command opens the database itself, as it does beside running gateways).
 */
describe.runIf(await postgresAvailable())('printermaster admin: companies, branches and licences (postgres)', () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await createTestSchema();
    drop = created.drop;
    env = { DATABASE_URL: TEST_DATABASE_URL, PRINTERMASTER_DATABASE_SCHEMA: created.schema };
    const migrated = await runCli(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
  }, SLOW_MS);
  afterAll(() => drop?.());

  const admin = async (...args: string[]) => {
    const result = await runCli(['admin', ...args], env);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  it(
    'creates, renames, deactivates and activates companies and branches, with ids of the caller’s choosing',
    async () => {
      expect(await admin('company', 'create', '--name', 'Pizza Co', '--id', 'pizza-co')).toMatchObject({
        id: 'pizza-co',
        status: 'active',
      });
      expect(await admin('company', 'update', '--id', 'pizza-co', '--name', 'Pizza Company')).toMatchObject({
        name: 'Pizza Company',
      });
      expect(
        await admin('branch', 'create', '--company', 'pizza-co', '--name', 'Harbour', '--id', 'harbour'),
      ).toMatchObject({ id: 'harbour', companyId: 'pizza-co', status: 'active' });
      expect(await admin('branch', 'deactivate', '--id', 'harbour')).toMatchObject({ status: 'suspended' });
      expect(await admin('branch', 'get', '--id', 'harbour')).toMatchObject({ status: 'suspended' });
      expect(await admin('branch', 'activate', '--id', 'harbour')).toMatchObject({ status: 'active' });
      expect(await admin('company', 'deactivate', '--id', 'pizza-co')).toMatchObject({ status: 'suspended' });
      expect(await admin('company', 'activate', '--id', 'pizza-co')).toMatchObject({ status: 'active' });
      expect(await admin('company', 'get', '--id', 'pizza-co')).toMatchObject({ name: 'Pizza Company' });

      const missing = await runCli(['admin', 'branch', 'deactivate', '--id', 'nowhere'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('BRANCH_NOT_FOUND');
      const twice = await runCli(['admin', 'company', 'create', '--name', 'Again', '--id', 'pizza-co'], env);
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain('CONFLICT');
    },
    SLOW_MS,
  );

  it(
    'issues, rotates, binds, unbinds and revokes licences, printing each key once',
    async () => {
      await admin('company', 'create', '--name', 'Taco Co', '--id', 'taco-co');
      await admin('branch', 'create', '--company', 'taco-co', '--name', 'Pier', '--id', 'pier');
      const issued = await admin('license', 'issue', '--branch', 'pier');
      const id = issued.id as string;
      const rotated = await admin('license', 'rotate', '--id', id, '--grace', '2h');
      expect(rotated.licenseKey).not.toBe(issued.licenseKey);
      expect(rotated.keyHint).toBe((rotated.licenseKey as string).slice(-4));
      const graceEnd = Date.parse(rotated.previousKeyValidUntil as string);
      expect(graceEnd - Date.now()).toBeGreaterThan(60 * 60_000);
      expect(graceEnd - Date.now()).toBeLessThanOrEqual(2 * 60 * 60_000);
      expect(await admin('license', 'bind', '--id', id, '--device', 'till-1')).toMatchObject({
        boundDeviceId: 'till-1',
      });
      expect(await admin('license', 'unbind', '--id', id)).toMatchObject({ boundDeviceId: null });
      expect(await admin('license', 'suspend', '--id', id)).toMatchObject({ status: 'suspended' });
      expect(await admin('license', 'activate', '--id', id)).toMatchObject({ status: 'active' });
      expect(await admin('license', 'revoke', '--id', id)).toMatchObject({ status: 'revoked' });
      const listed = await runCli(['admin', 'license', 'list', '--branch', 'pier'], env);
      expect(listed.stdout).not.toContain(issued.licenseKey as string);
      expect(listed.stdout).not.toContain(rotated.licenseKey as string);
      expect(await admin('license', 'get', '--id', id)).toMatchObject({ status: 'revoked' });

      const final = await runCli(['admin', 'license', 'activate', '--id', id], env);
      expect(final.code).toBe(1);
      expect(final.stderr).toContain('CONFLICT');
      const badGrace = await runCli(['admin', 'license', 'rotate', '--id', id, '--grace', '30 days'], env);
      expect(badGrace.code).toBe(1);
      expect(badGrace.stderr).toContain('--grace');
    },
    SLOW_MS,
  );
});
