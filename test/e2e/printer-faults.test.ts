import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentProcess,
  countMarkers,
  E2E_TIMEOUT_MS,
  GatewayProcess,
  markedTicket,
  PrinterProcess,
  printerIds,
  until,
} from './system.js';

describe('delivery under printer and gateway faults (real processes)', { timeout: E2E_TIMEOUT_MS }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-faults-'));
  const gateway = new GatewayProcess(join(root, 'gateway'));
  const printer = new PrinterProcess(join(root, 'tickets'));
  const agent = new AgentProcess(join(root, 'agent'));
  let printerId = '';

  beforeAll(async () => {
    await gateway.start();
    await printer.start();
    await agent.start(gateway, printer);
    printerId = (await printerIds(gateway, ['kitchen']))[0] as string;
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await agent.proc?.stop();
    await gateway.proc?.stop();
    await printer.proc?.stop();
    rmSync(root, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  const submit = async (marker: string, extra: Record<string, unknown> = {}, key?: string) => {
    const res = await gateway.api<{ job: PrintJobView }>(
      'POST',
      '/printing/jobs',
      { printerId, content: markedTicket(marker), ...extra },
      key ? { 'idempotency-key': key } : {},
    );
    expect(res.status).toBe(202);
    return res.body.job.id;
  };
  const job = async (id: string) => (await gateway.api<{ job: PrintJobView }>('GET', `/printing/jobs/${id}`)).body.job;
  const settled = (id: string, timeoutMs = 60_000) => {
    let last: PrintJobView | undefined;
    return until(
      async () => {
        const j = await job(id);
        last = j;
        return ['completed', 'failed', 'unconfirmed', 'expired', 'cancelled'].includes(j.state) ? j : undefined;
      },
      timeoutMs,
      () =>
        `job ${id} to end (last seen: ${last?.state} on ${last?.deviceId ?? 'no agent'}, ${last?.reason ?? 'no reason'})`,
    );
  };

  /**
   * A job submitted after the others, once ended: the agent prints in order and the gateway sends
   * a branch's waiting jobs oldest first, so whatever either would still do with an earlier job
   * (print it again, send it again) would have happened by then.
   */
  const barrier = async () => {
    const ended = await settled(await submit(`Mbarrier-${randomUUID().slice(0, 6)}`));
    expect(ended.state).toBe('completed');
  };

  it('holds jobs while the printer is offline, prints them in order when it is back, and never prints one past its useful-until', async () => {
    await printer.setFaults({ offline: true });
    const run = randomUUID().slice(0, 6);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await submit(`Moff${i}-${run}`));
    // Long enough to reach the agent on a busy machine (past it, the gateway expires the job instead).
    const lateUntil = Date.now() + 6_000;
    const late = await submit(`Mlate-${run}`, { usefulUntil: new Date(lateUntil).toISOString() });
    await until(
      async () => (await job(late)).state === 'accepted',
      30_000,
      'the agent to accept while the printer is away',
    );
    // The printer comes back only once the late job's useful-until has passed (the same clock the agent reads).
    await until(() => Date.now() > lateUntil, 10_000, 'the late job past its useful-until');
    expect(
      countMarkers(printer.tickets()).size === 0 ||
        ![...countMarkers(printer.tickets()).keys()].some((k) => k.includes(run)),
    ).toBe(true);
    await printer.setFaults({ offline: false });
    const ended = await Promise.all(ids.map((id) => settled(id)));
    expect(ended.map((j) => j.state)).toEqual(['completed', 'completed', 'completed']);
    const lateJob = await settled(late);
    expect(lateJob.state).toBe('failed');
    expect(lateJob.reason).toMatch(/useful-until/);
    const printed = printer.tickets().filter((t) => t.text.includes(run));
    expect(printed.map((t) => /JOB (\S+)/.exec(t.text)?.[1])).toEqual([`Moff0-${run}`, `Moff1-${run}`, `Moff2-${run}`]);
  });

  it('marks a job whose printer connection drops mid-ticket unconfirmed, never re-sends it, and reprints it once with a REPRINT banner', async () => {
    const marker = `Mdrop-${randomUUID().slice(0, 6)}`;
    await printer.setFaults({ dropAfterBytes: 40 });
    const id = await submit(marker);
    const ended = await settled(id);
    expect(ended.state).toBe('unconfirmed');
    expect(ended.reason).toMatch(/dropped|confirm/);
    // Neither the gateway's dispatch nor the agent's retries may send it again.
    await barrier();
    expect((await job(id)).attempts).toBe(1);
    expect(countMarkers(printer.tickets()).get(marker) ?? 0).toBeLessThanOrEqual(1);
    const before = printer.tickets().length;
    const reprint = await gateway.api<{ job: PrintJobView }>('POST', `/printing/jobs/${id}/reprint`);
    expect(reprint.status).toBe(202);
    const again = await settled(reprint.body.job.id);
    expect(again.state).toBe('completed');
    const newTickets = printer.tickets().slice(before);
    expect(newTickets).toHaveLength(1);
    expect(newTickets[0]?.text).toMatch(/REPRINT[\s\S]*JOB /);
    expect(newTickets[0]?.text).toContain(marker);
  });

  it('survives a gateway outage longer than the agent’s first backoff steps: the agent comes back by itself and queued jobs flow', async () => {
    await gateway.proc.stop('SIGKILL');
    // The outage lasts until the agent has tried five times: its backoff (300 ms doubling, up to
    // 2 s) is at its ceiling by then. A stand-in on the gateway's port counts the tries.
    await agentTries(gateway.port, 5);
    await gateway.start();
    const marker = `Mout-${randomUUID().slice(0, 6)}`;
    const id = await submit(marker);
    const ended = await settled(id, 40_000);
    expect(ended.state).toBe('completed');
    expect(countMarkers(printer.tickets()).get(marker)).toBe(1);
    expect(agent.proc.running).toBe(true);
  });

  it('makes one job and one ticket of concurrent duplicate submissions with one Idempotency-Key', async () => {
    const marker = `Midem-${randomUUID().slice(0, 6)}`;
    const key = randomUUID();
    const ids = await Promise.all(Array.from({ length: 20 }, () => submit(marker, {}, key)));
    expect(new Set(ids).size).toBe(1);
    const ended = await settled(ids[0] as string);
    expect(ended.state).toBe('completed');
    await barrier();
    expect(countMarkers(printer.tickets()).get(marker)).toBe(1);
  });
});

/**
 * Listens on `port` while the gateway is away and refuses each Socket.IO connection attempt
 * there (by closing it); resolves after `count` of them, and frees the port.
 */
function agentTries(port: number, count: number, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let tries = 0;
    const timer = setTimeout(() => {
      server.close();
      reject(new Error(`the agent tried ${tries} times in ${timeoutMs} ms, not ${count}`));
    }, timeoutMs);
    const server = createServer((socket) => {
      socket.once('data', (head: Buffer) => {
        if (head.toString('latin1').startsWith('GET /socket.io/')) tries += 1;
        socket.destroy();
        if (tries !== count) return;
        clearTimeout(timer);
        server.close(() => resolve());
      });
      socket.on('error', () => {});
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1');
  });
}
