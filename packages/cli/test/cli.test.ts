import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../../server/test/support/test-database.js';
import { runCli, ServeProcess } from './cli-process.js';

/**
 * Tests that start `serve` on the embedded store, or run several CLI processes, get this long
 * each: a fresh embedded store takes 14–33 s to open on a machine at load 10, and each CLI
 * process starts node and loads the CLI again.
 */
const SLOW_MS = 240_000;

describe('printermaster CLI', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pm-cli-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(
    'prints help for the CLI and each command, and exits 2 on an unknown command',
    async () => {
      const main = await runCli(['--help']);
      expect(main.code).toBe(0);
      expect(main.stdout).toMatch(/serve[\s\S]*migrate[\s\S]*admin/);
      for (const cmd of ['serve', 'migrate', 'admin']) {
        const res = await runCli([cmd, '--help']);
        expect(res.code, cmd).toBe(0);
        expect(res.stdout).toContain(`printermaster ${cmd}`);
      }
      expect((await runCli(['serve', '--help'])).stdout).toContain('DATABASE_URL');
      const unknown = await runCli(['frobnicate']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown command');
    },
    SLOW_MS,
  );

  it('refuses admin commands on a directory without a store, and creates none there', async () => {
    const dir = tempDir();
    const res = await runCli(['admin', 'company', 'list'], { PRINTERMASTER_DATA_DIR: join(dir, 'data') });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`there is no embedded store in ${join(dir, 'data')}`);
    expect(res.stderr).toContain('PRINTERMASTER_DATA_DIR');
    expect(existsSync(join(dir, 'data', 'pgdata'))).toBe(false);
  });

  it('refuses to start in production without a JWT secret, CORS origins and a database, listing all three', async () => {
    // In a directory of its own: an operator's checkout may have a .env (the runbooks make one) that sets some of them.
    const dir = tempDir();
    const res = await runCli(['serve'], { NODE_ENV: 'production', PRINTERMASTER_DATA_DIR: dir }, undefined, dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('JWT_SECRET');
    expect(res.stderr).toContain('CORS_ORIGINS');
    expect(res.stderr).toContain('DATABASE_URL');
  });

  it('reads a .env file in the working directory, the environment winning over it', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, '.env'),
      'JWT_SECRET=a-secret-long-enough-for-production-use-0123456789\nCORS_ORIGINS=https://pos.example\n',
    );
    const fromFile = await runCli(
      ['serve'],
      { NODE_ENV: 'production', PRINTERMASTER_DATA_DIR: tempDir() },
      60_000,
      dir,
    );
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toContain('DATABASE_URL');
    expect(fromFile.stderr).not.toContain('JWT_SECRET');
    expect(fromFile.stderr).not.toContain('CORS_ORIGINS');
    const envWins = await runCli(
      ['serve'],
      { NODE_ENV: 'production', PRINTERMASTER_DATA_DIR: tempDir(), CORS_ORIGINS: 'not an origin' },
      60_000,
      dir,
    );
    expect(envWins.stderr).toContain('CORS_ORIGINS');
  });

  it('serves when given no command, and sets aside node options given to the script (pm2 start main.js -- --max-old-space-size=4096)', async () => {
    const res = await runCli(['--max-old-space-size=4096'], {
      NODE_ENV: 'production',
      PRINTERMASTER_DATA_DIR: tempDir(),
    });
    // The serve command ran: its configuration check, not "unknown command".
    expect(res.code).toBe(1);
    expect(res.stderr).not.toContain('unknown command');
    expect(res.stderr).toContain('--max-old-space-size=4096 is an option of node');
    expect(res.stderr).toContain('--node-args="--max-old-space-size=4096"');
    expect(res.stderr).toContain('JWT_SECRET');
  });

  it('lists every configuration problem at once', async () => {
    const res = await runCli(['serve'], {
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      JWT_SECRET: 'short',
      CORS_ORIGINS: 'https://ok.example,not an origin',
    });
    expect(res.code).toBe(1);
    for (const name of ['PORT', 'LOG_LEVEL', 'JWT_SECRET', 'CORS_ORIGINS']) expect(res.stderr).toContain(name);
  });

  describe('on the embedded store', () => {
    let dataDir: string;
    let serve: ServeProcess;
    let port: number;

    beforeAll(async () => {
      dataDir = tempDir();
      serve = new ServeProcess({ PRINTERMASTER_DATA_DIR: dataDir });
      port = await serve.ready;
    }, SLOW_MS);
    afterAll(async () => {
      await serve.stop();
    }, SLOW_MS);

    it('bootstraps an empty store once and prints the admin token, licence key and agent command', async () => {
      await serve.credentials();
      expect(serve.stdout).toContain('Licence key');
      expect(serve.stdout).toMatch(/npx printermaster agent --server http:\/\/localhost:\d+ --license [0-9a-f-]{36}/);
      // The secrets are on the console, never in a JSON log line.
      const key = /Licence key\s+: ([0-9a-f-]{36})/.exec(serve.stdout)?.[1] ?? '';
      expect(serve.logs().some((l) => JSON.stringify(l).includes(key))).toBe(false);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'connected' });
    });

    it(
      'runs admin commands through the running gateway',
      async () => {
        const env = { PRINTERMASTER_DATA_DIR: dataDir };
        const company = await runCli(['admin', 'company', 'create', '--name', 'Pizza Co'], env);
        expect(company.code, company.stderr).toBe(0);
        const companyId = (JSON.parse(company.stdout) as { id: string }).id;
        const branch = await runCli(['admin', 'branch', 'create', '--company', companyId, '--name', 'Harbour'], env);
        const branchId = (JSON.parse(branch.stdout) as { id: string }).id;
        const license = await runCli(['admin', 'license', 'issue', '--branch', branchId, '--max-printers', '3'], env);
        const issued = JSON.parse(license.stdout) as { id: string; licenseKey: string; maxPrinters: number };
        expect(issued.licenseKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(issued.maxPrinters).toBe(3);
        const list = JSON.parse((await runCli(['admin', 'license', 'list', '--branch', branchId], env)).stdout) as {
          keyHint: string;
        }[];
        expect(list).toHaveLength(1);
        expect(JSON.stringify(list)).not.toContain(issued.licenseKey);
        const validate = (key: string) =>
          fetch(`http://127.0.0.1:${port}/api/v1/printer-licenses/validate`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ licenseKey: key, deviceInfo: { deviceId: 'd1' } }),
          });
        expect((await validate(issued.licenseKey)).status).toBe(200);
        expect((await runCli(['admin', 'license', 'revoke', '--id', issued.id], env)).code).toBe(0);
        const revoked = await validate(issued.licenseKey);
        expect(revoked.status).toBe(403);
        expect(await revoked.json()).toMatchObject({ code: 'LICENSE_INVALID' });

        const token = JSON.parse(
          (await runCli(['admin', 'token', '--role', 'cashier', '--branch', branchId], env)).stdout,
        ) as { token: string };
        const printers = await fetch(`http://127.0.0.1:${port}/printing/printers`, {
          headers: { authorization: `Bearer ${token.token}` },
        });
        expect(await printers.json()).toMatchObject({ success: true, total: 0 });

        const bad = await runCli(['admin', 'token', '--role', 'emperor'], env);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toContain('role must be one of');
      },
      SLOW_MS,
    );

    it(
      'drains on SIGTERM, exits 0, and does not bootstrap again on restart',
      async () => {
        const code = await serve.stop('SIGTERM');
        expect(code).toBe(0);
        expect(serve.logs().map((l) => l.msg)).toContain('gateway stopped');
        // Offline, admin opens the store directly.
        const offline = await runCli(['admin', 'company', 'list'], { PRINTERMASTER_DATA_DIR: dataDir });
        expect((JSON.parse(offline.stdout) as unknown[]).length).toBe(2);
        serve = new ServeProcess({ PRINTERMASTER_DATA_DIR: dataDir });
        await serve.ready;
        // Ready comes after the bootstrap would have run: the store shows none happened, and so does the console.
        const online = await runCli(['admin', 'company', 'list'], { PRINTERMASTER_DATA_DIR: dataDir });
        expect((JSON.parse(online.stdout) as unknown[]).length).toBe(2);
        expect(serve.stdout).not.toContain('Licence key');
      },
      SLOW_MS,
    );

    it(
      'refuses a second gateway on the same data directory with a clear message',
      async () => {
        const second = await runCli(['serve'], { PRINTERMASTER_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0' });
        expect(second.code).toBe(1);
        expect(second.stderr).toContain('in use by another PrinterMaster process');
      },
      SLOW_MS,
    );
  });

  describe('on PostgreSQL', async () => {
    const available = await postgresAvailable();
    it.runIf(available)(
      'creates the configured schema when it does not exist yet',
      async () => {
        const { schema, drop } = await createTestSchema();
        await drop();
        try {
          const env = { DATABASE_URL: TEST_DATABASE_URL, PRINTERMASTER_DATABASE_SCHEMA: schema };
          const first = await runCli(['migrate'], env);
          expect(first.code, first.stderr).toBe(0);
          expect(first.stdout).toContain(`(schema ${schema}): applied 1_initial`);
          expect((await runCli(['migrate', '--status'], env)).code).toBe(0);
        } finally {
          await drop();
        }
      },
      SLOW_MS,
    );
    it.runIf(available)(
      'refuses to start on an unmigrated database, then migrates idempotently and starts',
      async () => {
        const { schema, drop } = await createTestSchema();
        const env = { DATABASE_URL: TEST_DATABASE_URL, PRINTERMASTER_DATABASE_SCHEMA: schema };
        try {
          const refused = await runCli(['serve'], { ...env, HOST: '127.0.0.1', PORT: '0' });
          expect(refused.code).toBe(1);
          expect(refused.stderr).toContain('run `npx printermaster migrate` first');
          const status = await runCli(['migrate', '--status'], env);
          expect(status.code).toBe(3);
          const first = await runCli(['migrate'], env);
          expect(first.code, first.stderr).toBe(0);
          expect(first.stdout).toContain('applied 1_initial');
          const again = await runCli(['migrate'], env);
          expect(again.stdout).toContain('up to date');
          const serve = new ServeProcess(env);
          const port = await serve.ready;
          const health = await fetch(`http://127.0.0.1:${port}/api/health`);
          expect(await health.json()).toMatchObject({ status: 'ok', database: 'connected' });
          expect(await serve.stop()).toBe(0);
        } finally {
          await drop();
        }
      },
      SLOW_MS,
    );
  });
});
