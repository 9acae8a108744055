import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentProcess,
  countMarkers,
  GatewayProcess,
  markedTicket,
  PrinterProcess,
  printerIds,
  until,
} from './system.js';

describe('delivery under printer and gateway faults (real processes)', () => {
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
  });
  afterAll(async () => {
    await agent.proc?.stop();
    await gateway.proc?.stop();
    await printer.proc?.stop();
    rmSync(root, { recursive: true, force: true });
  });

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
  const settled = (id: string, timeoutMs = 30_000) =>
    until(
      async () => {
        const j = await job(id);
        return ['completed', 'failed', 'unconfirmed', 'expired', 'cancelled'].includes(j.state) ? j : undefined;
      },
      timeoutMs,
      `job ${id} to end`,
    );

  it('holds jobs while the printer is offline, prints them in order when it is back, and never prints one past its useful-until', async () => {
    await printer.setFaults({ offline: true });
    const run = randomUUID().slice(0, 6);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await submit(`Moff${i}-${run}`));
    const late = await submit(`Mlate-${run}`, { usefulUntil: new Date(Date.now() + 2_000).toISOString() });
    await until(
      async () => (await job(ids[0] as string)).state === 'accepted',
      10_000,
      'the agent to accept while the printer is away',
    );
    await new Promise((r) => setTimeout(r, 3_500));
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
    // Give the gateway's re-dispatch and the agent's retries time to misbehave, if they would.
    await new Promise((r) => setTimeout(r, 3_000));
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
    await new Promise((r) => setTimeout(r, 6_000));
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
    await new Promise((r) => setTimeout(r, 1_000));
    expect(countMarkers(printer.tickets()).get(marker)).toBe(1);
  });
});
