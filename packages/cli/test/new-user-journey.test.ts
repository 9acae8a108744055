import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrintJobDelivery, PrintJobView } from '@printermaster/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, nextEvent } from '../../server/test/support/socket-clients.js';
import { ServeProcess } from './cli-process.js';

/**
 * What a new user does after `npm start`, with only what the first start
 * printed: the licence key and the admin token.
 */
describe('a new user’s first session against `printermaster serve`', () => {
  let dir: string;
  let serve: ServeProcess;
  let base: string;
  let licenseKey: string;
  let adminToken: string;
  let branchId: string;
  let printerId: string;
  const deviceId = `till-${randomUUID().slice(0, 8)}`;
  const received: PrintJobDelivery[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pm-journey-'));
    serve = new ServeProcess({ PRINTERMASTER_DATA_DIR: dir, PRINTERMASTER_JOB_ACK_TIMEOUT_MS: '2000' });
    base = `http://127.0.0.1:${await serve.ready}`;
    ({ licenseKey, adminToken } = await serve.credentials());
    // A fresh embedded store takes 14–33 s to open on a machine at load 10.
  }, 240_000);
  afterAll(async () => {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  function connectAgent(): Promise<Socket> {
    const socket = io(`${base}/printing-ws`, {
      transports: ['websocket'],
      reconnection: false,
      auth: {
        userRole: 'desktop_app',
        licenseKey,
        branchId,
        deviceId,
        appVersion: '2.1.0',
        protocolVersion: 2,
        capabilities: ['print-jobs', 'printer-test'],
      },
    });
    socket.on('print:job', (job: PrintJobDelivery, ack: (r: unknown) => void) => {
      received.push(job);
      ack({ ok: true, data: { jobId: job.id, state: 'accepted' } });
    });
    socket.on('printer:test', (req: { printerId: string; correlationId: string }) =>
      socket.emit('printer:test:result', {
        printerId: req.printerId,
        correlationId: req.correlationId,
        success: true,
        message: 'test page printed',
      }),
    );
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  it('validates the bootstrap licence, connects an agent and a dashboard, discovers a printer and tests it', async () => {
    const validated = await fetch(`${base}/api/v1/printer-licenses/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        licenseKey,
        deviceInfo: { deviceId, hostname: 'till', platform: 'linux', arch: 'x64', version: '2.1.0' },
      }),
    });
    const data = ((await validated.json()) as { data: { branchId: string; branchName: string } }).data;
    expect(data.branchName).toBe('Main branch');
    branchId = data.branchId;

    const web = io(`${base}/printing-ws`, {
      transports: ['websocket', 'polling'],
      reconnection: false,
      auth: { token: adminToken },
    });
    await new Promise<void>((r) => web.once('connect', () => r()));
    const discovered = nextEvent<{ action: string; printer: { id: string } }>(web, 'printerUpdate');
    const agent = await connectAgent();
    agent.emit('join:branch', { branchId });
    await nextEvent(agent, 'branch:joined');
    agent.emit('printer:discovered', {
      name: 'Kitchen',
      type: 'thermal',
      connection: 'network',
      status: 'online',
      ip: '127.0.0.1',
      port: 9100,
    });
    printerId = ((await nextEvent(agent, 'printer:discovery:acknowledged')) as { printerId: string }).printerId;
    expect((await discovered).printer.id).toBe(printerId);

    const test = await api('POST', `/printing/printers/${printerId}/test`);
    expect(test).toMatchObject({ status: 200, body: { success: true, outcome: 'printed', clientsAvailable: 1 } });
    web.close();
    agent.close();
  });

  it('creates jobs raw and as documents, with and without idempotency keys, while the agent is away and while it is connected', async () => {
    const raw = Buffer.from('\x1b@Order 1\n\x1dV\x00', 'latin1').toString('base64');
    const key = randomUUID();
    const whileAway = [
      await api('POST', '/printing/jobs', { printerId, content: raw, type: 'kitchen' }),
      await api('POST', '/printing/jobs', { printerId, content: raw }, { 'idempotency-key': key }),
      await api('POST', '/printing/jobs', { printerId, content: raw }, { 'idempotency-key': key }),
      await api('POST', '/printing/jobs', {
        printerId,
        document: { blocks: [{ type: 'text', text: 'Table 9', bold: true }] },
      }),
    ];
    for (const r of whileAway) expect(r.status).toBe(202);
    const ids = whileAway.map((r) => (r.body.job as PrintJobView).id);
    expect(ids[2]).toBe(ids[1]);
    expect(whileAway.map((r) => (r.body.job as PrintJobView).state)).toEqual(['queued', 'queued', 'queued', 'queued']);

    const agent = await connectAgent();
    await eventually(() => new Set(received.map((j) => j.id)).size === 3, 30_000, 'the three queued jobs');
    const live = await api('POST', '/printing/jobs', { printerId, content: raw, priority: 10 });
    const liveId = (live.body.job as PrintJobView).id;
    await eventually(() => received.some((j) => j.id === liveId), 30_000, 'the live job');

    const listed = await api('GET', `/printing/jobs?printerId=${printerId}&limit=10`);
    const jobs = listed.body.jobs as PrintJobView[];
    expect(jobs).toHaveLength(4);
    await eventually(
      async () => {
        const states = ((await api('GET', `/printing/jobs?printerId=${printerId}`)).body.jobs as PrintJobView[]).map(
          (j) => j.state,
        );
        return states.every((s) => s === 'accepted');
      },
      30_000,
      'all accepted',
    );
    agent.close();

    // After a reconnect nothing is sent twice: every job is accepted. A job created after the
    // reconnect is dispatched in a pass over the branch's waiting jobs that runs after it: once
    // it has arrived, a job wrongly thought waiting would have come with or before it.
    const before = received.map((j) => j.id);
    const again = await connectAgent();
    const after = await api('POST', '/printing/jobs', { printerId, content: raw });
    const afterId = (after.body.job as PrintJobView).id;
    await eventually(() => received.some((j) => j.id === afterId), 30_000, 'the job created after the reconnect');
    again.close();
    expect(received.map((j) => j.id)).toEqual([...before, afterId]);
  }, 120_000);
});
