import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminCommands } from '../../src/admin/admin-commands.js';
import { agentSocket, connectAgent } from '../support/socket-clients.js';
import { postgresAvailable } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** Resolves with the reason once the socket is disconnected by the other side. */
function disconnected(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

/** The handshake's refusal code, or `undefined` if it was admitted. */
function refusal(socket: Socket): Promise<string | undefined> {
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

async function post(
  url: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A printer in the branch and a job for it: the job's answer. */
async function submitJob(gw: TestGateway, token: string, branchId: string) {
  const printer = await post(`${gw.url}/printing/printers`, token, {
    branchId,
    name: `P-${randomUUID().slice(0, 6)}`,
    ip: '127.0.0.1',
    port: 9100,
  });
  const printerId = (printer.body.printer as { id: string }).id;
  return (content: string) =>
    post(`${gw.url}/printing/jobs`, token, { printerId, content: Buffer.from(content).toString('base64') });
}

for (const [label, store, rowLevelSecurity] of [
  ['pglite', 'pglite', false],
  ['postgres', 'postgres', false],
  // As production runs: a role under row-level security, each web user's request in its company's scope.
  ['postgres, row-level security', 'postgres', true],
] as const) {
  const available = store === 'pglite' || (await postgresAvailable());
  describe.runIf(available)(`admin API and real agents (${label})`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ store, rowLevelSecurity });
    });
    afterAll(() => gw.close());

    it('disconnects a deactivated branch’s agents, refuses their handshakes and its jobs, and admits them once activated', async () => {
      const t = await gw.seedTenant(`Deactivated-${randomUUID().slice(0, 6)}`);
      const owner = await gw.token('company_owner', { companyId: t.companyId });
      const id = { licenseKey: t.licenseKey, branchId: t.branchId, deviceId: 'till-1' };
      const agent = await connectAgent(gw.url, id);
      const gone = disconnected(agent);
      const job = await submitJob(gw, owner, t.branchId);
      expect((await job('before\n')).status).toBe(202);

      const off = await post(`${gw.url}/admin/branches/${t.branchId}/deactivate`, owner);
      expect(off.status).toBe(200);
      expect(await gone).toBe('transport close');
      expect(await refusal(agentSocket(gw.url, id))).toBe('BRANCH_INACTIVE');
      expect(await job('during\n')).toMatchObject({ status: 403, body: { code: 'BRANCH_INACTIVE' } });

      expect((await post(`${gw.url}/admin/branches/${t.branchId}/activate`, owner)).status).toBe(200);
      const back = await connectAgent(gw.url, id);
      expect((await job('after\n')).status).toBe(202);
      back.close();
    });

    it('takes the CLI’s branch deactivation (the admin socket’s commands) into effect at once', async () => {
      const t = await gw.seedTenant(`Cli-${randomUUID().slice(0, 6)}`);
      const commands = new AdminCommands(gw.tenants, gw.licenses, gw.jwt);
      const id = { licenseKey: t.licenseKey, branchId: t.branchId, deviceId: 'till-cli' };
      const agent = await connectAgent(gw.url, id);
      const gone = disconnected(agent);
      await commands.run({ command: 'branch.deactivate', args: { id: t.branchId } });
      expect(await gone).toBe('transport close');
      expect(await refusal(agentSocket(gw.url, id))).toBe('BRANCH_INACTIVE');
      await commands.run({ command: 'branch.activate', args: { id: t.branchId } });
      (await connectAgent(gw.url, id)).close();
      const audit = await gw.database.db
        .selectFrom('auditLog')
        .select(['actor', 'action'])
        .where('targetId', '=', t.branchId)
        .orderBy('id')
        .execute();
      expect(audit.slice(-2)).toEqual([
        { actor: 'cli', action: 'branch.deactivated' },
        { actor: 'cli', action: 'branch.activated' },
      ]);
    });

    it('disconnects every agent of a company a super admin deactivates', async () => {
      const t = await gw.seedTenant(`Company-${randomUUID().slice(0, 6)}`);
      const admin = await gw.token('super_admin');
      const id = { licenseKey: t.licenseKey, branchId: t.branchId, deviceId: 'till-c' };
      const agent = await connectAgent(gw.url, id);
      const gone = disconnected(agent);
      expect((await post(`${gw.url}/admin/companies/${t.companyId}/deactivate`, admin)).status).toBe(200);
      expect(await gone).toBe('transport close');
      expect(await refusal(agentSocket(gw.url, id))).toBe('BRANCH_INACTIVE');
      expect((await post(`${gw.url}/admin/companies/${t.companyId}/activate`, admin)).status).toBe(200);
      (await connectAgent(gw.url, id)).close();
    });

    it('rotates a key: the replaced key admits agents during its grace period, and is refused after it', async () => {
      const t = await gw.seedTenant(`Rotated-${randomUUID().slice(0, 6)}`);
      const owner = await gw.token('company_owner', { companyId: t.companyId });
      const as = (licenseKey: string, deviceId: string) => ({ licenseKey, branchId: t.branchId, deviceId });
      const first = await connectAgent(gw.url, as(t.licenseKey, 'till-a'));
      const firstGone = disconnected(first);

      // A day's grace: the first key still admits agents.
      const rotated = await post(`${gw.url}/admin/licences/${t.licenseId}/rotate`, owner, { graceSeconds: 86_400 });
      expect(rotated.status).toBe(200);
      const second = rotated.body.licenceKey as string;
      const late = await connectAgent(gw.url, as(t.licenseKey, 'till-b'));
      const lateGone = disconnected(late);
      const onSecond = await connectAgent(gw.url, as(second, 'till-c'));
      const onSecondGone = disconnected(onSecond);

      // Rotated again with a second's grace: the first key is forgotten at once, the second ends with its grace.
      const again = await post(`${gw.url}/admin/licences/${t.licenseId}/rotate`, owner, { graceSeconds: 1 });
      const third = again.body.licenceKey as string;
      expect(await firstGone).toBe('transport close');
      expect(await lateGone).toBe('transport close');
      expect(await refusal(agentSocket(gw.url, as(t.licenseKey, 'till-a')))).toBe('AUTH_FAILED');
      expect(await onSecondGone).toBe('transport close');
      expect(await refusal(agentSocket(gw.url, as(second, 'till-c')))).toBe('LICENSE_INVALID');
      (await connectAgent(gw.url, as(third, 'till-c'))).close();

      const events = await gw.database.db
        .selectFrom('events')
        .select('type')
        .where('subjectId', '=', t.licenseId)
        .orderBy('id')
        .execute();
      expect(events.map((e) => e.type)).toEqual(['licence.issued', 'licence.rotated', 'licence.rotated']);
    });

    it('disconnects the other devices of a licence bound to one', async () => {
      const t = await gw.seedTenant(`Bound-${randomUUID().slice(0, 6)}`);
      const manager = await gw.token('branch_manager', { companyId: t.companyId, branchId: t.branchId });
      const as = (deviceId: string) => ({ licenseKey: t.licenseKey, branchId: t.branchId, deviceId });
      const kept = await connectAgent(gw.url, as('till-kept'));
      const other = await connectAgent(gw.url, as('till-other'));
      const otherGone = disconnected(other);
      const bound = await post(`${gw.url}/admin/licences/${t.licenseId}/bind`, manager, { deviceId: 'till-kept' });
      expect(bound.status).toBe(200);
      expect(await otherGone).toBe('transport close');
      expect(await refusal(agentSocket(gw.url, as('till-other')))).toBe('LICENSE_INVALID');
      expect(kept.connected).toBe(true);
      kept.close();
      expect((await post(`${gw.url}/admin/licences/${t.licenseId}/unbind`, manager)).status).toBe(200);
      (await connectAgent(gw.url, as('till-other'))).close();
    });
  });
}

