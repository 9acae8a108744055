import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, ServeProcess } from './cli-process.js';

const SLOW_MS = 240_000;

interface LoginLink {
  url: string;
  expiresAt: string;
  role: string;
  companyId?: string;
  branchId?: string;
}

describe('printermaster admin login-link', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-login-link-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'prints a one-time link on the store when no gateway runs, which a gateway started later accepts once',
    async () => {
      const dataDir = tempDir();
      const env = { PRINTERMASTER_DATA_DIR: dataDir, PRINTERMASTER_PUBLIC_URL: 'https://print.example.com' };
      expect((await runCli(['migrate'], env)).code).toBe(0);
      const company = JSON.parse((await runCli(['admin', 'company', 'create', '--name', 'Quay'], env)).stdout) as {
        id: string;
      };
      const branch = JSON.parse(
        (await runCli(['admin', 'branch', 'create', '--company', company.id, '--name', 'Pier'], env)).stdout,
      ) as { id: string };

      const printed = await runCli(['admin', 'login-link', '--role', 'cashier', '--branch', branch.id], env);
      expect(printed.code, printed.stderr).toBe(0);
      const link = JSON.parse(printed.stdout) as LoginLink;
      expect(link).toMatchObject({ role: 'cashier', companyId: company.id, branchId: branch.id });
      expect(link.url).toMatch(/^https:\/\/print\.example\.com\/login#pmr_[A-Za-z0-9_-]{43}$/);
      const lifeMs = Date.parse(link.expiresAt) - Date.now();
      expect(lifeMs).toBeGreaterThan(8 * 60_000);
      expect(lifeMs).toBeLessThanOrEqual(10 * 60_000);

      // A role it does not know is refused before any session starts.
      const badRole = await runCli(['admin', 'login-link', '--role', 'chef'], env);
      expect(badRole.code).toBe(1);
      expect(badRole.stderr).toContain('role must be one of');

      const serve = new ServeProcess({ PRINTERMASTER_DATA_DIR: dataDir, PRINTERMASTER_BOOTSTRAP: 'false' });
      try {
        const url = `http://127.0.0.1:${await serve.ready}`;
        const code = link.url.split('#')[1] as string;
        const login = () =>
          fetch(`${url}/auth/web/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-printermaster-csrf': '1' },
            body: JSON.stringify({ code }),
          });
        const first = await login();
        expect(first.status).toBe(200);
        expect(((await first.json()) as { user: { branchId: string } }).user.branchId).toBe(branch.id);
        expect((await login()).status).toBe(401);
      } finally {
        await serve.stop();
      }
    },
    SLOW_MS,
  );

  it(
    'names the running gateway’s own address, whatever the settings of the shell the command runs in',
    async () => {
      const dataDir = tempDir();
      const serve = new ServeProcess({
        PRINTERMASTER_DATA_DIR: dataDir,
        PRINTERMASTER_PUBLIC_URL: 'https://kitchen-gateway.example.com',
      });
      try {
        await serve.ready;
        // The operator's shell has another PORT and no PRINTERMASTER_PUBLIC_URL.
        const printed = await runCli(['admin', 'login-link'], { PRINTERMASTER_DATA_DIR: dataDir, PORT: '4999' });
        expect(printed.code, printed.stderr).toBe(0);
        const link = JSON.parse(printed.stdout) as LoginLink;
        expect(link.url).toMatch(/^https:\/\/kitchen-gateway\.example\.com\/login#pmr_/);
        expect(link).not.toHaveProperty('publicUrl');
      } finally {
        await serve.stop();
      }
    },
    SLOW_MS,
  );
});
