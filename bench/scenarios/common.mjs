// Shared setup of the scenarios: a gateway on a fresh store, bare server, ticket content.
import { admin, createPgSchema, startAgent, startGateway } from '../lib/gateway.mjs';

/**
 * A gateway on a fresh store: `embedded` (PGlite in a new data directory) or
 * `postgres` (a new schema, migrated). `cleanup()` drops the schema.
 * @param {import('../lib/context.mjs').Context} ctx
 */
let serial = 0;

export async function freshGateway(ctx, store, name, { env = {}, nodeArgs = [] } = {}) {
  serial++;
  let storeEnv;
  let cleanup = async () => {};
  if (store === 'postgres') {
    const schema = await createPgSchema(ctx.opts.databaseUrl, name.replace(/[^a-z0-9]/gi, '_').toLowerCase(), {
      roleUrl: ctx.opts.databaseRoleUrl,
    });
    storeEnv = schema.env;
    cleanup = () => schema.drop().catch(() => {});
  } else {
    storeEnv = { PRINTERMASTER_DATA_DIR: ctx.dir(`${name}-${serial}-data`) };
  }
  const allEnv = { ...(ctx.opts.gatewayEnv ?? {}), ...env };
  const gw = await startGateway(ctx, { name, storeEnv, env: allEnv, nodeArgs });
  return { ...gw, storeEnv, store, cleanup, env: allEnv, nodeArgs };
}

/** Forks the bare Socket.IO server and resolves with its URL. */
export async function bareServer(ctx, name, { execArgv = [], env = {} } = {}) {
  const proc = ctx.fork(name, 'bare-server.mjs', { execArgv, env });
  const line = await proc.waitForLine(/bare server listening/, 30_000);
  const { port } = JSON.parse(line);
  return { proc, url: `http://127.0.0.1:${port}`, port };
}

/**
 * A kitchen ticket as raw ESC/POS (initialise, ~20 text lines, feed, cut):
 * about 600 bytes, a typical order ticket.
 */
export function ticketBase64() {
  const lines = ['TABLE 12        KITCHEN', '------------------------'];
  for (let i = 1; i <= 16; i++) lines.push(`${i} x Item number ${String(i).padStart(2, '0')}   no onions`);
  lines.push('------------------------', 'Bench ticket');
  const text = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
  return Buffer.concat([Buffer.from([0x1b, 0x40]), text, Buffer.from([0x1b, 0x64, 0x03, 0x1d, 0x56, 0x00])]).toString(
    'base64',
  );
}

export function ratio(a, b, digits = 2) {
  if (a === undefined || b === undefined || b === 0) return undefined;
  const f = 10 ** digits;
  return Math.round((a / b) * f) / f;
}

/**
 * The durable path's clients of one gateway: the real agent with `ctx.opts.printers` printers on
 * the virtual printer, and the job submitters (`durable-load.mjs`) started with its printers and a
 * token in the company's scope (or a super_admin's). Stopping them is the caller's.
 * @param {import('../lib/context.mjs').Context} ctx
 */
export async function startSubmitPath(ctx, gw, vp, { name, connections, agentNodeArgs = [], idempotency = false }) {
  const printerNames = Array.from({ length: ctx.opts.printers }, (_, i) => `bench-${i + 1}`);
  const agent = await startAgent(ctx, {
    name: `agent-${name}`,
    url: gw.url,
    licenseKey: gw.creds.licenseKey,
    printerNames,
    printerPort: vp.port,
    journalDir: ctx.agentJournal(`agent-journal-${name}`),
    adminJwt: gw.creds.adminJwt,
    nodeArgs: agentNodeArgs,
  });
  const load = ctx.fork(`durable-load-${name}`, 'durable-load.mjs');
  // A company's own user submits in that company's tenant scope; a super_admin in every company's.
  const token =
    ctx.opts.durableRole === 'company_owner'
      ? (await admin(gw.storeEnv, ['token', '--role', 'company_owner', '--company', gw.creds.companyId])).token
      : gw.creds.adminJwt;
  return {
    agent,
    load,
    /** Opens the submitters' connections; the load runs when asked (`load.call('run', …)`). */
    start: () =>
      load.call('start', {
        url: gw.url,
        token,
        printerIds: agent.printers.map((p) => p.id),
        contentBase64: ticketBase64(),
        connections,
        ...(idempotency ? { idempotency: true } : {}),
      }),
  };
}
