import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, loginLink, screenshot, tabletPage } from './dashboard-browser.js';
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

/** Kitchen tickets are held once 3 s old (10 minutes by default): the outage plays out in seconds. */
const HOLD_AFTER_S = 3;

describe('a held backlog instead of a blast of stale tickets (real gateway, agent and printer)', {
  timeout: E2E_TIMEOUT_MS,
}, () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-held-'));
  const gateway = new GatewayProcess(join(root, 'gateway'), {
    PRINTERMASTER_HOLD_KITCHEN_AFTER_S: String(HOLD_AFTER_S),
  });
  const printer = new PrinterProcess(join(root, 'tickets'));
  const agent = new AgentProcess(join(root, 'agent'));
  let printerId = '';
  let branchId = '';

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

  const submit = async (marker: string, type: 'kitchen' | 'receipt') => {
    const res = await gateway.api<{ job: PrintJobView }>('POST', '/printing/jobs', {
      printerId,
      content: markedTicket(marker),
      type,
    });
    expect(res.status).toBe(202);
    branchId = res.body.job.branchId;
    return res.body.job;
  };
  const job = async (id: string) => (await gateway.api<{ job: PrintJobView }>('GET', `/printing/jobs/${id}`)).body.job;
  const inState = (id: string, state: string) =>
    until(async () => (await job(id)).state === state, 60_000, `job ${id} ${state}`);
  const printed = (marker: string) => countMarkers(printer.tickets()).get(marker) ?? 0;

  it('holds the kitchen tickets that went stale while the agent was away, prints the receipt, and announces the hold', async () => {
    const run = randomUUID().slice(0, 6);
    await agent.proc.stop();
    await until(
      async () => (await gateway.api('GET', '/printing/desktop-health/e2e-agent')).status === 404,
      60_000,
      'agent gone',
    );
    const kitchen = [];
    for (let i = 0; i < 3; i++) kitchen.push(await submit(`Mstale${i}-${run}`, 'kitchen'));
    const receipt = await submit(`Mreceipt-${run}`, 'receipt');
    // The outage lasts past the hold age of the last ticket.
    const last = Date.parse((kitchen.at(-1) as PrintJobView).createdAt);
    await until(() => Date.now() - last > HOLD_AFTER_S * 1000, 30_000, 'the tickets to grow stale');
    await agent.start(gateway, printer);

    for (const k of kitchen) await inState(k.id, 'held');
    await inState(receipt.id, 'completed');
    expect(printed(`Mreceipt-${run}`)).toBe(1);
    for (let i = 0; i < 3; i++) expect(printed(`Mstale${i}-${run}`)).toBe(0);
    const held = (await job(kitchen[0]?.id as string)).reason;
    expect(held).toMatch(/^held/);

    const list = await gateway.api<{ jobs: PrintJobView[] }>('GET', `/printing/jobs?state=held&branchId=${branchId}`);
    expect(list.body.jobs.map((j) => j.id).sort()).toEqual(kitchen.map((k) => k.id).sort());
    const feed = await gateway.api<{ events: { type: string; subjectId?: string; data: { jobId: string } }[] }>(
      'GET',
      '/printing/events?types=job.held&limit=100',
    );
    const announced = feed.body.events.map((e) => e.data.jobId);
    for (const k of kitchen) expect(announced).toContain(k.id);

    // A person releases one: it prints once, whatever its age; the others stay held.
    const released = await gateway.api<{ job: PrintJobView }>('POST', `/printing/jobs/${kitchen[0]?.id}/release`);
    expect([released.status, released.body.job.state]).toEqual([200, 'queued']);
    await inState(kitchen[0]?.id as string, 'completed');
    expect(printed(`Mstale0-${run}`)).toBe(1);
    expect((await job(kitchen[1]?.id as string)).state).toBe('held');

    // Releasing it again is refused: it is no longer held.
    const again = await gateway.api<{ code: string }>('POST', `/printing/jobs/${kitchen[0]?.id}/release`);
    expect([again.status, again.body.code]).toEqual([409, 'CONFLICT']);

    // The rest are dropped in one go.
    const dropped = await gateway.api<{ count: number; more: boolean }>(
      'POST',
      `/printing/branches/${branchId}/held-jobs/cancel`,
    );
    expect([dropped.status, dropped.body.count, dropped.body.more]).toEqual([200, 2, false]);
    for (const k of kitchen.slice(1)) expect((await job(k.id)).state).toBe('cancelled');

    // A fresh kitchen ticket prints at once; afterwards none of the dropped ones has printed.
    const fresh = await submit(`Mfresh-${run}`, 'kitchen');
    await inState(fresh.id, 'completed');
    expect([printed(`Mstale1-${run}`), printed(`Mstale2-${run}`), printed(`Mfresh-${run}`)]).toEqual([0, 0, 1]);
  });

  it('releases all of a branch’s held tickets at once, each printed once, oldest first', async () => {
    const run = randomUUID().slice(0, 6);
    await agent.proc.stop();
    await until(
      async () => (await gateway.api('GET', '/printing/desktop-health/e2e-agent')).status === 404,
      60_000,
      'agent gone',
    );
    const kitchen = [];
    for (let i = 0; i < 2; i++) kitchen.push(await submit(`Mall${i}-${run}`, 'kitchen'));
    const last = Date.parse((kitchen.at(-1) as PrintJobView).createdAt);
    await until(() => Date.now() - last > HOLD_AFTER_S * 1000, 30_000, 'the tickets to grow stale');
    await agent.start(gateway, printer);
    for (const k of kitchen) await inState(k.id, 'held');

    const released = await gateway.api<{ count: number; jobs: PrintJobView[] }>(
      'POST',
      `/printing/branches/${branchId}/held-jobs/release`,
    );
    expect([released.status, released.body.count]).toEqual([200, 2]);
    expect(released.body.jobs.map((j) => j.id)).toEqual(kitchen.map((k) => k.id));
    for (const k of kitchen) await inState(k.id, 'completed');
    expect([printed(`Mall0-${run}`), printed(`Mall1-${run}`)]).toEqual([1, 1]);
  });

  it.skipIf(!hasChromium)('shows held tickets on the dashboard and prints one released from its page', async () => {
    const run = randomUUID().slice(0, 6);
    await agent.proc.stop();
    await until(
      async () => (await gateway.api('GET', '/printing/desktop-health/e2e-agent')).status === 404,
      60_000,
      'agent gone',
    );
    const stale = await submit(`Mpage-${run}`, 'kitchen');
    await until(
      () => Date.now() - Date.parse(stale.createdAt) > HOLD_AFTER_S * 1000,
      30_000,
      'the ticket to grow stale',
    );
    await agent.start(gateway, printer);
    await inState(stale.id, 'held');

    const browser = await launchChromium();
    try {
      const { page } = await tabletPage(browser);
      await page.goto(await loginLink(gateway, []));
      const pill = page.locator(`[data-branch="${branchId}"] a.held-link`);
      await pill.waitFor({ timeout: 60_000 });
      expect(await pill.textContent()).toContain('1 held');
      await page.goto(`${gateway.base}/#/jobs/${stale.id}`);
      const release = page.getByRole('button', { name: 'Release and print' });
      await release.waitFor({ timeout: 60_000 });
      await page.getByText('Drawing the ticket').waitFor({ state: 'hidden', timeout: 60_000 });
      await screenshot(page, 'dashboard-held');
      await release.click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Release and print' }).click();
      await page.locator('.badge', { hasText: 'completed' }).first().waitFor({ timeout: 60_000 });
    } finally {
      await browser.close();
    }
    expect(printed(`Mpage-${run}`)).toBe(1);
  });

  it('answers a release of an unknown job with 404', async () => {
    const unknown = await gateway.api<{ code: string }>('POST', `/printing/jobs/${randomUUID()}/release`);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'JOB_NOT_FOUND']);
  });
});
