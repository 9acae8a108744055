import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrinterCanary, PrinterView, PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentProcess,
  E2E_TIMEOUT_MS,
  GatewayProcess,
  markedTicket,
  PrinterProcess,
  printerIds,
  until,
} from './system.js';

/** A canary every 1.5 s, answered within 2.5 s: faults show in seconds. */
const CANARY_ENV = { PRINTERMASTER_CANARY_INTERVAL_MS: '1500', PRINTERMASTER_CANARY_TIMEOUT_MS: '2500' };

describe('end-to-end printer canaries and service times (real gateway, agent and printer)', {
  timeout: E2E_TIMEOUT_MS,
}, () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-canary-'));
  const gateway = new GatewayProcess(join(root, 'gateway'), CANARY_ENV);
  const printer = new PrinterProcess(join(root, 'tickets'));
  // The agent's own status poll is slowed right down, so that what the gateway hears comes from
  // the canaries' requests, not from the poll.
  const agent = new AgentProcess(join(root, 'agent'), 'kitchen', 'canary-agent', {
    PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS: '600000',
  });
  let printerId = '';

  beforeAll(async () => {
    await gateway.start();
    await printer.start();
    await agent.start(gateway, printer);
    printerId = (await printerIds(gateway, ['kitchen']))[0] as string;
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    agent.proc?.child.kill('SIGCONT');
    await agent.proc?.stop();
    await gateway.proc?.stop();
    await printer.proc?.stop();
    rmSync(root, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  const canary = async (): Promise<PrinterCanary | undefined> =>
    (await gateway.api<{ printer: PrinterView }>('GET', `/printing/printers/${printerId}`)).body.printer.canary;
  /** The first canary that ended after `since` (Unix ms) and matches `wanted`. */
  const canaryAfter = (since: number, wanted: (c: PrinterCanary) => boolean, what: string) =>
    until(
      async () => {
        const c = await canary();
        return c && Date.parse(c.at) > since && wanted(c) ? c : undefined;
      },
      60_000,
      what,
    );
  const metrics = async () => (await fetch(`${gateway.base}/metrics`)).text();
  const failures = async (reason: string) => {
    const line = (await metrics())
      .split('\n')
      .find(
        (l) =>
          l.startsWith('printermaster_canary_failures_total{') &&
          l.includes(`printer="${printerId}"`) &&
          l.includes(`reason="${reason}"`),
      );
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it('verifies a ready printer end to end, and records how long the answer took', async () => {
    const ok = await canaryAfter(0, (c) => c.ok, 'a passing canary');
    expect(ok.reason).toBeUndefined();
    expect(ok.seconds).toBeGreaterThanOrEqual(0);
    const text = await metrics();
    const count = text
      .split('\n')
      .find((l) => l.startsWith('printermaster_canary_seconds_count{') && l.includes(`printer="${printerId}"`));
    expect(Number(count?.split(' ').at(-1))).toBeGreaterThan(0);
  });

  it('turns red with the printer’s reason at the first probe after its link is cut, and green when it is back', async () => {
    await printer.setFaults({ offline: true });
    const cut = Date.now();
    // A probe that started before the cut may still pass; the one after it may not.
    const first = await canaryAfter(cut, () => true, 'a canary after the cut');
    const red = first.ok ? await canaryAfter(Date.parse(first.at), () => true, 'the next canary') : first;
    expect(red.ok).toBe(false);
    expect(red.reason).toBeDefined();
    expect(red.reason).not.toBe('no_answer');
    expect(await failures(red.reason as string)).toBeGreaterThan(0);

    await printer.setFaults({ offline: false });
    await canaryAfter(Date.now(), (c) => c.ok, 'a passing canary once the printer is back');
    // The cut and the return are in the printer's status history, newest first.
    const history = await gateway.api<{ history: { status: string; previousStatus: string | null; at: string }[] }>(
      'GET',
      `/printing/printers/${printerId}/status-history`,
    );
    expect(history.body.history[0]).toMatchObject({ status: 'online' });
    expect(history.body.history.some((h) => h.status !== 'online' && h.previousStatus === 'online')).toBe(true);
  });

  it('times each completed job from submission to completion, by branch and job type', async () => {
    const job = await gateway.api<{ job: PrintJobView }>('POST', '/printing/jobs', {
      printerId,
      content: markedTicket('Mservice-time'),
      type: 'kitchen',
    });
    expect(job.status).toBe(202);
    const { branchId } = job.body.job;
    const count = async () => {
      const line = (await metrics())
        .split('\n')
        .find(
          (l) =>
            l.startsWith('printermaster_job_service_seconds_count{') &&
            l.includes(`branch="${branchId}"`) &&
            l.includes('type="kitchen"'),
        );
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    await until(async () => (await count()) >= 1, 60_000, 'the kitchen job’s service time');
  });

  it('fails with no_answer while the agent is connected but does not answer', async () => {
    const before = await failures('no_answer');
    // Stopped, not killed: its socket stays open until the gateway's ping timeout, and nothing answers.
    agent.proc.child.kill('SIGSTOP');
    try {
      const stopped = Date.now();
      const silent = await canaryAfter(stopped, (c) => !c.ok && c.reason === 'no_answer', 'an unanswered canary');
      expect(silent.seconds).toBeUndefined();
      expect(await failures('no_answer')).toBeGreaterThan(before);
    } finally {
      agent.proc.child.kill('SIGCONT');
    }
    await canaryAfter(Date.now(), (c) => c.ok, 'a passing canary once the agent runs again');
  });
});
