import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../server/src/store/migrator.js';
import { runCli, ServeProcess } from './cli-process.js';

const migrations = loadMigrations();
const SLOW_MS = 240_000;

describe('the CLI beside a gateway that holds the embedded store', () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-migrate-running-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(
    'migrate reports what the running store has and exits 0; --status lists applied and pending as usual',
    async () => {
      const dataDir = join(root, 'data');
      const env = { PRINTERMASTER_DATA_DIR: dataDir };
      const serve = new ServeProcess(env);
      try {
        await serve.ready;
        const migrate = await runCli(['migrate'], env, SLOW_MS);
        expect(migrate.code, migrate.stderr).toBe(0);
        expect(migrate.stderr).toBe('');
        const last = migrations.at(-1);
        expect(migrate.stdout).toContain(`held by the running gateway (pid `);
        expect(migrate.stdout).toContain(`has migrations up to ${last?.version}_${last?.name}`);
        expect(migrate.stdout).toContain('up to date with this checkout, nothing to apply');

        const status = await runCli(['migrate', '--status'], env, SLOW_MS);
        expect(status.code, status.stderr).toBe(0);
        const view = JSON.parse(status.stdout) as { store: string; applied: { version: number }[]; pending: unknown[] };
        expect(view.applied.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
        expect(view.pending).toEqual([]);
        expect(view.store).toContain(dataDir);

        const grant = await runCli(['migrate', '--grant', 'someone'], env, SLOW_MS);
        expect(grant.code).toBe(2);
      } finally {
        await serve.stop();
      }
    },
    SLOW_MS * 2,
  );

  it('refuses in one line, without opening the store, when the lock holder is alive but has no admin socket', async () => {
    const dataDir = join(root, 'no-socket');
    const env = { PRINTERMASTER_DATA_DIR: dataDir };
    // A live process holds the lock (this test's), as a gateway that is starting does.
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'printermaster.lock'), String(process.pid));
    for (const args of [
      ['migrate'],
      ['migrate', '--status'],
      ['admin', 'company', 'list'],
      ['backup', join(root, 'b.tar.gz')],
    ]) {
      const res = await runCli(args, env);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(1);
      expect(res.stderr).toContain(`(pid ${process.pid}) does not answer on ${join(dataDir, 'admin.sock')}`);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).not.toMatch(/^\s+at /m);
    }
    expect(existsSync(join(dataDir, 'pgdata'))).toBe(false);
  });
});
