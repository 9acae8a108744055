import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../../server/test/support/test-database.js';
import { runCli, ServeProcess } from './cli-process.js';

describe('backup and restore', () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-backup-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('backs the embedded store up while the gateway runs, and restores it after a loss', async () => {
    const dataDir = join(root, 'data');
    const env = { PRINTERMASTER_DATA_DIR: dataDir };
    const serve = new ServeProcess(env);
    await serve.ready;
    await runCli(['admin', 'company', 'create', '--name', 'Before backup'], env);
    const file = join(root, 'backups', 'pm.tar.gz');
    const backup = await runCli(['backup', file], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ takenBy: 'running gateway' });
    expect(statSync(file).size).toBeGreaterThan(1000);
    await runCli(['admin', 'company', 'create', '--name', 'After backup'], env);

    const refused = await runCli(['restore', file], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('stop it first');
    expect(await serve.stop()).toBe(0);

    const restored = await runCli(['restore', file], env);
    expect(restored.code, restored.stderr).toBe(0);
    const info = JSON.parse(restored.stdout) as { previousStoreKeptAt: string; migrations: number };
    expect(info.migrations).toBeGreaterThanOrEqual(1);
    expect(existsSync(info.previousStoreKeptAt)).toBe(true);
    const names = (
      JSON.parse((await runCli(['admin', 'company', 'list'], env)).stdout) as { id: string; name: string }[]
    ).map((c) => c.name);
    expect(names).toContain('Before backup');
    expect(names).not.toContain('After backup');
    expect(names.length).toBeGreaterThanOrEqual(2);

    // Offline backup works too, and a damaged file is refused without touching the store.
    expect((await runCli(['backup', join(root, 'offline.tar.gz')], env)).code).toBe(0);
    execFileSync('sh', ['-c', `head -c 2000 '${file}' > '${join(root, 'broken.tar.gz')}'`]);
    const broken = await runCli(['restore', join(root, 'broken.tar.gz')], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('left as it was');
    expect(readdirSync(dataDir)).toContain('pgdata');
    expect((JSON.parse((await runCli(['admin', 'company', 'list'], env)).stdout) as unknown[]).length).toBe(
      names.length,
    );
    // A fresh embedded store opens in 14–33 s at load 10, and nine CLI processes start node each.
  }, 300_000);

  it('points PostgreSQL users to pg_dump', async () => {
    const res = await runCli(['backup', join(root, 'x')], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('pg_dump');
  });

  describe('PostgreSQL with pg_dump and psql, as docs/operations.md describes', async () => {
    const available = await postgresAvailable();
    it.runIf(available)(
      'restores a pg_dump into a fresh database that the gateway then serves',
      async () => {
        const { schema, drop } = await createTestSchema();
        const dbName = `pm_restore_${Date.now()}`;
        const admin = (sql: string) =>
          execFileSync(
            'psql',
            ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-Atc', sql],
            { encoding: 'utf8' },
          );
        try {
          const env = { DATABASE_URL: TEST_DATABASE_URL, PRINTERMASTER_DATABASE_SCHEMA: schema };
          expect((await runCli(['migrate'], env)).code).toBe(0);
          expect((await runCli(['admin', 'company', 'create', '--name', 'Dumped Diner'], env)).code).toBe(0);
          const dump = join(root, 'pm.sql');
          execFileSync('sh', [
            '-c',
            `pg_dump -h 127.0.0.1 -U postgres -d test --schema=${schema} --no-owner > '${dump}'`,
          ]);
          admin(`CREATE DATABASE ${dbName}`);
          execFileSync('sh', ['-c', `psql -h 127.0.0.1 -U postgres -d ${dbName} -v ON_ERROR_STOP=1 -q < '${dump}'`]);
          const restoredEnv = {
            DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
            PRINTERMASTER_DATABASE_SCHEMA: schema,
          };
          const status = await runCli(['migrate', '--status'], restoredEnv);
          expect(status.code, status.stdout).toBe(0);
          const list = JSON.parse((await runCli(['admin', 'company', 'list'], restoredEnv)).stdout) as {
            name: string;
          }[];
          expect(list.map((c) => c.name)).toContain('Dumped Diner');
          const serve = new ServeProcess(restoredEnv);
          const port = await serve.ready;
          expect(
            ((await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as { status: string }).status,
          ).toBe('ok');
          await serve.stop();
        } finally {
          admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
          await drop();
        }
      },
      120_000,
    );
  });
});