describe.runIf(await postgresAvailable())('a deactivation on another process (postgres)', () => {
  let first: TestGateway;
  let second: TestGateway;
  beforeAll(async () => {
    first = await startTestGateway({ store: 'postgres' });
    const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(first.database.db);
    second = await startTestGateway({ store: 'postgres', schema: rows[0]?.schema ?? '' });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('disconnects and refuses the agents, and refuses the jobs, of a branch deactivated through another gateway', async () => {
    const t = await first.seedTenant(`Elsewhere-${randomUUID().slice(0, 6)}`);
    const owner = await first.token('company_owner', { companyId: t.companyId });
    const id = { licenseKey: t.licenseKey, branchId: t.branchId, deviceId: 'till-far' };
    const agent = await connectAgent(second.url, id);
    const gone = disconnected(agent);
    const jobOnSecond = await submitJob(second, owner, t.branchId);
    // The second gateway has read the branch (a handshake and a job): it holds it in memory.
    expect((await jobOnSecond('before\n')).status).toBe(202);

    expect((await post(`${first.url}/admin/branches/${t.branchId}/deactivate`, owner)).status).toBe(200);
    expect(await gone).toBe('transport close');
    expect(await refusal(agentSocket(second.url, id))).toBe('BRANCH_INACTIVE');
    expect(await jobOnSecond('during\n')).toMatchObject({ status: 403, body: { code: 'BRANCH_INACTIVE' } });
  });
});
