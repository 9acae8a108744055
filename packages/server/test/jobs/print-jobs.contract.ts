import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEscPos } from '@printermaster/escpos';
import type { PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, connectAgent, connectWeb, eventually } from '../support/socket-clients.js';
import { createTestSchema } from '../support/test-database.js';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from '../support/test-gateway.js';
import { WireAgent } from './test-agent.js';

type Job = PrintJobView;

export function describePrintJobs(
  store: 'pglite' | 'postgres',
  extra: Pick<TestGatewayOptions, 'rowLevelSecurity'> = {},
) {
  describe(`print jobs (${store}${extra.rowLevelSecurity ? ', row-level security' : ''})`, () => {
    let gw: TestGateway;
    let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
    let cashier: string;
    let manager: string;

    const env = {
      PRINTERMASTER_EXPIRY_SWEEP_INTERVAL_MS: '100',
      PRINTERMASTER_JOB_OUTCOME_GRACE_MS: '300',
      PRINTERMASTER_JOB_ACK_TIMEOUT_MS: '1500',
      PRINTERMASTER_MAX_JOB_BYTES: '2048',
    };

    beforeAll(async () => {
      gw = await startTestGateway({ store, env, ...extra });
      tenant = await gw.seedTenant();
      cashier = await gw.token('cashier', { companyId: tenant.companyId, branchId: tenant.branchId });
      manager = await gw.token('branch_manager', { companyId: tenant.companyId, branchId: tenant.branchId });
    });
    afterAll(() => gw.close());

    const api = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
      token = cashier,
    ) => {
      const res = await fetch(`${gw.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return {
        status: res.status,
        headers: res.headers,
        body: (await res.json()) as Record<string, unknown> & { job: Job },
      };
    };
    const newPrinter = async (name = `P-${randomUUID().slice(0, 8)}`) =>
      (
        (
          await api(
            'POST',
            '/printing/printers',
            { branchId: tenant.branchId, name, ip: '127.0.0.1', port: 9100 },
            {},
            manager,
          )
        ).body as unknown as {
          printer: { id: string };
        }
      ).printer.id;
    const raw = (text: string) => Buffer.from(`\x1b@${text}\n\x1dV\x00`, 'latin1').toString('base64');
    const jobState = async (id: string) => (await api('GET', `/printing/jobs/${id}`)).body.job.state;
    const agentId = () => ({
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: `dev-${randomUUID().slice(0, 6)}`,
    });

    it('stores a job before answering 202, sends it to the connected agent, and records the agent’s reports', async () => {
      const printerId = await newPrinter();
      const web = await connectWeb(gw.url, manager);
      const updates = collect<{ action: string; job: Job }>(web, 'printJobUpdate');
      const agent = await WireAgent.connect(gw.url, agentId());
      const created = await api('POST', '/printing/jobs', {
        printerId,
        content: raw('Table 4'),
        type: 'kitchen',
        priority: 8,
      });
      expect(created.status).toBe(202);
      expect(created.body.job).toMatchObject({ printerId, type: 'kitchen', priority: 8, copies: 1, byteLength: 13 });
      const id = created.body.job.id;
      await eventually(async () => (await jobState(id)) === 'accepted', 5_000, 'accepted');
      const delivery = agent.deliveries.find((d) => d.id === id);
      expect(delivery).toMatchObject({
        printerId,
        encoding: 'base64',
        type: 'kitchen',
        priority: 8,
        printer: { ip: '127.0.0.1', port: 9100 },
      });
      expect(Buffer.from(delivery?.content ?? '', 'base64').toString('latin1')).toContain('Table 4');

      expect(await agent.report('print:job:started', { jobId: id, printerId })).toMatchObject({
        ok: true,
        data: { state: 'printing' },
      });
      expect(
        await agent.report('print:job:completed', { jobId: id, printerId, success: true, processingTime: 120 }),
      ).toMatchObject({
        ok: true,
        data: { state: 'completed' },
      });
      // A repeated report (outbox re-send) changes nothing.
      expect(await agent.report('print:job:completed', { jobId: id, printerId, success: true })).toMatchObject({
        ok: true,
        data: { state: 'completed' },
      });
      const { job } = (await api('GET', `/api/v1/printing/jobs/${id}`)).body;
      expect(job.state).toBe('completed');
      // Print bytes never reach the logs, only their length.
      expect(JSON.stringify(gw.logs)).not.toContain(raw('Table 4'));
      expect(job.completedAt).toBeTruthy();
      expect(job.events?.map((e) => e.state)).toEqual(['queued', 'sent', 'accepted', 'printing', 'completed']);
      await eventually(() => updates.filter((u) => u.job.id === id).length >= 5, 3_000, 'five updates');
      expect(updates.filter((u) => u.job.id === id).map((u) => u.job.state)).toEqual([
        'queued',
        'sent',
        'accepted',
        'printing',
        'completed',
      ]);
      agent.close();
      web.close();
    });

    it('renders a ticket document to ESC/POS', async () => {
      const printerId = await newPrinter();
      const created = await api('POST', '/printing/jobs', {
        printerId,
        document: {
          paperWidth: 58,
          blocks: [
            { type: 'text', text: 'KITCHEN', size: 'double', align: 'center' },
            { type: 'columns', left: '2x Burger', right: '18.00' },
            { type: 'cut' },
          ],
        },
      });
      expect(created.status).toBe(202);
      const stored = await gw.stores.jobs.findWithContent(created.body.job.id);
      const [ticket] = decodeEscPos(stored?.content ?? new Uint8Array());
      expect(ticket?.text).toContain('KITCHEN');
      expect(ticket?.text).toMatch(/2x Burger +18\.00/);
    });

    it('returns the original job for a repeated Idempotency-Key, 409 for another body, and one job under concurrency', async () => {
      const printerId = await newPrinter();
      const key = randomUUID();
      const body = { printerId, content: raw('Idem') };
      const first = await api('POST', '/printing/jobs', body, { 'idempotency-key': key });
      const again = await api('POST', '/printing/jobs', body, { 'idempotency-key': key });
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({ replayed: true, job: { id: first.body.job.id } });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const other = await api('POST', '/printing/jobs', { ...body, copies: 2 }, { 'idempotency-key': key });
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ success: false, code: 'IDEMPOTENCY_KEY_REUSED' });

      const key2 = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => api('POST', '/printing/jobs', body, { 'idempotency-key': key2 })),
      );
      expect(new Set(results.map((r) => r.status))).toEqual(new Set([202]));
      expect(new Set(results.map((r) => r.body.job.id)).size).toBe(1);
      expect(results.filter((r) => r.body.replayed === false)).toHaveLength(1);
    });

    it('keeps jobs queued while no agent is connected and sends them on connect by priority, then age', async () => {
      const printerId = await newPrinter();
      const ids: string[] = [];
      for (const [text, priority] of [
        ['low', 1],
        ['high-1', 9],
        ['mid', 5],
        ['high-2', 9],
      ] as const) {
        ids.push((await api('POST', '/printing/jobs', { printerId, content: raw(text), priority })).body.job.id);
      }
      for (const id of ids) expect(await jobState(id)).toBe('queued');
      const agent = await WireAgent.connect(gw.url, agentId());
      await eventually(() => ids.every((id) => agent.deliveries.some((d) => d.id === id)), 5_000, 'all delivered');
      const order = agent.deliveries.filter((d) => ids.includes(d.id)).map((d) => d.id);
      expect(order).toEqual([ids[1], ids[3], ids[2], ids[0]]);
      await eventually(
        async () => (await Promise.all(ids.map(jobState))).every((s) => s === 'accepted'),
        5_000,
        'all accepted',
      );
      agent.close();
    });

    it('records an acknowledgement before a report the agent sent right behind it', async () => {
      const printerId = await newPrinter();
      const agent = await WireAgent.connect(gw.url, agentId());
      agent.ackMode = 'silent';
      // Acknowledge and report "started" in the same tick: both usually reach the gateway in one read.
      agent.socket.on('print:job', (job: { id: string }, ack: (r: unknown) => void) => {
        ack({ ok: true, data: { jobId: job.id, state: 'accepted' } });
        agent.socket.emit('print:job:started', { jobId: job.id, printerId, timestamp: new Date().toISOString() });
      });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await api('POST', '/printing/jobs', { printerId, content: raw(`ordered ${i}`) })).body.job.id);
      }
      await eventually(
        async () => (await Promise.all(ids.map(jobState))).every((s) => s === 'printing'),
        5_000,
        'all printing',
      );
      for (const id of ids) {
        const { job } = (await api('GET', `/printing/jobs/${id}`)).body;
        expect(job.events?.map((e) => e.state)).toEqual(['queued', 'sent', 'accepted', 'printing']);
      }
      agent.close();
    });

    it('re-sends an unacknowledged job to the same agent only, after it reconnects', async () => {
      const printerId = await newPrinter();
      const identity = agentId();
      const agent = await WireAgent.connect(gw.url, identity);
      agent.ackMode = 'silent';
      const id = (await api('POST', '/printing/jobs', { printerId, content: raw('Resend me') })).body.job.id;
      await eventually(() => agent.deliveries.some((d) => d.id === id), 5_000, 'first delivery');
      agent.close();
      await eventually(async () => (await jobState(id)) === 'sent', 3_000, 'sent');
      // The first delivery has ended (the gateway saw the agent go): a job still in flight is
      // skipped by every pass, and the stranger's not getting it would prove nothing.
      await gw.dispatcher.whenIdle();
      const stranger = await WireAgent.connect(gw.url, agentId());
      // The dispatch the stranger's connect started has ended.
      await gw.dispatcher.whenIdle();
      expect(stranger.deliveries.some((d) => d.id === id)).toBe(false);
      const back = await WireAgent.connect(gw.url, identity);
      await eventually(async () => (await jobState(id)) === 'accepted', 5_000, 'accepted after reconnect');
      expect(back.deliveries.filter((d) => d.id === id)).toHaveLength(1);
      const { job } = (await api('GET', `/printing/jobs/${id}`)).body;
      expect(job.attempts).toBe(2);
      stranger.close();
      back.close();
    });

    it('never re-sends an unconfirmed job, and a reprint is a new linked job with a REPRINT banner', async () => {
      const printerId = await newPrinter();
      const identity = agentId();
      const agent = await WireAgent.connect(gw.url, identity);
      const id = (await api('POST', '/printing/jobs', { printerId, content: raw('Order 77') })).body.job.id;
      await eventually(async () => (await jobState(id)) === 'accepted', 5_000, 'accepted');
      await agent.report('print:job:started', { jobId: id, printerId });
      expect(
        await agent.report('print:job:unconfirmed', {
          jobId: id,
          printerId,
          reason: 'printer connection dropped mid-ticket',
        }),
      ).toMatchObject({
        ok: true,
        data: { state: 'unconfirmed' },
      });
      agent.close();
      const again = await WireAgent.connect(gw.url, identity);
      await gw.dispatcher.whenIdle();
      expect(again.deliveries.some((d) => d.id === id)).toBe(false);
      const { job } = (await api('GET', `/printing/jobs/${id}`)).body;
      expect(job).toMatchObject({ state: 'unconfirmed', reason: 'printer connection dropped mid-ticket' });
      // A late "completed" for a job already unconfirmed changes nothing.
      expect((await again.report('print:job:completed', { jobId: id, printerId })).data.state).toBe('unconfirmed');

      const reprint = await api('POST', `/printing/jobs/${id}/reprint`);
      expect(reprint.status).toBe(202);
      expect(reprint.body.job).toMatchObject({ reprintOf: id, state: 'queued' });
      await eventually(() => again.deliveries.some((d) => d.id === reprint.body.job.id), 5_000, 'reprint delivered');
      const delivery = again.deliveries.find((d) => d.id === reprint.body.job.id);
      const tickets = decodeEscPos(Buffer.from(delivery?.content ?? '', 'base64'));
      expect(tickets).toHaveLength(1);
      expect(tickets[0]?.text).toMatch(/REPRINT[\s\S]*Order 77/);
      again.close();
    });

    it('refuses to reprint a job that has not ended', async () => {
      const printerId = await newPrinter();
      const id = (await api('POST', '/printing/jobs', { printerId, content: raw('x') })).body.job.id;
      const res = await api('POST', `/printing/jobs/${id}/reprint`);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'CONFLICT' });
    });

    it('cancels a queued job but not one already sent to an agent', async () => {
      const printerId = await newPrinter();
      const queued = (await api('POST', '/printing/jobs', { printerId, content: raw('Cancel me') })).body.job.id;
      const cancelled = await api('POST', `/printing/jobs/${queued}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.job.state).toBe('cancelled');
      expect((await api('POST', `/printing/jobs/${queued}/cancel`)).body).toMatchObject({ code: 'JOB_ALREADY_FINAL' });
      const agent = await WireAgent.connect(gw.url, agentId());
      expect(agent.deliveries.some((d) => d.id === queued)).toBe(false);
      agent.ackMode = 'silent';
      const sent = (await api('POST', '/printing/jobs', { printerId, content: raw('Too late') })).body.job.id;
      await eventually(async () => (await jobState(sent)) === 'sent', 5_000, 'sent');
      const refused = await api('POST', `/printing/jobs/${sent}/cancel`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'JOB_ALREADY_FINAL', state: 'sent' });
      agent.close();
    });

    it('expires a job whose useful-until passes before an agent accepts it, and never sends it', async () => {
      const printerId = await newPrinter();
      const usefulUntil = new Date(Date.now() + 300).toISOString();
      const id = (await api('POST', '/printing/jobs', { printerId, content: raw('Cold fries'), usefulUntil })).body.job
        .id;
      await eventually(async () => (await jobState(id)) === 'expired', 5_000, 'expired');
      const agent = await WireAgent.connect(gw.url, agentId());
      await gw.dispatcher.whenIdle();
      expect(agent.deliveries.some((d) => d.id === id)).toBe(false);
      agent.close();
    });

    it('never expires a job delivered to an agent: reprint is 409 while open, then unconfirmed, and a late report corrects it', async () => {
      const printerId = await newPrinter();
      const id = agentId();
      const agent = await WireAgent.connect(gw.url, id);
      const usefulUntil = new Date(Date.now() + 1_000).toISOString();
      const job = (await api('POST', '/printing/jobs', { printerId, content: raw('Soup'), usefulUntil })).body.job.id;
      await eventually(async () => (await jobState(job)) === 'accepted', 5_000, 'accepted');
      await agent.report('print:job:started', { jobId: job, printerId });
      // The link drops while the ticket prints.
      agent.close();
      const early = await api('POST', `/printing/jobs/${job}/reprint`);
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ success: false, code: 'CONFLICT' });
      await eventually(async () => (await jobState(job)) === 'unconfirmed', 10_000, 'unconfirmed');
      const unknown = (await api('GET', `/printing/jobs/${job}`)).body.job;
      expect(unknown.reason).toBe('delivered to the agent, outcome unknown');
      // The agent comes back with its report: it printed.
      const back = await WireAgent.connect(gw.url, id);
      expect(await back.report('print:job:completed', { jobId: job, printerId, success: true })).toMatchObject({
        ok: true,
        data: { state: 'completed' },
      });
      const done = (await api('GET', `/printing/jobs/${job}`)).body.job;
      expect(done.state).toBe('completed');
      expect(done.reason ?? null).toBeNull();
      expect(done.events?.map((e) => [e.state, e.actor])).toEqual([
        ['queued', expect.any(String)],
        ['sent', 'gateway'],
        ['accepted', `agent:${id.deviceId}`],
        ['printing', `agent:${id.deviceId}`],
        ['unconfirmed', 'gateway'],
        ['completed', `agent:${id.deviceId}`],
      ]);
      // An agent's own unconfirmed is final: a later report does not move it.
      const own = (await api('POST', '/printing/jobs', { printerId, content: raw('Tea') })).body.job.id;
      await eventually(() => back.deliveries.some((d) => d.id === own), 5_000, 'delivered');
      await back.report('print:job:unconfirmed', { jobId: own, printerId, reason: 'connection dropped mid-job' });
      expect(await back.report('print:job:completed', { jobId: own, printerId, success: true })).toMatchObject({
        ok: true,
        data: { state: 'unconfirmed' },
      });
      back.close();
    });

    it('never sends content jobs to a legacy client; they wait for a v2 agent', async () => {
      const printerId = await newPrinter();
      const legacy = await connectAgent(gw.url, { ...agentId(), v2: false });
      const received = collect(legacy, 'print:job');
      const id = (await api('POST', '/printing/jobs', { printerId, content: raw('Legacy?') })).body.job.id;
      // A job sent to the legacy client would hold the dispatcher until its acknowledgement timed out.
      await gw.dispatcher.whenIdle();
      expect(received).toEqual([]);
      expect(await jobState(id)).toBe('queued');
      legacy.close();
      const agent = await WireAgent.connect(gw.url, agentId());
      await eventually(() => agent.deliveries.some((d) => d.id === id), 5_000, 'v2 delivery');
      agent.close();
    });

    it('lists jobs with filters and a cursor, within the caller’s scope', async () => {
      const printerId = await newPrinter();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await api('POST', '/printing/jobs', { printerId, content: raw(`L${i}`) })).body.job.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await api(
          'GET',
          `/printing/jobs?printerId=${printerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...(page.body.jobs as Job[]).map((j) => j.id));
        cursor = page.body.nextCursor as string | undefined;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      const byState = await api('GET', `/printing/jobs?printerId=${printerId}&state=queued,sent`);
      expect((byState.body.jobs as Job[]).length).toBeGreaterThan(0);
      expect((await api('GET', '/printing/jobs?state=bogus')).body).toMatchObject({
        code: 'BAD_REQUEST',
        path: 'querystring/state',
      });
      expect((await api('GET', '/printing/jobs?cursor=@@')).status).toBe(400);
      expect((await api('GET', '/printing/jobs?limit=0')).status).toBe(400);
      const other = await gw.seedTenant('Other');
      const foreign = await gw.token('company_owner', { companyId: other.companyId });
      const foreignList = await api('GET', '/printing/jobs', undefined, {}, foreign);
      expect(foreignList.body.jobs).toEqual([]);
      expect((await api('GET', `/printing/jobs/${ids[0]}`, undefined, {}, foreign)).status).toBe(404);
    });

    it('refuses a job for a printer deleted a moment ago, although the printer was just used', async () => {
      const printerId = await newPrinter();
      const first = await api('POST', '/printing/jobs', { printerId, content: raw('before') });
      expect(first.status).toBe(202);
      expect((await api('DELETE', `/printing/printers/${printerId}`, undefined, {}, manager)).status).toBe(200);
      const after = await api('POST', '/printing/jobs', { printerId, content: raw('after') });
      expect([after.status, after.body.code]).toEqual([404, 'PRINTER_NOT_FOUND']);
    });

    /** A tenant of its own, its manager's token, and a printer to delete. */
    const tenantWithPrinter = async () => {
      const t = await gw.seedTenant(`Deleted-${randomUUID().slice(0, 6)}`);
      const owner = await gw.token('branch_manager', { companyId: t.companyId, branchId: t.branchId });
      const created = await api(
        'POST',
        '/printing/printers',
        { branchId: t.branchId, name: 'Gone', ip: '127.0.0.1', port: 9100 },
        {},
        owner,
      );
      return { t, owner, printerId: (created.body as unknown as { printer: { id: string } }).printer.id };
    };

    it('fails a waiting job whose printer was deleted instead of sending it when an agent connects', async () => {
      const { t, owner, printerId } = await tenantWithPrinter();
      const job = await api('POST', '/printing/jobs', { printerId, content: raw('orphan') }, {}, owner);
      expect(job.body.job.state).toBe('queued');
      expect((await api('DELETE', `/printing/printers/${printerId}`, undefined, {}, owner)).status).toBe(200);
      const agent = await WireAgent.connect(gw.url, {
        licenseKey: t.licenseKey,
        branchId: t.branchId,
        deviceId: 'dev-gone',
      });
      try {
        await eventually(
          async () =>
            (await api('GET', `/printing/jobs/${job.body.job.id}`, undefined, {}, owner)).body.job.state === 'failed',
          5_000,
          'the job to fail',
        );
        const { body } = await api('GET', `/printing/jobs/${job.body.job.id}`, undefined, {}, owner);
        expect(body.job.reason).toBe('the printer was deleted before the job was printed');
        expect(agent.deliveries).toEqual([]);
      } finally {
        agent.close();
      }
    });

    it('makes a sent job whose printer was deleted unconfirmed, not failed: it may have printed', async () => {
      const { t, owner, printerId } = await tenantWithPrinter();
      const id = { licenseKey: t.licenseKey, branchId: t.branchId, deviceId: 'dev-silent' };
      const silent = await WireAgent.connect(gw.url, id);
      silent.ackMode = 'silent';
      const job = (await api('POST', '/printing/jobs', { printerId, content: raw('maybe printed') }, {}, owner)).body
        .job.id;
      const state = async () => (await api('GET', `/printing/jobs/${job}`, undefined, {}, owner)).body.job;
      await eventually(async () => (await state()).state === 'sent', 5_000, 'sent');
      silent.close();
      expect((await api('DELETE', `/printing/printers/${printerId}`, undefined, {}, owner)).status).toBe(200);
      const back = await WireAgent.connect(gw.url, id);
      try {
        await eventually(async () => (await state()).state === 'unconfirmed', 5_000, 'unconfirmed');
        expect((await state()).reason).toBe('delivered to the agent, outcome unknown');
      } finally {
        back.close();
      }
    });

    it('answers bad job requests with a status and code and stores nothing', async () => {
      const printerId = await newPrinter();
      const before = (await gw.stores.jobs.list({ printerId, limit: 100 })).length;
      const cases: [unknown, number, string][] = [
        [{ printerId, content: 'not base64!' }, 400, 'BAD_REQUEST'],
        [{ printerId }, 400, 'BAD_REQUEST'],
        [{ printerId, content: raw('a'), document: { blocks: [{ type: 'cut' }] } }, 400, 'BAD_REQUEST'],
        [{ printerId, content: Buffer.alloc(4096).toString('base64') }, 413, 'PAYLOAD_TOO_LARGE'],
        [{ printerId, content: raw('a'), usefulUntil: '2001-01-01T00:00:00Z' }, 400, 'BAD_REQUEST'],
        [{ printerId, content: raw('a'), priority: 11 }, 400, 'BAD_REQUEST'],
        [
          { printerId, document: { blocks: [{ type: 'barcode', data: 'abc', symbology: 'ean13' }] } },
          400,
          'BAD_REQUEST',
        ],
        [{ printerId, document: { blocks: [{ type: 'hologram' }] } }, 400, 'BAD_REQUEST'],
        // More than a QR code holds: a printer would print nothing.
        [{ printerId, document: { blocks: [{ type: 'qr', data: '拉'.repeat(778) }] } }, 400, 'BAD_REQUEST'],
        // 8,400 UTF-16 characters but 16,800 bytes: the 16 KB limit is in bytes.
        [{ printerId, content: raw('a'), orderData: { note: '😀'.repeat(4_200) } }, 400, 'BAD_REQUEST'],
        [{ printerId: 'no-such-printer', content: raw('a') }, 404, 'PRINTER_NOT_FOUND'],
      ];
      for (const [body, status, code] of cases) {
        const res = await api('POST', '/printing/jobs', body);
        expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
        expect(res.body).toMatchObject({ success: false, code });
      }
      const badKey = await api(
        'POST',
        '/printing/jobs',
        { printerId, content: raw('a') },
        { 'idempotency-key': 'has space' },
      );
      expect(badKey.status).toBe(400);
      expect((await gw.stores.jobs.list({ printerId, limit: 100 })).length).toBe(before);
    });

    it('re-sends queued and sent jobs after a gateway restart', async () => {
      const dir = store === 'pglite' ? mkdtempSync(join(tmpdir(), 'pm-restart-')) : undefined;
      const pgSchema = store === 'postgres' ? await createTestSchema() : undefined;
      const options: TestGatewayOptions =
        store === 'pglite' ? { dataDir: dir, env } : { store, env, schema: pgSchema?.schema, ...extra };
      let first = await startTestGateway(options);
      try {
        const t = await first.seedTenant();
        const token = await first.token('branch_manager', { companyId: t.companyId, branchId: t.branchId });
        const res = await fetch(`${first.url}/printing/printers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ branchId: t.branchId, name: 'R' }),
        });
        const pid = ((await res.json()) as { printer: { id: string } }).printer.id;
        const identity = { licenseKey: t.licenseKey, branchId: t.branchId, deviceId: 'restart-dev' };
        const agent = await WireAgent.connect(first.url, identity);
        agent.ackMode = 'silent';
        const post = async (url: string, text: string) =>
          (
            (await (
              await fetch(`${url}/printing/jobs`, {
                method: 'POST',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body: JSON.stringify({ printerId: pid, content: raw(text) }),
              })
            ).json()) as { job: Job }
          ).job.id;
        const sentId = await post(first.url, 'sent before restart');
        await eventually(() => agent.deliveries.some((d) => d.id === sentId), 5_000, 'delivered');
        agent.close();
        const queuedId = await post(first.url, 'queued before restart');
        await first.close();
        first = await startTestGateway(options);
        const back = await WireAgent.connect(first.url, identity);
        await eventually(
          () => [sentId, queuedId].every((id) => back.deliveries.some((d) => d.id === id)),
          8_000,
          'both re-sent',
        );
        await eventually(async () => (await first.stores.jobs.find(sentId))?.state === 'accepted', 5_000, 'accepted');
        back.close();
      } finally {
        await first.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
        await pgSchema?.drop();
      }
    });
  });
}
