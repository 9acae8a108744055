import { connectionQuality } from '@printermaster/protocol';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect, connectAgent, connectWeb, eventually, nextEvent, roundTrip } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

interface HealthEntry {
  deviceId: string;
  averageLatency: number;
  packetLossRate: number;
  connectionQuality: string;
  lastHeartbeat: string | null;
  lastHealthReport: string | null;
  uptime: number;
  reconnectionCount: number;
}

describe('desktop health, alerts and the service registry', () => {
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let other: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let admin: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Fast transport pings so that the gateway measures latency within the test.
    gw = await startTestGateway({
      env: { PRINTERMASTER_SOCKET_PING_INTERVAL_MS: '150', PRINTERMASTER_SOCKET_PING_TIMEOUT_MS: '2000' },
    });
    tenant = await gw.seedTenant('Acme');
    other = await gw.seedTenant('Globex');
    admin = await gw.token('super_admin');
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(() => gw.close());

  const api = async (path: string, token = admin) => {
    const res = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('measures latency for legacy clients from transport pings and lists them with a summary', async () => {
    const legacy = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'legacy-pc',
      v2: false,
    });
    sockets.push(legacy);
    const entry: Record<string, unknown> = await eventually(
      async () => {
        const { body } = await api(`/printing/desktop-health/legacy-pc`);
        const history = (body.metricsHistory as unknown[] | undefined) ?? [];
        return history.length >= 3 ? body : undefined;
      },
      10_000,
      'three latency samples',
    );
    expect(entry).toMatchObject({
      success: true,
      deviceId: 'legacy-pc',
      protocol: 'legacy',
      branchId: tenant.branchId,
    });
    // Latency is real here, so only its consistency is checked: the quality follows the PROTOCOL thresholds.
    expect(entry.connectionQuality).toBe(
      connectionQuality(entry.averageLatency as number, entry.packetLossRate as number),
    );
    expect(entry.lastHeartbeat).toBeTruthy();
    expect(entry.lastHealthReport).toBeNull();
    const history = entry.metricsHistory as { timestamp: string; latency: number; quality: string }[];
    expect(history[0]).toMatchObject({
      latency: expect.any(Number),
      quality: expect.stringMatching(/excellent|good|fair|poor/),
    });

    // The list is cached up to 60 s; this is its first call.
    const list = await api('/printing/desktop-health');
    expect(list.body).toMatchObject({ success: true, totalClients: 1 });
    const metrics = (list.body.healthMetrics as HealthEntry[])[0] as HealthEntry;
    expect(metrics).toMatchObject({ deviceId: 'legacy-pc', reconnectionCount: 0 });
    // Its quality follows its measured latency (excellent on a quiet machine, good on a busy one),
    // and the summary counts it there.
    expect(metrics.connectionQuality).toBe(connectionQuality(metrics.averageLatency, metrics.packetLossRate));
    expect(list.body.summary).toEqual({ excellent: 0, good: 0, fair: 0, poor: 0, [metrics.connectionQuality]: 1 });
    expect(Object.keys(metrics ?? {})).toEqual(
      expect.arrayContaining([
        'clientId',
        'branchId',
        'deviceId',
        'uptime',
        'reconnectionCount',
        'averageLatency',
        'packetLossRate',
        'connectionQuality',
        'lastHeartbeat',
        'lastHealthReport',
      ]),
    );
  });

  it('alerts the tenant’s admins once when an agent turns poor, and once when it recovers', async () => {
    const owner = await connectWeb(gw.url, await gw.token('company_owner', { companyId: tenant.companyId }));
    const foreignOwner = await connectWeb(gw.url, await gw.token('company_owner', { companyId: other.companyId }));
    sockets.push(owner, foreignOwner);
    const alerts = collect<{ type: string; severity: string; deviceId: string }>(owner, 'desktop:health:alert');
    const foreign = collect(foreignOwner, 'desktop:health:alert');
    const agent = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'slow-pc',
    });
    sockets.push(agent);
    const report = (averageLatency: number, packetLossRate: number) => ({
      uptime: 60,
      reconnectionCount: 2,
      averageLatency,
      packetLossRate,
      totalPings: 20,
      successfulPongs: 20,
      connectionQuality: 'excellent',
      timestamp: new Date().toISOString(),
    });
    for (let i = 0; i < 3; i++) {
      agent.emit('desktop:health:report', report(800, 12));
      await nextEvent(agent, 'desktop:health:acknowledged');
    }
    await eventually(() => alerts.length >= 2, 5_000, 'poor + high latency alerts');
    // A report's alerts leave before its acknowledgement; a round trip brings any the owner was sent.
    await roundTrip(owner);
    expect(alerts.map((a) => a.type).sort()).toEqual(['high_latency', 'poor_connection_quality']);
    const { body } = await api('/printing/desktop-health/slow-pc');
    expect(body).toMatchObject({ connectionQuality: 'poor', reconnectionCount: 2 });
    expect(body.averageLatency).toBeGreaterThanOrEqual(800);
    expect(body.lastHealthReport).toBeTruthy();

    const recoveryAcknowledged = nextEvent(agent, 'desktop:health:acknowledged');
    agent.emit('desktop:health:report', report(20, 0));
    await eventually(() => alerts.some((a) => a.type === 'recovered'), 5_000, 'a recovery notice');
    await recoveryAcknowledged;
    await Promise.all([roundTrip(owner), roundTrip(foreignOwner)]);
    expect(alerts.filter((a) => a.type === 'recovered')).toHaveLength(1);
    expect(foreign).toEqual([]);
  });

  it('serves the summary from a cache for up to 60 s, while per-device detail stays live', async () => {
    const token = await gw.token('company_owner', { companyId: other.companyId });
    const first = await api('/printing/desktop-health', token);
    const agent = await connectAgent(gw.url, {
      licenseKey: other.licenseKey,
      branchId: other.branchId,
      deviceId: 'cache-pc',
      v2: false,
    });
    sockets.push(agent);
    await eventually(
      async () => (await api('/printing/desktop-health/cache-pc', token)).status === 200,
      5_000,
      'live detail',
    );
    const second = await api('/printing/desktop-health', token);
    expect(second.body.timestamp).toBe(first.body.timestamp);
    expect(second.body.totalClients).toBe(first.body.totalClients);
  });

  it('keeps tenants apart and refuses cashiers', async () => {
    const foreign = await api(
      '/printing/desktop-health',
      await gw.token('company_owner', { companyId: other.companyId }),
    );
    expect(foreign.status).toBe(200);
    expect(foreign.body.totalClients).toBe(0);
    const cashier = await api(
      '/printing/desktop-health',
      await gw.token('cashier', { companyId: tenant.companyId, branchId: tenant.branchId }),
    );
    expect(cashier.status).toBe(403);
    const missing = await api('/printing/desktop-health/nobody');
    expect(missing.status).toBe(404);
  });

  it('lists gateway processes and agents in the service registry, for super admins only', async () => {
    const agent = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'reg-pc',
    });
    sockets.push(agent);
    const { status, body } = await api('/printing/service-registry/status');
    expect(status).toBe(200);
    const services = body.services as { type: string; id: string; isHealthy: boolean }[];
    expect(services.filter((s) => s.type === 'gateway')).toHaveLength(1);
    expect(services.some((s) => s.type === 'desktop_agent' && s.id === 'reg-pc')).toBe(true);
    expect(body.stats).toMatchObject({ totalServices: services.length, servicesByType: { gateway: 1 } });
    const denied = await api(
      '/printing/service-registry/status',
      await gw.token('company_owner', { companyId: tenant.companyId }),
    );
    expect(denied.status).toBe(403);
  });
});
