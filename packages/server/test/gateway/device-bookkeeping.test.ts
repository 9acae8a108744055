import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { connectAgent, eventually } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

// The handshake does not wait for the device row or the session row: both are written
// shortly after admission, gathered with other connections' into one statement.
describe('agent device and session records', () => {
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;

  beforeAll(async () => {
    gw = await startTestGateway();
    tenant = await gw.seedTenant('Bookkeeping');
  });
  afterAll(() => gw.close());

  const sessionsOf = (deviceId: string) =>
    gw.database.db.selectFrom('deviceSessions').selectAll().where('deviceId', '=', deviceId).execute();

  it('records the device and opens a session after admission, and closes it on disconnect', async () => {
    const agent = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'till-7',
      capabilities: ['print-jobs'],
    });
    const device = await eventually(() => gw.stores.devices.find(tenant.branchId, 'till-7'));
    expect(device).toMatchObject({
      kind: 'v2',
      protocolVersion: 2,
      appVersion: '2.1.0-test',
      capabilities: ['print-jobs'],
      licenseId: tenant.licenseId,
      lastAddress: '127.0.0.1',
    });
    const [open] = await eventually(async () => {
      const rows = await sessionsOf('till-7');
      return rows.length > 0 ? rows : undefined;
    });
    expect(open).toMatchObject({ branchId: tenant.branchId, protocolVersion: 2, disconnectedAt: null });
    agent.close();
    const [closed] = await eventually(async () => {
      const rows = await sessionsOf('till-7');
      return rows[0]?.disconnectedAt ? rows : undefined;
    });
    expect(closed?.disconnectReason).toBe('client namespace disconnect');
  });

  it('writes the sessions of the sockets it closes before a graceful stop closes the store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pm-sessions-'));
    try {
      const local = await startTestGateway({ dataDir });
      const t = await local.seedTenant('Shutdown');
      await Promise.all(
        ['pc-1', 'pc-2', 'pc-3'].map((deviceId) =>
          connectAgent(local.url, { licenseKey: t.licenseKey, branchId: t.branchId, deviceId }),
        ),
      );
      // Stopped at once: the opens may still be gathering when the sockets close.
      await local.close();
      const db = await openDatabase({ kind: 'pglite', dataDir });
      try {
        const rows = await db.db.selectFrom('deviceSessions').selectAll().where('branchId', '=', t.branchId).execute();
        expect(rows.map((r) => r.deviceId).sort()).toEqual(['pc-1', 'pc-2', 'pc-3']);
        for (const r of rows) expect(r.disconnectedAt, r.deviceId).not.toBeNull();
        const devices = await db.db
          .selectFrom('devices')
          .select('deviceId')
          .where('branchId', '=', t.branchId)
          .execute();
        expect(devices).toHaveLength(3);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
