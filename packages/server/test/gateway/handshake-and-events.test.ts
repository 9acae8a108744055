import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  admitted,
  collect,
  connectAgent,
  connectWeb,
  eventually,
  nextEvent,
  roundTrip,
} from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

describe('printing gateway: handshake, rooms and agent events', () => {
  let gw: TestGateway;
  let acme: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let globex: Awaited<ReturnType<TestGateway['seedTenant']>>;
  const sockets: Socket[] = [];
  const track = (s: Socket) => {
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    gw = await startTestGateway();
    acme = await gw.seedTenant('Acme');
    globex = await gw.seedTenant('Globex');
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(() => gw.close());

  it('admits an agent with an active licence for its branch', async () => {
    const agent = track(
      await connectAgent(gw.url, { licenseKey: acme.licenseKey, branchId: acme.branchId, deviceId: 'dev-a' }),
    );
    agent.emit('join:branch', { branchId: acme.branchId });
    expect(await nextEvent(agent, 'branch:joined')).toMatchObject({ branchId: acme.branchId });
    // Logged before the handshake was answered.
    expect(gw.logs.some((l) => l.msg === 'Client connected' && l.deviceId === 'dev-a')).toBe(true);
  });

  it('marks connect, disconnect and refused-handshake lines with component WebSocket, as runbooks grep for', async () => {
    const agent = track(
      await connectAgent(gw.url, { licenseKey: acme.licenseKey, branchId: acme.branchId, deviceId: 'dev-log' }),
    );
    const web = track(await connectWeb(gw.url, await gw.token('super_admin')));
    const webSocketId = web.id;
    const agentGone = gw.waitForLog((l) => l.msg === 'Client disconnected' && l.deviceId === 'dev-log');
    const webGone = gw.waitForLog((l) => l.msg === 'Client disconnected' && l.socketId === webSocketId);
    agent.close();
    web.close();
    await expect(connectWeb(gw.url, 'eyJhbGciOiJIUzI1NiJ9.e30.bad')).rejects.toBeTruthy();
    await gw.waitForLog((l) => l.msg === 'handshake rejected');
    const lines = [
      gw.logs.find((l) => l.msg === 'Client connected' && l.deviceId === 'dev-log'),
      gw.logs.find((l) => l.msg === 'Client connected' && l.socketId === webSocketId),
      await agentGone,
      await webGone,
      ...gw.logs.filter((l) => l.msg === 'handshake rejected'),
    ];
    for (const line of lines) expect(line).toMatchObject({ component: 'WebSocket' });
  });

  it('rejects handshakes with AUTH_FAILED: unknown key, wrong branch, revoked licence, bad token, nothing', async () => {
    const { SignJWT } = await import('jose');
    const expired = await new SignJWT({ role: 'cashier', companyId: acme.companyId, branchId: acme.branchId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode('test-secret-test-secret-test-secret-0123456789'));
    const attempts: Promise<Socket>[] = [
      connectAgent(gw.url, { licenseKey: randomUUID(), branchId: acme.branchId, deviceId: 'd' }),
      connectAgent(gw.url, { licenseKey: acme.licenseKey, branchId: globex.branchId, deviceId: 'd' }),
      connectAgent(gw.url, { licenseKey: 'not-a-uuid', branchId: acme.branchId, deviceId: 'd' }),
      connectWeb(gw.url, 'eyJhbGciOiJIUzI1NiJ9.e30.bad'),
      connectWeb(gw.url, expired),
      admitted(io(`${gw.url}/printing-ws`, { transports: ['websocket'], reconnection: false })),
      // A valid token beside another credential: which one would decide? Refused, as on REST.
      admitted(
        io(`${gw.url}/printing-ws`, {
          transports: ['websocket'],
          reconnection: false,
          auth: { token: await gw.token('super_admin') },
          extraHeaders: { 'x-api-key': 'pm_someone_else' },
        }),
      ),
    ];
    const settled = await Promise.allSettled(attempts);
    for (const [i, result] of settled.entries()) {
      expect(result.status, `attempt ${i}`).toBe('rejected');
      const err = (result as PromiseRejectedResult).reason as { data?: { code: string; message: string } };
      expect(err.data?.code, `attempt ${i}`).toBe('AUTH_FAILED');
      expect(err.data?.message).toBeTruthy();
    }
    const license = await gw.licenses.issue({ companyId: acme.companyId, branchId: acme.branchId, actor: 'test' });
    await gw.licenses.setStatus(license.license.id, 'revoked', 'test');
    const revoked = await connectAgent(gw.url, {
      licenseKey: license.key,
      branchId: acme.branchId,
      deviceId: 'd',
    }).then(
      () => undefined,
      (e: { data?: { code: string; reason: string } }) => e.data,
    );
    expect(revoked).toMatchObject({ code: 'AUTH_FAILED', reason: 'LICENSE_INVALID' });
    // Operators count refusals by kind and the code behind them.
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^printermaster_handshake_rejections_total\{kind="agent",code="LICENSE_INVALID"\} [1-9]\d*$/m,
    );
    expect(metrics).toMatch(/^printermaster_handshake_rejections_total\{kind="web",code="AUTH_FAILED"\} [1-9]\d*$/m);
  });

  it('takes scope from the token, not from auth hints', async () => {
    const token = await gw.token('cashier', { companyId: acme.companyId, branchId: acme.branchId });
    const web = track(
      await (await import('socket.io-client')).io(`${gw.url}/printing-ws`, {
        transports: ['websocket'],
        reconnection: false,
        auth: { token, branchId: globex.branchId, companyId: globex.companyId, userRole: 'super_admin' },
      }),
    );
    await new Promise<void>((r) => web.once('connect', () => r()));
    const updates = collect(web, 'printerUpdate');
    const agent = track(
      await connectAgent(gw.url, { licenseKey: globex.licenseKey, branchId: globex.branchId, deviceId: 'g1' }),
    );
    agent.emit('printer:discovered', {
      name: 'Globex kitchen',
      type: 'thermal',
      connection: 'network',
      status: 'online',
    });
    await nextEvent(agent, 'printer:discovery:acknowledged');
    // The broadcast, had there been one, left before the acknowledgement.
    await roundTrip(web);
    expect(updates).toEqual([]);
  });

  it('upserts discovered printers by id, then by branch and name, and tells only that branch’s dashboards', async () => {
    const acmeWeb = track(
      await connectWeb(
        gw.url,
        await gw.token('branch_manager', { companyId: acme.companyId, branchId: acme.branchId }),
      ),
    );
    const ownerWeb = track(await connectWeb(gw.url, await gw.token('company_owner', { companyId: acme.companyId })));
    const globexWeb = track(await connectWeb(gw.url, await gw.token('company_owner', { companyId: globex.companyId })));
    const adminWeb = track(await connectWeb(gw.url, await gw.token('super_admin')));
    const globexSeen = collect(globexWeb, 'printerUpdate');
    const agent = track(
      await connectAgent(gw.url, { licenseKey: acme.licenseKey, branchId: acme.branchId, deviceId: 'dev-d' }),
    );
    const agentSeen = collect(agent, 'printerUpdate');

    const waits = [acmeWeb, ownerWeb, adminWeb].map((s) =>
      nextEvent<{ action: string; printer: { name: string } }>(s, 'printerUpdate'),
    );
    agent.emit('printer:discovered', {
      id: 'agent-printer-1',
      name: 'Pass',
      type: 'thermal',
      connection: 'network',
      status: 'online',
      branchId: acme.branchId,
      discoveredBy: 'dev-d',
      discoveryMethod: 'network_scan',
      timestamp: new Date().toISOString(),
      device: { ip: '192.168.1.50', port: 9100 },
    });
    const ack = await nextEvent<{ printerId: string; status: string }>(agent, 'printer:discovery:acknowledged');
    expect(ack).toMatchObject({ printerId: 'agent-printer-1', status: 'saved' });
    for (const update of await Promise.all(waits))
      expect(update).toMatchObject({ action: 'discovered', printer: { name: 'Pass' } });

    // Same name without the id: the same printer, updated.
    agent.emit('printer:discovered', {
      name: 'Pass',
      type: 'thermal',
      connection: 'network',
      status: 'online',
      ip: '192.168.1.51',
      port: 9100,
    });
    expect(await nextEvent(agent, 'printer:discovery:acknowledged')).toMatchObject({ printerId: 'agent-printer-1' });
    const printer = await gw.stores.printers.find('agent-printer-1');
    expect(printer).toMatchObject({ ip: '192.168.1.51', port: 9100, deviceId: 'dev-d', branchId: acme.branchId });
    await Promise.all([roundTrip(globexWeb), roundTrip(agent)]);
    expect(globexSeen).toEqual([]);
    expect(agentSeen).toEqual([]);
  });

  it('coalesces status changes per branch into one printerStatusUpdate array, dropping repeats', async () => {
    const web = track(
      await connectWeb(
        gw.url,
        await gw.token('branch_manager', { companyId: acme.companyId, branchId: acme.branchId }),
      ),
    );
    const agent = track(
      await connectAgent(gw.url, { licenseKey: acme.licenseKey, branchId: acme.branchId, deviceId: 'dev-s' }),
    );
    for (const name of ['S1', 'S2']) {
      agent.emit('printer:discovered', { id: `s-${name}`, name, status: 'online' });
      await nextEvent(agent, 'printer:discovery:acknowledged');
    }
    const batches = collect<{ printerId: string; status: string }[]>(web, 'printerStatusUpdate');
    const acks = collect<{ printerCount: number }>(agent, 'printer:status:acknowledged');
    const now = new Date().toISOString();
    agent.emit('printer:status:update', {
      printerIds: [{ id: 's-S1', status: 'offline', lastSeen: now }],
      branchId: acme.branchId,
      timestamp: now,
    });
    agent.emit('printer:status:update', {
      printerIds: [
        { id: 's-S1', status: 'error', lastSeen: now },
        { id: 's-S2', status: 'busy', lastSeen: now },
      ],
      branchId: acme.branchId,
      timestamp: now,
    });
    expect(await nextEvent(agent, 'printer:status:acknowledged')).toMatchObject({
      printerCount: 1,
      branchId: acme.branchId,
    });
    // Both updates are in (a change is queued for its batch before the acknowledgement).
    await eventually(() => acks.length >= 2, 5_000, 'both acknowledgements');
    await eventually(() => batches.length > 0, 3_000, 'a status batch');
    // The same statuses again change nothing and send nothing.
    agent.emit('printer:status:update', {
      printerIds: [{ id: 's-S2', status: 'busy', lastSeen: now }],
      branchId: acme.branchId,
      timestamp: now,
    });
    await eventually(() => acks.length >= 3, 5_000, 'the repeat acknowledged');
    // A real change last: its batch is the last one, so whatever was sent before it has arrived,
    // and a batch for the repeat (on its own or beside the change) would show.
    agent.emit('printer:status:update', {
      printerIds: [{ id: 's-S1', status: 'online', lastSeen: now }],
      branchId: acme.branchId,
      timestamp: now,
    });
    await eventually(() => batches.some((b) => b.some((e) => e.status === 'online')), 3_000, 'the last batch');
    expect(batches.map((b) => b.map((e) => [e.printerId, e.status]).sort())).toEqual([
      [
        ['s-S1', 'error'],
        ['s-S2', 'busy'],
      ],
      [['s-S1', 'online']],
    ]);
    // Operators see each batch: the line is written as the batch is sent.
    expect(gw.logs.some((l) => /^Sent \d+ batched status updates$/.test(l.msg))).toBe(true);
  });

  it('carries why a printer is in its status to the API, the live updates and the event feed', async () => {
    const manager = await gw.token('branch_manager', { companyId: acme.companyId, branchId: acme.branchId });
    const web = track(await connectWeb(gw.url, manager));
    const agent = track(
      await connectAgent(gw.url, { licenseKey: acme.licenseKey, branchId: acme.branchId, deviceId: 'dev-r' }),
    );
    agent.emit('printer:discovered', { id: 'r-R1', name: 'R1', status: 'online' });
    await nextEvent(agent, 'printer:discovery:acknowledged');
    const batches = collect<{ printerId: string; status: string; reason?: string }[]>(web, 'printerStatusUpdate');
    const report = (status: string, reason?: string) => {
      const now = new Date().toISOString();
      agent.emit('printer:status:update', {
        printerIds: [{ id: 'r-R1', status, ...(reason ? { reason } : {}), lastSeen: now }],
        branchId: acme.branchId,
        timestamp: now,
      });
      return nextEvent(agent, 'printer:status:acknowledged');
    };
    const view = async () => {
      const res = await fetch(`${gw.url}/printing/printers/r-R1`, { headers: { authorization: `Bearer ${manager}` } });
      return ((await res.json()) as { printer: { status: string; statusReason?: string } }).printer;
    };
    await report('online', 'paper_near_end');
    // Only the reason changed: still a change, for the dashboards and the feed alike.
    await eventually(() => batches.flat().some((e) => e.reason === 'paper_near_end'), 3_000, 'the near-end update');
    expect(await view()).toMatchObject({ status: 'online', statusReason: 'paper_near_end' });
    await report('error', 'paper_out');
    await eventually(() => batches.flat().some((e) => e.reason === 'paper_out'), 3_000, 'the paper-out update');
    expect(await view()).toMatchObject({ status: 'error', statusReason: 'paper_out' });
    // The metrics count it too, from the store: one printer of this gateway is out of paper.
    const scrape = await (await fetch(`${gw.url}/metrics`)).text();
    expect(scrape).toMatch(/^printermaster_printers\{status="error",reason="paper_out"\} 1$/m);
    await report('online');
    await eventually(() => batches.flat().some((e) => e.status === 'online' && !e.reason), 3_000, 'the recovery');
    // The same status with a new reason after a plain one reaches the dashboards as well.
    await report('online', 'paper_near_end');
    await eventually(() => batches.flat().filter((e) => e.reason === 'paper_near_end').length === 2, 3_000, 'again');
    await report('online');
    await eventually(() => batches.flat().filter((e) => e.status === 'online' && !e.reason).length === 2, 3_000, 'ok');
    const recovered = await view();
    expect(recovered.status).toBe('online');
    expect(recovered.statusReason).toBeUndefined();

    // The feed shows events once the outbox has sequenced them, a moment after they are written.
    const feedEvents = async () => {
      const feed = await fetch(`${gw.url}/printing/events?types=printer.status_changed&limit=100`, {
        headers: { authorization: `Bearer ${manager}` },
      });
      return (
        (await feed.json()) as { events: { data: { printerId?: string; status: string; reason: string | null } }[] }
      ).events
        .filter((e) => e.data.printerId === 'r-R1')
        .map((e) => [e.data.status, e.data.reason]);
    };
    let events = await feedEvents();
    const deadline = Date.now() + 10_000;
    while (events.length < 5 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      events = await feedEvents();
    }
    expect(events).toEqual([
      ['online', 'paper_near_end'],
      ['error', 'paper_out'],
      ['online', null],
      ['online', 'paper_near_end'],
      ['online', null],
    ]);

    // A reason no agent may send is refused with the field named, and changes nothing.
    const errors = collect<{ event: string; code: string }>(agent, 'error:event');
    agent.emit('printer:status:update', { printerIds: [{ id: 'r-R1', status: 'error', reason: 'on_fire' }] });
    await eventually(() => errors.length > 0, 3_000, 'the refusal');
    expect(errors[0]).toMatchObject({ event: 'printer:status:update', code: 'BAD_REQUEST' });
    expect((await view()).status).toBe('online');
  });

  it('answers malformed events with an error event and ack, and keeps the socket and process up', async () => {
    const agent = track(
      await connectAgent(gw.url, { licenseKey: acme.licenseKey, branchId: acme.branchId, deviceId: 'dev-m' }),
    );
    const errors = collect<{ event: string; code: string; details?: { path: string } }>(agent, 'error:event');
    agent.emit('printer:discovered', { name: 42 });
    agent.emit('printer:status:update', { printerIds: 'all' });
    agent.emit('desktop:health:report', null);
    agent.emit('join:branch', { branchId: globex.branchId });
    agent.emit('no:such:event', {});
    const ack = await agent.timeout(2000).emitWithAck('print:job:completed', { printerId: 'x' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await eventually(() => errors.length >= 6, 3_000, 'six error events');
    expect(errors.map((e) => `${e.event} ${e.code}`).sort()).toEqual([
      'desktop:health:report BAD_REQUEST',
      'join:branch FORBIDDEN',
      'no:such:event BAD_REQUEST',
      'print:job:completed BAD_REQUEST',
      'printer:discovered BAD_REQUEST',
      'printer:status:update BAD_REQUEST',
    ]);
    expect(errors.find((e) => e.event === 'printer:discovered')?.details?.path).toBe('/name');
    expect(agent.connected).toBe(true);
    agent.emit('join:branch', { branchId: acme.branchId });
    await nextEvent(agent, 'branch:joined');
  });

  it('records health reports (the last 100 per device) and acknowledges them', async () => {
    const agent = track(
      await connectAgent(gw.url, { licenseKey: acme.licenseKey, branchId: acme.branchId, deviceId: 'dev-h' }),
    );
    const report = {
      uptime: 300,
      reconnectionCount: 0,
      averageLatency: 180,
      packetLossRate: 0.5,
      totalPings: 20,
      successfulPongs: 20,
      connectionQuality: 'excellent',
      lastPongTime: new Date().toISOString(),
      connectionStartTime: new Date().toISOString(),
      branchId: acme.branchId,
      deviceId: 'dev-h',
      appVersion: '2.1.0',
      timestamp: new Date().toISOString(),
    };
    const acks = collect(agent, 'desktop:health:acknowledged');
    const errors = collect<{ event: string; code: string; details?: { path: string } }>(agent, 'error:event');
    // A loss rate is a percentage: above 100 is refused, not stored and shown.
    agent.emit('desktop:health:report', { ...report, packetLossRate: 150 });
    await eventually(() => errors.length === 1, 5_000, 'the error event of a loss rate over 100');
    expect(errors[0]).toMatchObject({
      event: 'desktop:health:report',
      code: 'BAD_REQUEST',
      details: { path: '/packetLossRate' },
    });
    for (let i = 0; i < 102; i++) agent.emit('desktop:health:report', { ...report, uptime: i });
    // Each report is acknowledged once stored.
    await eventually(() => acks.length === 102, 10_000, '102 acknowledgements');
    const history = await gw.stores.health.history(acme.branchId, 'dev-h', 200);
    expect(history).toHaveLength(100);
    expect(history[0]?.report.uptime).toBe(101);
    // Quality is judged by the gateway from latency and loss, not taken from the agent’s claim.
    expect(history[0]?.connectionQuality).toBe('good');
  });

  it('sends desktop:health:alert for a degraded agent to that tenant’s admins only', async () => {
    const owner = track(await connectWeb(gw.url, await gw.token('company_owner', { companyId: acme.companyId })));
    const cashier = track(
      await connectWeb(gw.url, await gw.token('cashier', { companyId: acme.companyId, branchId: acme.branchId })),
    );
    const foreign = track(await connectWeb(gw.url, await gw.token('company_owner', { companyId: globex.companyId })));
    const cashierSeen = collect(cashier, 'desktop:health:alert');
    const foreignSeen = collect(foreign, 'desktop:health:alert');
    const agent = track(
      await connectAgent(gw.url, { licenseKey: acme.licenseKey, branchId: acme.branchId, deviceId: 'dev-x' }),
    );
    const alert = nextEvent(owner, 'desktop:health:alert');
    agent.emit('desktop:health:degraded', {
      reason: 'pong_timeout',
      lastPongTime: new Date().toISOString(),
      timestamp: new Date().toISOString(),
    });
    expect(await alert).toMatchObject({
      type: 'connection_degraded',
      deviceId: 'dev-x',
      branchId: acme.branchId,
      reason: 'pong_timeout',
    });
    // One broadcast to every room allowed: a wrongly chosen socket got it in the same turn.
    await Promise.all([roundTrip(cashier), roundTrip(foreign)]);
    expect(cashierSeen).toEqual([]);
    expect(foreignSeen).toEqual([]);
  });

  it('refuses a browser origin outside CORS_ORIGINS', async () => {
    const strict = await startTestGateway({ env: { CORS_ORIGINS: 'https://pos.example.com' } });
    try {
      const t = await strict.token('super_admin');
      const res = await fetch(`${strict.url}/socket.io/?EIO=4&transport=polling`, {
        headers: { origin: 'https://evil.example' },
      });
      expect(res.status).toBe(403);
      // Operators see refusals: a log line (once a minute per origin) and a counter.
      const again = await fetch(`${strict.url}/socket.io/?EIO=4&transport=polling`, {
        headers: { origin: 'https://evil.example' },
      });
      expect(again.status).toBe(403);
      const refusals = strict.logs.filter((l) => l.msg.startsWith('socket connection refused: its origin'));
      expect(refusals).toEqual([
        expect.objectContaining({ origin: 'https://evil.example', allowed: ['https://pos.example.com'], level: 40 }),
      ]);
      const metrics = await (await fetch(`${strict.url}/metrics`)).text();
      expect(metrics).toMatch(/^printermaster_cors_rejections_total 2$/m);
      const ok = await fetch(`${strict.url}/socket.io/?EIO=4&transport=polling`, {
        headers: { origin: 'https://pos.example.com' },
      });
      expect(ok.status).toBe(200);
      const web = await connectWeb(strict.url, t);
      web.close();
    } finally {
      await strict.close();
    }
  });
});
