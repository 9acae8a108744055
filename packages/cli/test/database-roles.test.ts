import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeRoleGrants } from '../../server/src/store/runtime-role.js';
import { postgresAvailable } from '../../server/test/support/test-database.js';
import { cleanEnv, runCli, ServeProcess } from './cli-process.js';

const repo = new URL('../../../', import.meta.url).pathname;
const runbook = readFileSync(join(repo, 'docs/operations.md'), 'utf8');
const section = runbook.split('### Database roles (PostgreSQL)')[1]?.split('\n## ')[0]?.split('\n### ')[0] ?? '';

/** The section's fenced blocks of one language tag, in order. */
function fenced(tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`^\`\`\`${tag}\\n([\\s\\S]*?)^\`\`\``, 'gm');
  for (const m of section.matchAll(re)) out.push(m[1] as string);
  return out;
}

const psql = (sql: string) =>
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-Atc', sql], {
    encoding: 'utf8',
  });

describe('docs/operations.md, Database roles', () => {
  it('lists exactly the grants `printermaster migrate --grant` makes', () => {
    const [, grants] = fenced('sql');
    expect(grants?.trim()).toBe(runtimeRoleGrants('printermaster_app').join('\n'));
  });

  describe('run as written (with names of its own, since roles belong to the whole server)', async () => {
    const available = await postgresAvailable();
    const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
    const names = { owner: `pm_owner_${suffix}`, app: `pm_app_${suffix}`, db: `pm_roles_${suffix}` };
    const rename = (text: string) =>
      text
        .replaceAll('printermaster_owner', names.owner)
        .replaceAll('printermaster_app', names.app)
        .replaceAll('DATABASE printermaster ', `DATABASE ${names.db} `)
        .replaceAll(':5432/printermaster"', `:5432/${names.db}"`);
    const root = mkdtempSync(join(tmpdir(), 'pm-roles-'));
    let serve: ServeProcess | undefined;

    afterAll(async () => {
      await serve?.stop();
      if (!available) return;
      psql(`DROP DATABASE IF EXISTS ${names.db} WITH (FORCE)`);
      psql(`DROP ROLE IF EXISTS ${names.app}`);
      psql(`DROP ROLE IF EXISTS ${names.owner}`);
      rmSync(root, { recursive: true, force: true });
    });

    /** Runs a block in bash with `set -euo pipefail`; returns stdout and the variables it exported. */
    async function bash(
      code: string,
      env: Record<string, string> = {},
      cwd = repo,
    ): Promise<{ out: string; env: Record<string, string> }> {
      const envFile = join(root, 'env.json');
      const script = `set -euo pipefail\n${code}\nnode -e 'process.stdout.write(JSON.stringify(process.env))' > '${envFile}'\n`;
      const { stdout } = await promisify(execFile)('bash', ['-c', script], {
        cwd,
        env: { ...cleanEnv(), ...env },
        encoding: 'utf8',
        timeout: 120_000,
      });
      return { out: stdout, env: JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string> };
    }

    it.runIf(available)(
      'creates the roles, migrates as the owner, serves as the gateway role with the wall up, and backs up as the owner',
      async () => {
        const [roles] = fenced('sql');
        const [migrateAndExport, check] = fenced('bash roles');
        // CREATE DATABASE cannot share a transaction with the rest: one statement at a time.
        for (const statement of rename(roles as string)
          .split(';\n')
          .filter((s) => s.trim()))
          psql(statement);

        const migrated = await bash(rename(migrateAndExport as string));
        expect(migrated.out).toContain(`granted the gateway's run-time privileges to ${names.app}`);
        const appUrl = migrated.env.DATABASE_URL as string;
        expect(appUrl).toContain(`${names.app}:app-password@`);
        const ownerUrl = appUrl.replace(`${names.app}:app-password`, `${names.owner}:owner-password`);

        // `printermaster admin` works with either URL.
        expect(
          (await runCli(['admin', 'company', 'create', '--name', 'Owner Diner'], { DATABASE_URL: ownerUrl })).code,
        ).toBe(0);
        expect(
          (await runCli(['admin', 'company', 'create', '--name', 'App Diner'], { DATABASE_URL: appUrl })).code,
        ).toBe(0);

        serve = new ServeProcess({ DATABASE_URL: appUrl });
        const port = await serve.ready;
        // The start-up line tells operators whether the wall is up; it is written a moment after ready.
        expect(await serve.logLine('gateway listening')).toMatchObject({ rowLevelSecurity: true });
        expect(await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()).toMatchObject({ status: 'ok' });

        const checked = await bash(check as string, { DATABASE_URL: appUrl });
        expect(checked.out.trim().split('\n')).toEqual(['f', '20']);

        // The backup block of the runbook, as the owner (in a directory of its own).
        const backup = runbook.split('Back up daily')[1]?.split('```bash\n')[1]?.split('```')[0] as string;
        await bash(backup, { DATABASE_URL: ownerUrl }, root);
        const dump = execFileSync('sh', ['-c', `cat '${root}'/backups/printermaster_*.sql`], { encoding: 'utf8' });
        expect(dump).toContain('Owner Diner');
        expect(dump).toContain('App Diner');
      },
      180_000,
    );
  });
});
