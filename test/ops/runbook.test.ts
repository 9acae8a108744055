import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/server/test/support/readiness.js';
import { eventually } from '../../packages/server/test/support/socket-clients.js';
import { postgresAvailable } from '../../packages/server/test/support/test-database.js';
import { redisAvailable, TEST_REDIS_URL } from '../../packages/server/test/support/test-redis.js';
import { baseEnv } from '../e2e/system.js';

const repo = new URL('../../', import.meta.url).pathname;
const runbook = readFileSync(join(repo, 'docs/operations.md'), 'utf8');

interface Block {
  section: string;
  tag: string;
  code: string;
}

/** The runbook's command blocks: ```bash (production set-up) and ```bash embedded (embedded store). */
function blocks(): Block[] {
  const out: Block[] = [];
  let section = '';
  const lines = runbook.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^#{2,3} /.test(line)) section = line.replace(/^#+ /, '');
    const open = /^```bash( embedded)?\s*$/.exec(line);
    if (!open) continue;
    const code: string[] = [];
    for (i++; i < lines.length && !(lines[i] as string).startsWith('```'); i++) code.push(lines[i] as string);
    out.push({ section, tag: open[1] ? 'embedded' : 'production', code: code.join('\n') });
  }
  return out;
}

const ready = (await postgresAvailable()) && (await redisAvailable());

/** What the incident playbooks grep pm2's logs for without a fallback (their blocks fail on no match). */
const PLAYBOOK_LINES = [
  /"msg":"Active pending requests/,
  /"msg":"Client (connected|disconnected)"/,
  /"msg":"Request timeout"/,
];

/**
 * docs/operations.md, run as written: every ```bash block in order, in bash
 * with `set -euo pipefail`, against a gateway under pm2 on PostgreSQL and
 * Redis; then the ```bash embedded blocks against one on the embedded store.
 */
