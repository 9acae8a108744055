import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { sql } from 'kysely';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSocket, connectAgent, connectWeb, nextEvent } from '../support/socket-clients.js';
import { postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** Resolves with the reason once the socket is disconnected by the other side. */
function disconnected(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

/** The handshake's refusal code, or `undefined` if it was admitted. */
async function refusal(socket: Socket): Promise<string | undefined> {
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve(undefined);
    });
    socket.once('connect_error', (err: Error & { data?: { reason?: string } }) => {
      socket.close();
      resolve(err.data?.reason);
    });
  });
}

for (const store of ['pglite', 'postgres'] as const) {
  const available = store === 'pglite' || (await postgresAvailable());
  describe.runIf(available)(`revocation takes effect at once (${store})`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ store });
    });
    afterAll(() => gw.close());

    const jobState = async (token: string, id: string) => {
      const res = await fetch(`${gw.url}/printing/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } });
      return ((await res.json()) as { job: { state: string } }).job.state;
    };

    it('disconnects the agents of a revoked licence, refuses them after, and sends them no job', async () => {
      const t = await gw.seedTenant(`Revoked-${randomUUID().slice(0, 6)}`);
      const id = { licenseKey: t.licenseKey, branchId: t.branchId };
      const v2 = await connectAgent(gw.url, { ...id, deviceId: 'till-v2' });
      const legacy = await connectAgent(gw.url, { ...id, deviceId: 'till-legacy', v2: false });
      const gone = [disconnected(v2), disconnected(legacy)];
      await gw.licenses.setStatus(t.licenseId, 'revoked', 'test');
      expect(await Promise.all(gone)).toEqual(['transport close', 'transport close']);
      expect(await refusal(agentSocket(gw.url, { ...id, deviceId: 'till-v2' }))).toBe('LICENSE_INVALID');

      const manager = await gw.token('branch_manager', { companyId: t.companyId, branchId: t.branchId });
      const printer = await fetch(`${gw.url}/printing/printers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
        body: JSON.stringify({ branchId: t.branchId, name: 'Grill', ip: '127.0.0.1', port: 9100 }),
      });
      const printerId = ((await printer.json()) as { printer: { id: string } }).printer.id;
      const created = await fetch(`${gw.url}/printing/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
        body: JSON.stringify({ printerId, content: Buffer.from('after revoke\n').toString('base64') }),
      });
      const job = ((await created.json()) as { job: { id: string } }).job.id;
      expect(await jobState(manager, job)).toBe('queued');
    });

    it('disconnects an agent when its licence expires', async () => {
      const company = await gw.tenants.createCompany(`Expiring-${randomUUID().slice(0, 6)}`, 'test');
      const branch = await gw.tenants.createBranch(company.id, 'Branch', 'test');
      const { key } = await gw.licenses.issue({
        companyId: company.id,
        branchId: branch.id,
        expiresAt: new Date(Date.now() + 1_500),
        actor: 'test',
      });
      const agent = await connectAgent(gw.url, { licenseKey: key, branchId: branch.id, deviceId: 'till-exp' });
      expect(await disconnected(agent)).toBe('transport close');
      expect(await refusal(agentSocket(gw.url, { licenseKey: key, branchId: branch.id, deviceId: 'till-exp' }))).toBe(
        'LICENSE_INVALID',
      );
    });

    it('closes a web socket when its token expires, after telling it', async () => {
      const t = await gw.seedTenant(`Web-${randomUUID().slice(0, 6)}`);
      const token = await gw.jwt.sign(
        { sub: 'short-lived', role: 'cashier', companyId: t.companyId, branchId: t.branchId },
        '2',
      );
      const web = await connectWeb(gw.url, token);
      const told = nextEvent<{ code: string }>(web, 'auth:expired', 10_000);
      const gone = disconnected(web);
      expect((await told).code).toBe('AUTH_FAILED');
      expect(await gone).toBe('io server disconnect');
    });

    it('refuses a JWT without exp, over REST and over the socket', async () => {
      const t = await gw.seedTenant(`NoExp-${randomUUID().slice(0, 6)}`);
      const forever = await new SignJWT({ role: 'cashier', companyId: t.companyId, branchId: t.branchId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('forever')
        .sign(new TextEncoder().encode(SECRET));
      const res = await fetch(`${gw.url}/printing/jobs`, { headers: { authorization: `Bearer ${forever}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        success: false,
        code: 'AUTH_FAILED',
        message: 'token has no expiry (exp)',
      });
      await expect(connectWeb(gw.url, forever)).rejects.toMatchObject({ data: { code: 'AUTH_FAILED' } });
    });
  });
}

describe.runIf(await postgresAvailable())('revocation on every process (postgres)', () => {
  let first: TestGateway;
  let second: TestGateway;
  let schema = '';
  beforeAll(async () => {
    first = await startTestGateway({ store: 'postgres' });
    const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(first.database.db);
    schema = rows[0]?.schema ?? '';
    second = await startTestGateway({ store: 'postgres', schema });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('disconnects an agent on another process when the licence is revoked by SQL from outside', async () => {
    const t = await first.seedTenant(`Elsewhere-${randomUUID().slice(0, 6)}`);
    const agent = await connectAgent(second.url, {
      licenseKey: t.licenseKey,
      branchId: t.branchId,
      deviceId: 'till-far',
    });
    const gone = disconnected(agent);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query(`UPDATE licenses SET status = 'revoked' WHERE id = $1`, [t.licenseId]);
    } finally {
      await client.end();
    }
    expect(await gone).toBe('transport close');
  });
});
