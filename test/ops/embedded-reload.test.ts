import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/server/test/support/readiness.js';
import { eventually } from '../../packages/server/test/support/socket-clients.js';
import { baseEnv, E2E_TIMEOUT_MS } from '../e2e/system.js';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;

/**
 * docs/operations.md's zero-downtime reload on the default, embedded store, through the real pm2
 * and deploy/pm2/ecosystem.config.cjs: only one process may open the store, so the new worker
 * listens beside the old one and asks it to hand the store over (decision 0010). Health is polled
 * all through the reload; every probe must be answered 200, none refused or failed.
 */
describe('pm2 reload on the embedded store', () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-reload-'));
  let env: NodeJS.ProcessEnv = {};
  const pm2 = async (...args: string[]) =>
    (await run('npx', ['pm2', ...args], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 })).stdout;

  afterAll(async () => {
    await pm2('kill').catch(() => {});
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'answers every health probe while the new process takes the store over from the old one',
    async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      env = {
        ...baseEnv(),
        PM2_HOME: join(root, 'pm2'),
        PORT: String(port),
        PRINTERMASTER_DATA_DIR: join(root, 'data'),
      };
      await pm2('start', 'deploy/pm2/ecosystem.config.cjs');
      // A fresh store is created at the first start (initdb): tens of seconds on a loaded machine.
      await eventually(
        async () => (await fetch(`${base}/health/ready`).catch(() => undefined))?.ok,
        E2E_TIMEOUT_MS / 2,
        'the first gateway ready',
      );
      const before = (await pm2('pid', 'printermaster')).trim();

      let polls = 0;
      const failures: string[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          polls++;
          try {
            // A probe may wait while the store changes hands (held, not refused); the hold ends at 15 s.
            const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(20_000) });
            if (res.status !== 200) failures.push(`HTTP ${res.status}`);
          } catch (err) {
            failures.push(String((err as Error).cause ?? err));
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
      await pm2('reload', 'printermaster', '--wait-ready', '--listen-timeout', '10000');
      polling = false;
      await poller;

      const after = (await pm2('pid', 'printermaster')).trim();
      expect(after).not.toBe(before);
      expect(polls).toBeGreaterThan(3);
      expect(failures).toEqual([]);
      // The old process handed the store over (rather than the new one waiting for it to stop).
      const log = readFileSync(join(root, 'pm2', 'logs', 'printermaster-out.log'), 'utf8');
      expect(log).toContain('"msg":"the running gateway agreed to hand the data directory over"');
      expect(log).toMatch(/"reason":"handover".*"msg":"gateway stopped"/);
      const health = (await (await fetch(`${base}/api/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
    },
    E2E_TIMEOUT_MS,
  );
});