describe.runIf(ready)('the operations runbook, run as written', () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-runbook-'));
  const envFile = join(root, 'env.sh');
  const dbName = `pm_runbook_${Date.now()}`;
  const prefix = `test:${randomUUID()}:`;
  const sockets: Socket[] = [];
  let env: Record<string, string> = {};

  const psqlAdmin = (sql: string) =>
    execFileSync(
      'psql',
      ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-Atc', sql],
      { encoding: 'utf8' },
    );

  afterAll(async () => {
    for (const s of sockets) s.close();
    try {
      execFileSync('npx', ['pm2', 'kill'], { cwd: repo, env: { ...baseEnv(), ...env }, stdio: 'ignore' });
    } catch {
      // no daemon
    }
    // The database itself and the ones the restore block made beside it (<name>_restored_<time>).
    const made = psqlAdmin(`SELECT datname FROM pg_database WHERE datname LIKE '${dbName}%'`)
      .split('\n')
      .filter(Boolean);
    for (const name of made) {
      try {
        psqlAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } catch {
        // already gone
      }
    }
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    rmSync(root, { recursive: true, force: true });
    // The runbook writes its backups beside the checkout, as an operator would.
    rmSync(join(repo, 'backups'), { recursive: true, force: true });
  });

  /** Runs one block in bash, with the variables earlier blocks exported; asynchronous, so the test can watch meanwhile. */
  async function run(block: Block): Promise<string> {
    const script = `set -euo pipefail\n[ -f '${envFile}' ] && source '${envFile}'\n${block.code}\nexport -p > '${envFile}'\n`;
    try {
      const { stdout } = await promisify(execFile)('bash', ['-c', script], {
        cwd: repo,
        env: { ...baseEnv(), ...env },
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      return stdout;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; status?: number };
      throw new Error(
        `runbook block in "${block.section}" failed (exit ${e.status}):\n${block.code}\n--- stdout\n${e.stdout}\n--- stderr\n${e.stderr}`,
      );
    }
  }

  it('runs every production command block against a pm2-managed gateway on PostgreSQL and Redis', async () => {
    psqlAdmin(`CREATE DATABASE ${dbName}`);
    const port = await freePort();
    env = {
      PM2_HOME: join(root, 'pm2'),
      PORT: String(port),
      PM_PORT_2: String(await freePort()),
      PM_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
      REDIS_URL: TEST_REDIS_URL,
      PRINTERMASTER_REDIS_PREFIX: prefix,
      PRINTERMASTER_PRINTER_TEST_TIMEOUT_MS: '1500',
      PRINTERMASTER_STALE_SWEEP_INTERVAL_MS: '1000',
      PRINTERMASTER_SOCKET_PING_INTERVAL_MS: '500',
      PRINTERMASTER_BOOTSTRAP: 'true',
    };
    writeFileSync(envFile, '');
    const production = blocks().filter((b) => b.tag === 'production');
    expect(production.length).toBeGreaterThan(10);
    const base = env.PM_URL as string;
    for (const block of production) {
      if (block.section === 'High latency') await causeIncidents(base);
      if (block.code.includes('pm2 reload printermaster')) {
        // Poll health all through the reload: a zero-downtime reload answers every request.
        let failures = 0;
        let polls = 0;
        let polling = true;
        const poller = (async () => {
          while (polling) {
            polls++;
            try {
              const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2_000) });
              if (res.status !== 200) failures++;
            } catch {
              failures++;
            }
            await new Promise((r) => setTimeout(r, 50));
          }
        })();
        const pid = async () =>
          (await run({ section: 'pid', tag: 'production', code: 'npx pm2 pid printermaster' })).trim();
        const before = await pid();
        const reloadOut = await run(block);
        if (process.env.PRINTERMASTER_DEBUG_RUNBOOK) process.stderr.write(reloadOut);
        polling = false;
        await poller;
        expect(await pid()).not.toBe(before);
        expect(polls).toBeGreaterThan(3);
        expect(failures).toBe(0);
        continue;
      }
      const out = await run(block);
      if (block.code.includes('CREATE DATABASE')) expectRestored(out);
      if (block.code.includes('service-registry/status') && block.section === 'Scaling') {
        expect(out).toContain('printermaster-2');
      }
    }
  }, 600_000);

  it('runs the embedded-store blocks (backup and restore) against a pm2-managed gateway on the embedded store', async () => {
    // A new pm2 daemon: the first one keeps the environment it was started with (DATABASE_URL).
    execFileSync('npx', ['pm2', 'kill'], { cwd: repo, env: { ...baseEnv(), ...env }, stdio: 'ignore' });
    const { DATABASE_URL: _db, REDIS_URL: _redis, ...rest } = env;
    env = { ...rest, PM2_HOME: join(root, 'pm2-embedded'), PRINTERMASTER_DATA_DIR: join(root, 'data') };
    writeFileSync(envFile, '');
    await run({
      section: 'setup',
      tag: 'embedded',
      code: 'npx pm2 start deploy/pm2/ecosystem.config.cjs\nfor i in $(seq 1 60); do curl -fsS "$PM_URL/health/ready" && break; sleep 1; done',
    });
    const conventions = blocks()[0] as Block;
    await run(conventions);
    const embedded = blocks().filter((b) => b.tag === 'embedded');
    expect(embedded.length).toBeGreaterThanOrEqual(2);
    for (const block of embedded) await run(block);
    const health = execFileSync('curl', ['-fsS', `${env.PM_URL}/api/health`], { encoding: 'utf8' });
    expect(JSON.parse(health)).toMatchObject({ status: 'ok' });
  }, 300_000);

  /**
   * After the PostgreSQL restore block: the gateway runs on a new database holding the rows of
   * the one backed up, with its sequences at or above its ids, and the block's check counted the
   * printers restored.
   */
  function expectRestored(out: string): void {
    const url = /declare -x DATABASE_URL="([^"]*)"/.exec(readFileSync(envFile, 'utf8'))?.[1];
    const restored = url?.split('/').at(-1) ?? '';
    expect(restored).toMatch(new RegExp(`^${dbName}_restored_\\d{8}_\\d{6}$`));
    // As in the operator's shell: the commands run from here on (admin, as the playbooks do) use the new database.
    env.DATABASE_URL = url as string;
    const psqlIn = (db: string, sql: string) =>
      execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], {
        encoding: 'utf8',
      }).trim();
    const count = (db: string, table: string) => psqlIn(db, `SELECT count(*) FROM ${table}`);
    for (const table of ['companies', 'branches', 'licenses', 'printers', 'print_jobs', 'schema_migrations']) {
      expect(count(restored, table), table).toBe(count(dbName, table));
    }
    expect(Number(count(restored, 'printers'))).toBeGreaterThan(0);
    // The block's last line counts the printers (after the readiness check's answer, which has no newline).
    expect(/(\d+)\s*$/.exec(out)?.[1]).toBe(count(restored, 'printers'));
    const behind = psqlIn(
      restored,
      `SELECT count(*) FROM pg_sequences s WHERE s.schemaname = 'public' AND s.sequencename = 'events_id_seq'
         AND coalesce(s.last_value, 0) < (SELECT coalesce(max(id), 0) FROM events)`,
    );
    expect(behind).toBe('0');
    const health = execFileSync('curl', ['-fsS', `${env.PM_URL}/api/health`], { encoding: 'utf8' });
    expect(JSON.parse(health)).toMatchObject({ status: 'ok' });
  }

  /** What the incident playbooks look for: a connected agent, a rejected handshake, a timed-out printer test. */
  async function causeIncidents(base: string): Promise<void> {
    const token = execFileSync('npx', ['printermaster', 'admin', 'token', '--role', 'super_admin'], {
      cwd: repo,
      env: { ...baseEnv(), ...env },
      encoding: 'utf8',
    });
    const admin = (JSON.parse(token) as { token: string }).token;
    const company = JSON.parse(
      execFileSync('npx', ['printermaster', 'admin', 'company', 'create', '--name', 'Runbook Diner'], {
        cwd: repo,
        env: { ...baseEnv(), ...env },
        encoding: 'utf8',
      }),
    ) as { id: string };
    const branch = JSON.parse(
      execFileSync('npx', ['printermaster', 'admin', 'branch', 'create', '--company', company.id, '--name', 'Main'], {
        cwd: repo,
        env: { ...baseEnv(), ...env },
        encoding: 'utf8',
      }),
    ) as { id: string };
    const licence = JSON.parse(
      execFileSync('npx', ['printermaster', 'admin', 'license', 'issue', '--branch', branch.id], {
        cwd: repo,
        env: { ...baseEnv(), ...env },
        encoding: 'utf8',
      }),
    ) as { licenseKey: string };
    const agent = io(`${base}/printing-ws`, {
      transports: ['websocket'],
      auth: {
        userRole: 'desktop_app',
        licenseKey: licence.licenseKey,
        branchId: branch.id,
        deviceId: 'runbook-till',
        protocolVersion: 2,
      },
    });
    sockets.push(agent);
    await new Promise<void>((resolve) => agent.once('connect', () => resolve()));
    const rejected = io(`${base}/printing-ws`, {
      transports: ['websocket'],
      reconnection: false,
      auth: { userRole: 'desktop_app', licenseKey: randomUUID(), branchId: branch.id, deviceId: 'x' },
    });
    await new Promise<void>((resolve) => rejected.once('connect_error', () => resolve()));
    rejected.close();
    agent.emit('printer:discovered', { name: 'Silent printer', status: 'online' });
    const printerId = await new Promise<string>((resolve) =>
      agent.once('printer:discovery:acknowledged', (a: { printerId: string }) => resolve(a.printerId)),
    );
    // The agent never answers: the test times out and the log says so.
    const res = await fetch(`${base}/printing/printers/${printerId}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(504);
    // The playbooks that follow read pm2's log files: wait until pm2 has written what they grep for.
    await eventually(
      () => {
        const logs = pm2Logs();
        return PLAYBOOK_LINES.every((line) => line.test(logs));
      },
      30_000,
      'the lines the playbooks grep for in the pm2 logs',
    );
  }

  /** The gateway's output as pm2 keeps it (PM2_HOME/logs). */
  function pm2Logs(): string {
    const dir = join(env.PM2_HOME as string, 'logs');
    return readdirSync(dir)
      .filter((f) => f.startsWith('printermaster'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
  }
});
