import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../server/src/store/migrator.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../../server/test/support/test-database.js';
import { runCli } from './cli-process.js';

/** Each CLI process starts node and loads the server; a fresh embedded store is slow to open on a busy machine. */
const SLOW_MS = 240_000;

const versions = loadMigrations().map((m) => m.version);
const newest = versions.at(-1) as number;
const previous = versions.at(-2) as number;
const labels = loadMigrations().map((m) => `${m.version}_${m.name}`);

describe('printermaster migrate --down-to', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pm-migrate-down-'));
    dirs.push(d);
    return d;
  };

  it('refuses a value that is not a number, and --down-to together with --status or --grant, with exit 2', async () => {
    const env = { PRINTERMASTER_DATA_DIR: join(tempDir(), 'data') };
    for (const args of [['--down-to', 'eight'], ['--down-to=-1'], ['--down-to=8', '--status']]) {
      const res = await runCli(['migrate', ...args], env);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain('--down-to');
    }
    expect(existsSync(join(env.PRINTERMASTER_DATA_DIR, 'pgdata'))).toBe(false);
  });

  it(
    'on the embedded store: refuses without a store and while a gateway holds it, lists the targets, rolls back and migrates again',
    async () => {
      const dataDir = join(tempDir(), 'data');
      const env = { PRINTERMASTER_DATA_DIR: dataDir };
      const none = await runCli(['migrate', '--down-to', '0'], env);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`there is no embedded store in ${dataDir}`);
      expect(existsSync(join(dataDir, 'pgdata'))).toBe(false);

      expect((await runCli(['migrate'], env, SLOW_MS)).code).toBe(0);
      const status = await runCli(['migrate', '--status'], env, SLOW_MS);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).rollbackTargets).toEqual([...versions.slice(0, -1)].reverse().concat(0));

      // A live process holding the lock, as a running gateway does (this test's own pid).
      writeFileSync(join(dataDir, 'printermaster.lock'), String(process.pid));
      const held = await runCli(['migrate', '--down-to', String(previous)], env);
      expect(held.code).toBe(1);
      expect(held.stderr).toContain(`a gateway is running on ${dataDir} (pid ${process.pid}); stop it first`);
      rmSync(join(dataDir, 'printermaster.lock'));

      const notApplied = await runCli(['migrate', '--down-to', String(newest + 1)], env, SLOW_MS);
      expect(notApplied.code).toBe(2);
      expect(notApplied.stderr).toContain(`version ${newest + 1} is not an applied migration`);

      const down = await runCli(['migrate', '--down-to', String(previous)], env, SLOW_MS);
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toContain(`rolled back ${labels.at(-1)}; now at version ${previous}`);
      const again = await runCli(['migrate', '--down-to', String(previous)], env, SLOW_MS);
      expect(again.stdout).toContain(`at version ${previous} already, nothing to roll back`);

      const up = await runCli(['migrate'], env, SLOW_MS);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toContain(`applied ${labels.at(-1)}`);
    },
    SLOW_MS * 2,
  );

  describe('on PostgreSQL', async () => {
    const available = await postgresAvailable();
    it.runIf(available)(
      'rolls every migration back in the configured schema, and migrates again',
      async () => {
        const { schema, drop } = await createTestSchema();
        const env = { DATABASE_URL: TEST_DATABASE_URL, PRINTERMASTER_DATABASE_SCHEMA: schema };
        try {
          expect((await runCli(['migrate'], env)).code).toBe(0);
          const down = await runCli(['migrate', '--down-to', '0'], env);
          expect(down.code, down.stderr).toBe(0);
          expect(down.stdout).toContain(
            `(schema ${schema}): rolled back ${[...labels].reverse().join(', ')}; now at version 0`,
          );
          const status = await runCli(['migrate', '--status'], env);
          expect(status.code).toBe(3);
          expect(JSON.parse(status.stdout)).toMatchObject({ applied: [], rollbackTargets: [] });
          const up = await runCli(['migrate'], env);
          expect(up.stdout).toContain(`applied ${labels.join(', ')}`);
        } finally {
          await drop();
        }
      },
      SLOW_MS,
    );
  });
});
