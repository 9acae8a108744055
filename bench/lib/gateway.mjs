// Starting and driving the real gateway (the compiled CLI), the real agent and
// the virtual printer for the benchmarks.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, sleep, waitUntil } from './proc.mjs';

const run = promisify(execFile);

export const ROOT = new URL('../../', import.meta.url).pathname;
export const CLI = join(ROOT, 'packages/cli/dist/main.js');

/** Environment every benchmark gateway gets (limits that would throttle a benchmark are lifted). */
export function gatewayEnv(extra = {}) {
  return {
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'warn',
    NODE_ENV: 'development',
    PRINTERMASTER_TEST_RATE_PER_BRANCH: '1000000',
    PRINTERMASTER_TEST_RATE_PER_PRINTER: '1000000',
    PRINTERMASTER_WRITE_RATE_PER_BRANCH: '10000000',
    PRINTERMASTER_WRITE_RATE_PER_CREDENTIAL: '10000000',
    PRINTERMASTER_MAX_PENDING_REQUESTS: '100000',
    ...extra,
  };
}

/**
 * A fresh PostgreSQL schema, migrated. Returns the env the gateway needs and a drop(). With
 * `roleUrl`, its role is granted the gateway's privileges and the gateway connects as it.
 */
export async function createPgSchema(databaseUrl, label, { roleUrl } = {}) {
  const schema = `bench_${label}_${Date.now().toString(36)}_${process.pid}`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.end();
  const env = { DATABASE_URL: databaseUrl, PRINTERMASTER_DATABASE_SCHEMA: schema };
  await run(process.execPath, [CLI, 'migrate'], { env: { ...process.env, ...env }, cwd: ROOT });
  if (roleUrl) {
    const role = decodeURIComponent(new URL(roleUrl).username);
    await run(process.execPath, [CLI, 'migrate', '--grant', role], { env: { ...process.env, ...env }, cwd: ROOT });
  }
  return {
    schema,
    env: roleUrl ? { ...env, DATABASE_URL: roleUrl } : env,
    async drop() {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

/** True when PostgreSQL answers at `databaseUrl`. */
export async function pgReachable(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Starts `printermaster serve` and waits until /health/ready answers 200.
 * On a first start the bootstrap secrets are parsed from its output.
 * @param {import('./context.mjs').Context} ctx
 * @param {{name: string, port?: number, storeEnv: Record<string,string>,
 *          env?: Record<string,string>, nodeArgs?: string[], creds?: any}} o
 */
export async function startGateway(ctx, o) {
  const port = o.port ?? (await freePort());
  const proc = ctx.spawn(o.name, process.execPath, [...(o.nodeArgs ?? []), CLI, 'serve'], {
    cwd: ROOT,
    env: gatewayEnv({ PORT: String(port), ...o.storeEnv, ...(o.env ?? {}) }),
    ipc: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  await waitUntil(
    async () => {
      if (proc.exited) throw new Error(`gateway ${o.name} exited (${proc.exitCode}); see its log`);
      // Ready as the gateway says (pm2's signal); the readiness probe below may queue behind agents.
      if (proc.readyAt !== undefined) return true;
      try {
        const res = await fetch(`${url}/health/ready`);
        await res.arrayBuffer();
        return res.status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 120_000, everyMs: 25, what: `gateway ${o.name} ready` },
  );
  const readyAt = proc.readyAt ?? Date.now();
  let creds = o.creds;
  if (!creds) {
    // The secrets come on stdout, a different pipe from the IPC 'ready': wait for them too.
    await waitUntil(async () => proc.lines.some((l) => l.trimStart().startsWith('Admin JWT')), {
      timeoutMs: 10_000,
      everyMs: 25,
      what: `gateway ${o.name} bootstrap output`,
    });
    const field = (label) => {
      const line = proc.lines.find((l) => l.trimStart().startsWith(label));
      if (!line) throw new Error(`gateway ${o.name}: no "${label}" line in the bootstrap output (not a fresh store?)`);
      return line.slice(line.indexOf(':') + 1).trim();
    };
    creds = {
      companyId: field('Company id'),
      branchId: field('Branch id'),
      licenseKey: field('Licence key'),
      adminJwt: field('Admin JWT'),
    };
  }
  return { proc, url, port, creds, startMs: readyAt - startedAt, readyAt };
}

/** Runs `printermaster admin ...` against the store of `storeEnv` and parses its JSON. */
export async function admin(storeEnv, args) {
  const { stdout } = await run(process.execPath, [CLI, 'admin', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...storeEnv },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

/** A new branch with its own licence (and optionally a cashier token). */
export async function createBranch(storeEnv, companyId, name, { maxPrinters = 10, token = false } = {}) {
  const branch = await admin(storeEnv, ['branch', 'create', '--company', companyId, '--name', name]);
  const branchId = branch.id ?? branch.branch?.id;
  const lic = await admin(storeEnv, ['license', 'issue', '--branch', branchId, '--max-printers', String(maxPrinters)]);
  const licenseKey = lic.licenseKey ?? lic.key;
  let cashierToken;
  if (token) {
    const t = await admin(storeEnv, ['token', '--role', 'cashier', '--branch', branchId, '--company', companyId]);
    cashierToken = t.token ?? t.jwt ?? t.accessToken;
  }
  return { branchId, licenseKey, token: cashierToken };
}

/** Starts the virtual printer in sink mode; resolves with its ports. */
export async function startVirtualPrinter(ctx, name) {
  const args = [CLI, 'virtual-printer', '--port', '0', '--control-port', '0', '--sink'];
  const proc = ctx.spawn(name, process.execPath, args, { cwd: ROOT });
  const line = await proc.waitForLine(/virtual printer listening/, 30_000);
  const info = JSON.parse(line);
  return {
    proc,
    port: info.port,
    controlPort: info.controlPort,
    async status() {
      const res = await fetch(`http://127.0.0.1:${info.controlPort}/status`);
      return res.json();
    },
  };
}

/**
 * Starts the real agent with `printers` (names) all printing to one virtual printer
 * port; resolves once it is connected and the gateway lists every printer.
 */
export async function startAgent(
  ctx,
  { name, url, licenseKey, printerNames, printerPort, journalDir, adminJwt, nodeArgs = [] },
) {
  mkdirSync(journalDir, { recursive: true });
  const args = [
    ...nodeArgs,
    CLI,
    'agent',
    '--server',
    url,
    '--license',
    licenseKey,
    '--journal',
    journalDir,
    '--no-cups',
  ];
  for (const p of printerNames) args.push('--printer', `${p}=tcp://127.0.0.1:${printerPort}`);
  args.push('--log-level', 'warn');
  const proc = ctx.spawn(name, process.execPath, args, {
    cwd: ROOT,
    env: { PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS: '600000' },
  });
  const printers = await waitUntil(
    async () => {
      if (proc.exited) throw new Error(`agent ${name} exited (${proc.exitCode}); see its log`);
      const list = await getJson(url, '/printing/printers', adminJwt).catch(() => undefined);
      const found = (list?.printers ?? []).filter((p) => printerNames.includes(p.name));
      return found.length === printerNames.length && found.every((p) => p.status === 'online') ? found : undefined;
    },
    { timeoutMs: 60_000, everyMs: 200, what: `agent ${name} printers online` },
  );
  return { proc, printers };
}

export async function getJson(url, path, token) {
  const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await res.json();
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  return body;
}

/** Waits for `ms` while the gateway settles (connections, timers). */
export const settle = (ms) => sleep(ms);
