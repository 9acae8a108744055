import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWeb, nextEvent, roundTrip } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

type AckReply = { ok: true; data: { expiresAt: string | null } } | { ok: false; error: { code: string } };

function disconnected(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

function refresh(socket: Socket, payload: unknown): Promise<AckReply> {
  return socket.timeout(10_000).emitWithAck('auth:refresh', payload) as Promise<AckReply>;
}

/** Resolves once the wall clock is past `ms` (Unix), checking every 50 ms. */
async function clockPast(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((r) => setTimeout(r, 50));
}

describe('open web sockets and their tokens (real Socket.IO)', () => {
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  const open: Socket[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    tenant = await gw.seedTenant(`Reauth-${randomUUID().slice(0, 6)}`);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await gw.close();
  });

  const cashier = (ttl: string, sub = 'till-1') =>
    gw.jwt.sign({ sub, role: 'cashier', companyId: tenant.companyId, branchId: tenant.branchId }, ttl);
  const connect = async (token: string) => {
    const socket = await connectWeb(gw.url, token);
    open.push(socket);
    return socket;
  };

  it('warns before the token expires, and keeps the socket open past it after auth:refresh', async () => {
    const short = await cashier('4');
    const exp = JSON.parse(Buffer.from(short.split('.')[1] as string, 'base64url').toString()).exp * 1000;
    const socket = await connect(short);
    const warned = await nextEvent<{ expiresAt: string }>(socket, 'auth:expiring', 10_000);
    expect(Date.parse(warned.expiresAt)).toBe(exp);

    const reply = await refresh(socket, { token: await cashier('1h') });
    expect(reply.ok).toBe(true);
    if (reply.ok) expect(Date.parse(reply.data.expiresAt as string)).toBeGreaterThan(exp);
    await clockPast(exp + 1_000);
    expect(socket.connected).toBe(true);
    await roundTrip(socket);
    expect(socket.connected).toBe(true);
  });

  it('refuses a token of another user, and closes the socket when its own expires', async () => {
    const socket = await connect(await cashier('3'));
    const other = await refresh(socket, { token: await cashier('1h', 'someone-else') });
    expect(other).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const manager = await gw.token('branch_manager', { companyId: tenant.companyId, branchId: tenant.branchId });
    expect(await refresh(socket, { token: manager })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await refresh(socket, { token: 'not-a-jwt' })).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(await refresh(socket, { token: '' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await refresh(socket, 'token')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const told = nextEvent<{ code: string }>(socket, 'auth:expired', 10_000);
    const gone = disconnected(socket);
    expect((await told).code).toBe('AUTH_FAILED');
    expect(await gone).toBe('io server disconnect');
  });

  it('closes the sockets of a session as soon as it logs out', async () => {
    const owner = await gw.token('company_owner', { companyId: tenant.companyId });
    const started = await fetch(`${gw.url}/auth/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'ana', role: 'cashier', companyId: tenant.companyId, branchId: tenant.branchId }),
    });
    const { accessToken } = (await started.json()) as { accessToken: string };
    const socket = await connect(accessToken);
    const told = nextEvent<{ code: string; message: string }>(socket, 'auth:expired', 10_000);
    const gone = disconnected(socket);
    const logout = await fetch(`${gw.url}/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(logout.status).toBe(200);
    expect((await told).message).toMatch(/session/);
    expect(await gone).toBe('io server disconnect');
    // And its token opens no new socket.
    await expect(connectWeb(gw.url, accessToken)).rejects.toThrow();
  });

  it('admits an API key on the socket, by auth.token, and closes the socket when the key is revoked', async () => {
    const owner = await gw.token('company_owner', { companyId: tenant.companyId });
    const created = await fetch(`${gw.url}/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Dashboard', role: 'cashier', branchId: tenant.branchId }),
    });
    const { key, apiKey } = (await created.json()) as { key: string; apiKey: { id: string } };
    const socket = await connect(key);
    await roundTrip(socket);
    expect(socket.connected).toBe(true);
    const told = nextEvent<{ message: string }>(socket, 'auth:expired', 10_000);
    const gone = disconnected(socket);
    await fetch(`${gw.url}/admin/api-keys/${apiKey.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}` },
    });
    expect((await told).message).toMatch(/API key/);
    expect(await gone).toBe('io server disconnect');
  });
});
