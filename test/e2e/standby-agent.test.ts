import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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

const ENDED = ['completed', 'failed', 'unconfirmed', 'expired', 'cancelled'];

describe('two agents per branch, one active (real gateway, two agents, one printer)', {
  timeout: E2E_TIMEOUT_MS,
}, () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-standby-'));
  const gateway = new GatewayProcess(join(root, 'gateway'));
  const printer = new PrinterProcess(join(root, 'tickets'));
  // Two PCs of the branch driving the same printer, paired.
  const pair = { PRINTERMASTER_AGENT_STANDBY_GROUP: 'kitchen-pcs' };
  const first = new AgentProcess(join(root, 'pc-a'), 'kitchen', 'pc-a', pair);
  const second = new AgentProcess(join(root, 'pc-b'), 'kitchen', 'pc-b', pair);
  let printerId = '';

  beforeAll(async () => {
    await gateway.start();
    await printer.start();
    await first.start(gateway, printer);
    printerId = (await printerIds(gateway, ['kitchen']))[0] as string;
    await second.start(gateway, printer);
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await first.proc?.stop();
    await second.proc?.stop();
    await gateway.proc?.stop();
    await printer.proc?.stop();
    rmSync(root, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  const submit = async (marker: string) => {
    const res = await gateway.api<{ job: PrintJobView }>('POST', '/printing/jobs', {
      printerId,
      content: markedTicket(marker),
      type: 'kitchen',
    });
    expect(res.status).toBe(202);
    return res.body.job.id;
  };
  const job = async (id: string) => (await gateway.api<{ job: PrintJobView }>('GET', `/printing/jobs/${id}`)).body.job;
  const ended = (id: string) => {
    let last: PrintJobView | undefined;
    return until(
      async () => {
        const j = await job(id);
        last = j;
        return ENDED.includes(j.state) ? j : undefined;
      },
      120_000,
      () =>
        `job ${id} to end (last seen: ${last?.state} on ${last?.deviceId ?? 'no agent'}, ${last?.reason ?? 'no reason'})`,
    );
  };

  it('prints through the first agent only, while the second stands by connected and healthy', async () => {
    const run = randomUUID().slice(0, 6);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await submit(`Mactive${i}-${run}`));
    for (const id of ids) expect(await ended(id)).toMatchObject({ state: 'completed', deviceId: 'pc-a' });
    const health = await gateway.api<{ healthMetrics: { deviceId: string }[] }>('GET', '/printing/desktop-health');
    expect(health.body.healthMetrics.map((h) => h.deviceId).sort()).toEqual(['pc-a', 'pc-b']);
  });

  it('switches to the standby when the active agent is killed while jobs flow: none printed twice, none lost', async () => {
    const run = randomUUID().slice(0, 6);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(await submit(`Mflow${i}-${run}`));
      // Killed while tickets are on their way to it and in its journal.
      if (i === 15) first.proc.child.kill('SIGKILL');
    }
    const jobs = [];
    for (const id of ids) jobs.push(await ended(id));

    const feed = await gateway.api<{ events: { type: string; data: { deviceId: string; from: string } }[] }>(
      'GET',
      '/printing/events?types=agent.switched&limit=100',
    );
    expect(feed.body.events.map((e) => [e.data.from, e.data.deviceId])).toContainEqual(['pc-a', 'pc-b']);
    const audit = await gateway.api<{ entries: { action: string; targetId: string }[] }>(
      'GET',
      '/api/audit-log?action=agent.switched',
    );
    expect(audit.body.entries.map((e) => [e.action, e.targetId])).toContainEqual(['agent.switched', 'pc-b']);

    const printed = countMarkers(printer.tickets());
    for (const [i, j] of jobs.entries()) {
      const times = printed.get(`Mflow${i}-${run}`) ?? 0;
      // Never twice; a job the killed agent may have printed is unconfirmed, never sent again.
      expect(times, `job ${i}`).toBeLessThanOrEqual(1);
      expect(['completed', 'unconfirmed'], `job ${i}: ${j.state} ${j.reason ?? ''}`).toContain(j.state);
      if (j.state === 'completed') expect(times, `job ${i}`).toBe(1);
    }
    // The first ones went through the first agent; those submitted after the kill through the standby.
    expect(jobs.slice(0, 5).some((j) => j.state === 'completed' && j.deviceId === 'pc-a')).toBe(true);
    const late = jobs.slice(30).filter((j) => j.state === 'completed');
    expect(late.length).toBeGreaterThan(0);
    for (const j of late) expect(j.deviceId).toBe('pc-b');
  });
});
