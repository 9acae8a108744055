import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/test/support/readiness.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../../server/test/support/test-database.js';
import { redisAvailable, TEST_REDIS_URL } from '../../server/test/support/test-redis.js';
import { cleanEnv, runCli, ServeProcess } from './cli-process.js';

/** A gateway on a fresh embedded store takes up to half a minute to open on a loaded machine; each check is a new process. */
const SLOW_MS = 240_000;

/** The one line a check prints (stdout on success, stderr on failure). */
const oneLine = (text: string) => {
  expect(text.trim().split('\n')).toHaveLength(1);
  return text.trim();
};

describe('printermaster health and smoke, against a real gateway on the embedded store', () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-health-'));
  const dataDir = join(root, 'data');
  let serve: ServeProcess;
  let target: string;
  let adminToken: string;
  let licenseKey: string;
  /** A port nothing listens on: the wrong target. */
  let deadTarget: string;

  beforeAll(async () => {
    serve = new ServeProcess({ PRINTERMASTER_DATA_DIR: dataDir });
    target = `http://127.0.0.1:${await serve.ready}`;
    ({ adminToken, licenseKey } = await serve.credentials());
    deadTarget = `http://127.0.0.1:${await freePort()}`;
  }, SLOW_MS);

  afterAll(async () => {
    await serve?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'health db asks the running gateway that holds the embedded store, opens one no gateway holds, and fails where there is none',
    async () => {
      const ok = await runCli(['health', 'db'], { PRINTERMASTER_DATA_DIR: dataDir });
      expect(ok.code).toBe(0);
      expect(oneLine(ok.stdout)).toMatch(/^database ok: embedded store .*held by the running gateway/);

      // A store no gateway holds (made by `migrate`, as before a first start) is opened and queried here.
      const idleDir = join(root, 'idle');
      expect((await runCli(['migrate'], { PRINTERMASTER_DATA_DIR: idleDir })).code).toBe(0);
      const idle = await runCli(['health', 'db'], { PRINTERMASTER_DATA_DIR: idleDir });
      expect(idle.code).toBe(0);
      expect(oneLine(idle.stdout)).toMatch(
        /^database ok: embedded store .*idle \(no gateway running\), select 1 in [\d.]+ ms, \d+ migrations applied, none pending$/,
      );

      const none = await runCli(['health', 'db'], { PRINTERMASTER_DATA_DIR: join(root, 'nowhere') });
      expect(none.code).toBe(1);
      expect(oneLine(none.stderr)).toMatch(/^database FAILED: no DATABASE_URL and no embedded store in .*nowhere/);
    },
    SLOW_MS,
  );

  it(
    'health websocket does a web-client handshake on /printing-ws and reports round trips; a bad token or target fails',
    async () => {
      const ok = await runCli(['health', 'websocket', '--target', target, '--token', adminToken, '--count', '3']);
      expect(ok.code).toBe(0);
      expect(oneLine(ok.stdout)).toMatch(
        /^websocket ok: http:\/\/127\.0\.0\.1:\d+\/printing-ws via websocket, handshake [\d.]+ ms, 3 round trips min\/avg\/max [\d.]+\/[\d.]+\/[\d.]+ ms/,
      );

      const badToken = await runCli(['health', 'websocket', '--target', target, '--token', 'not-a-token']);
      expect(badToken.code).toBe(1);
      expect(oneLine(badToken.stderr)).toMatch(/^websocket FAILED: .*handshake refused: AUTH_FAILED/);

      const wrongTarget = await runCli(['health', 'websocket', `--target=${deadTarget}`, `--token=${adminToken}`]);
      expect(wrongTarget.code).toBe(1);
      expect(oneLine(wrongTarget.stderr)).toMatch(/^websocket FAILED: .*handshake failed: .*ECONNREFUSED/);
    },
    SLOW_MS,
  );

  it(
    'health websocket without --token takes PRINTERMASTER_TOKEN, else mints a super_admin token through the gateway holding the embedded store, else names the three ways',
    async () => {
      const fromEnv = await runCli(['health', 'websocket', '--target', target, '--count', '1'], {
        PRINTERMASTER_TOKEN: adminToken,
        PRINTERMASTER_DATA_DIR: join(root, 'nowhere'),
      });
      expect(fromEnv.code, fromEnv.stderr).toBe(0);
      expect(oneLine(fromEnv.stdout)).toMatch(/^websocket ok: /);

      // The variable wins over minting: a token the gateway refuses fails the handshake.
      const badEnv = await runCli(['health', 'websocket', '--target', target], {
        PRINTERMASTER_TOKEN: 'not-a-token',
        PRINTERMASTER_DATA_DIR: dataDir,
      });
      expect(badEnv.code).toBe(1);
      expect(oneLine(badEnv.stderr)).toMatch(/handshake refused: AUTH_FAILED/);

      const minted = await runCli(['health', 'websocket', '--target', target, '--count', '1'], {
        PRINTERMASTER_DATA_DIR: dataDir,
      });
      expect(minted.code, minted.stderr).toBe(0);
      expect(oneLine(minted.stdout)).toMatch(/^websocket ok: /);
      expect(minted.stdout + minted.stderr).not.toMatch(/eyJ/);

      const noToken = await runCli(['health', 'websocket', '--target', target], {
        PRINTERMASTER_DATA_DIR: join(root, 'nowhere'),
      });
      expect(noToken.code).toBe(2);
      expect(oneLine(noToken.stderr)).toMatch(
        /^websocket FAILED: no token: give --token, set PRINTERMASTER_TOKEN, or run this on the gateway's host .*there is no embedded store in .*nowhere/,
      );
    },
    SLOW_MS,
  );

  it(
    "scripts/test-websocket-connection.js runs the websocket check against this host's gateway (PORT) and passes its exit code through",
    async () => {
      const script = fileURLToPath(new URL('../../../scripts/test-websocket-connection.js', import.meta.url));
      const run = (args: string[], env: Record<string, string>) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          execFile(process.execPath, [script, ...args], { env: { ...cleanEnv(), ...env } }, (err, stdout, stderr) =>
            resolve({ code: err ? (err.code as number) : 0, stdout, stderr }),
          );
        });
      const port = new URL(target).port;
      // A generous deadline for each step: on a loaded machine minting the token and the handshake take seconds.
      const ok = await run(['--count', '1', '--timeout', '120000'], { PORT: port, PRINTERMASTER_DATA_DIR: dataDir });
      expect(ok.code, ok.stderr).toBe(0);
      expect(oneLine(ok.stdout)).toMatch(new RegExp(`^websocket ok: http://127\\.0\\.0\\.1:${port}/printing-ws`));

      const refused = await run([`--target=${target}`, '--token', 'not-a-token', '--timeout', '120000'], {});
      expect(refused.code).toBe(1);
      expect(oneLine(refused.stderr)).toMatch(/handshake refused: AUTH_FAILED/);
    },
    SLOW_MS,
  );

  it(
    "smoke without --token, on the gateway's host, mints a short-lived super_admin token and passes",
    async () => {
      const smoke = await runCli(['smoke', `--target=${target}`], { PRINTERMASTER_DATA_DIR: dataDir }, SLOW_MS);
      expect(smoke.code, smoke.stderr).toBe(0);
      expect(oneLine(smoke.stdout)).toMatch(/^smoke ok: .*\(branch printermaster-smoke/);
    },
    SLOW_MS,
  );

  it(
    'smoke with a super_admin token provisions its own branch, prints a test page and a job through a real agent, and revokes its licence',
    async () => {
      const smoke = await runCli(['smoke', `--target=${target}`, `--token=${adminToken}`], {}, SLOW_MS);
      expect(smoke.code, smoke.stderr).toBe(0);
      expect(oneLine(smoke.stdout)).toMatch(
        /^smoke ok: .*agent handshake [\d.]+ ms, printer test printed in [\d.]+ ms, job printed and confirmed in [\d.]+ ms \(branch printermaster-smoke/,
      );
      const res = await fetch(`${target}/admin/licences?branchId=printermaster-smoke`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      const { licences } = (await res.json()) as { licences: { status: string }[] };
      expect(licences.length).toBeGreaterThan(0);
      expect(licences.every((l) => l.status === 'revoked')).toBe(true);
    },
    SLOW_MS,
  );

  it(
    "smoke with a licence and a token tests in that licence's branch",
    async () => {
      const smoke = await runCli(
        ['smoke', '--target', target, '--token', adminToken, '--license', licenseKey, '--printer-name', 'smoke-2'],
        {},
        SLOW_MS,
      );
      expect(smoke.code, smoke.stderr).toBe(0);
      expect(oneLine(smoke.stdout)).toMatch(/^smoke ok: .*printer smoke-2 on 127\.0\.0\.1:\d+\)$/);
    },
    SLOW_MS,
  );

  it(
    'smoke fails in one line naming the step: a wrong target, a token the gateway refuses, no token',
    async () => {
      const wrongTarget = await runCli(['smoke', `--target=${deadTarget}`, '--token', adminToken]);
      expect(wrongTarget.code).toBe(1);
      expect(oneLine(wrongTarget.stderr)).toMatch(/^smoke FAILED at health: .*GET \/api\/health: .*ECONNREFUSED/);

      const badToken = await runCli(['smoke', `--target=${target}`, '--token', 'not-a-token']);
      expect(badToken.code).toBe(1);
      expect(oneLine(badToken.stderr)).toMatch(/^smoke FAILED at licence: .*401/);

      const noToken = await runCli(['smoke', `--target=${target}`], { PRINTERMASTER_DATA_DIR: join(root, 'nowhere') });
      expect(noToken.code).toBe(2);
      expect(oneLine(noToken.stderr)).toMatch(
        /^smoke FAILED: no token: give --token, set PRINTERMASTER_TOKEN, or run this on the gateway's host with its configuration/,
      );

      // This gateway's super_admin token is minted for this host or its public URL only, never sent elsewhere.
      const elsewhere = await runCli(['smoke', '--target=http://gateway.example.invalid:3001'], {
        PRINTERMASTER_DATA_DIR: dataDir,
      });
      expect(elsewhere.code).toBe(2);
      expect(oneLine(elsewhere.stderr)).toMatch(
        /^smoke FAILED: no token: .*gateway\.example\.invalid:3001 is neither this host nor PRINTERMASTER_PUBLIC_URL/,
      );
    },
    SLOW_MS,
  );
});

