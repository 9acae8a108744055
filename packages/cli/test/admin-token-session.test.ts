import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, ServeProcess } from './cli-process.js';

const SLOW_MS = 240_000;

interface Pair {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

describe('printermaster admin token --session', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-session-'));
    dirs.push(dir);
    return dir;
  };
  let dataDir: string;
  let serve: ServeProcess;
  let url: string;

  beforeAll(async () => {
    dataDir = tempDir();
    serve = new ServeProcess({ PRINTERMASTER_DATA_DIR: dataDir, PRINTERMASTER_BOOTSTRAP: 'false' });
    url = `http://127.0.0.1:${await serve.ready}`;
  }, SLOW_MS);
  afterAll(async () => {
    await serve.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, SLOW_MS);

  it(
    'prints a session pair through the running gateway, which refreshes and logs out like any session',
    async () => {
      const env = { PRINTERMASTER_DATA_DIR: dataDir };
      const company = JSON.parse((await runCli(['admin', 'company', 'create', '--name', 'Cafe'], env)).stdout) as {
        id: string;
      };
      const branch = JSON.parse(
        (await runCli(['admin', 'branch', 'create', '--company', company.id, '--name', 'Pier'], env)).stdout,
      ) as { id: string };
      const minted = await runCli(['admin', 'token', '--session', '--role', 'cashier', '--branch', branch.id], env);
      expect(minted.code, minted.stderr).toBe(0);
      const pair = JSON.parse(minted.stdout) as Pair;
      expect(pair.refreshToken).toMatch(/^pmr_/);
      const get = (token: string) =>
        fetch(`${url}/printing/printers`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get(pair.accessToken)).status).toBe(200);

      const refreshed = await fetch(`${url}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: pair.refreshToken }),
      });
      const next = (await refreshed.json()) as Pair;
      expect(next.sessionId).toBe(pair.sessionId);
      const logout = await fetch(`${url}/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${next.accessToken}` },
      });
      expect(logout.status).toBe(200);
      expect((await get(next.accessToken)).status).toBe(401);

      // The plain token is as before; --expires belongs to it alone.
      const plain = await runCli(['admin', 'token', '--role', 'cashier', '--branch', branch.id], env);
      expect(Object.keys(JSON.parse(plain.stdout) as object)).toEqual(['token']);
      const both = await runCli(
        ['admin', 'token', '--session', '--expires', '1h', '--role', 'cashier', '--branch', branch.id],
        env,
      );
      expect(both.code).toBe(1);
      expect(both.stderr).toContain('--expires does not apply to --session');
    },
    SLOW_MS,
  );

  it(
    'prints a session pair from the store when no gateway runs',
    async () => {
      const env = { PRINTERMASTER_DATA_DIR: tempDir() };
      // A store made without a gateway (admin commands refuse a directory without one).
      expect((await runCli(['migrate'], env)).code).toBe(0);
      const company = JSON.parse((await runCli(['admin', 'company', 'create', '--name', 'Offline'], env)).stdout) as {
        id: string;
      };
      const minted = await runCli(
        ['admin', 'token', '--session', '--role', 'company_owner', '--company', company.id],
        env,
      );
      expect(minted.code, minted.stderr).toBe(0);
      expect(JSON.parse(minted.stdout)).toMatchObject({ refreshToken: expect.stringMatching(/^pmr_/) });
    },
    SLOW_MS,
  );
});