describe.runIf(await postgresAvailable())('printermaster health db on PostgreSQL', () => {
  let schema: { schema: string; drop: () => Promise<void> };
  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterAll(() => schema?.drop());

  it(
    'fails while migrations are pending, passes once they are applied, and fails on an unreachable server',
    async () => {
      const env = { DATABASE_URL: TEST_DATABASE_URL, PRINTERMASTER_DATABASE_SCHEMA: schema.schema };
      const pending = await runCli(['health', 'db'], env);
      expect(pending.code).toBe(1);
      expect(oneLine(pending.stderr)).toMatch(
        /^database FAILED: postgres:\/\/.*migration\(s\) pending .*run `printermaster migrate`$/,
      );

      expect((await runCli(['migrate'], env)).code).toBe(0);
      const ok = await runCli(['health', 'db'], env);
      expect(ok.code).toBe(0);
      expect(oneLine(ok.stdout)).toMatch(
        /^database ok: postgres:\/\/.*select 1 in [\d.]+ ms, \d+ migrations applied, none pending/,
      );

      const down = await runCli(['health', 'db'], {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/x`,
      });
      expect(down.code).toBe(1);
      expect(oneLine(down.stderr)).toMatch(/^database FAILED: postgres:\/\/127\.0\.0\.1:\d+\/x: .*ECONNREFUSED/);
    },
    SLOW_MS,
  );
});

describe.runIf(await redisAvailable())('printermaster health redis', () => {
  it(
    'PINGs REDIS_URL, fails on an unreachable one, and says so when REDIS_URL is not set (exit 3)',
    async () => {
      const ok = await runCli(['health', 'redis'], { REDIS_URL: TEST_REDIS_URL });
      expect(ok.code).toBe(0);
      expect(oneLine(ok.stdout)).toMatch(/^redis ok: redis:\/\/127\.0\.0\.1:6379.*PING in [\d.]+ ms/);

      const down = await runCli(['health', 'redis'], { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
      expect(down.code).toBe(1);
      expect(oneLine(down.stderr)).toMatch(/^redis FAILED: redis:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/);

      const unset = await runCli(['health', 'redis']);
      expect(unset.code).toBe(3);
      expect(oneLine(unset.stderr)).toMatch(/^redis not configured: REDIS_URL is not set/);
    },
    SLOW_MS,
  );

  it(
    'runs as `npm run health:redis`, as the Kubernetes runbook calls it',
    async () => {
      const repo = new URL('../../../', import.meta.url).pathname;
      const child = spawn('npm', ['run', '--silent', 'health:redis'], {
        cwd: repo,
        env: { ...cleanEnv(), REDIS_URL: TEST_REDIS_URL },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(oneLine(stdout)).toMatch(/^redis ok: /);
    },
    SLOW_MS,
  );
});
