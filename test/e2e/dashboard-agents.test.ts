import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchChromium, loginLink, screenshot, tabletPage } from './dashboard-browser.js';
import {
  AgentProcess,
  E2E_TIMEOUT_MS,
  GatewayProcess,
  markedTicket,
  PrinterProcess,
  printerIds,
  until,
} from './system.js';

if (!hasChromium)
  process.stderr.write('dashboard agents tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)\n');

const DEVICE = 'agents-agent';

describe.skipIf(!hasChromium)(
  "the dashboard's Agents views in headless Chromium (real gateway, agent and printer)",
  { timeout: E2E_TIMEOUT_MS },
  () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-dashboard-agents-'));
    // A ping a second: the gateway measures latency on each, so the chart has samples within seconds.
    const gateway = new GatewayProcess(join(root, 'gateway'), { PRINTERMASTER_SOCKET_PING_INTERVAL_MS: '1000' });
    const printer = new PrinterProcess(join(root, 'tickets'));
    const agent = new AgentProcess(join(root, 'agent'), 'kitchen', DEVICE);
    const journal = join(root, 'agent', 'journal.log');
    let browser: Browser;
    let branchId = '';

    beforeAll(async () => {
      await gateway.start();
      await printer.start();
      await agent.start(gateway, printer);
      const [kitchenId] = await printerIds(gateway, ['kitchen']);
      const kitchen = await gateway.api<{ printer: { branchId: string } }>('GET', `/printing/printers/${kitchenId}`);
      branchId = kitchen.body.printer.branchId;
      // A printed job leaves lines in the agent's journal, which a test below damages.
      const created = await gateway.api<{ job: { id: string } }>('POST', '/printing/jobs', {
        printerId: kitchenId,
        content: markedTicket('Magents-1'),
      });
      expect(created.status).toBe(202);
      await until(
        async () =>
          (await gateway.api<{ job: { state: string } }>('GET', `/printing/jobs/${created.body.job.id}`)).body.job
            .state === 'completed',
        60_000,
        'the first job completed',
      );
      browser = await launchChromium();
    }, E2E_TIMEOUT_MS);

    afterAll(async () => {
      await browser?.close();
      await agent.proc?.stop();
      await gateway.proc?.stop();
      await printer.proc?.stop();
      rmSync(root, { recursive: true, force: true });
    }, E2E_TIMEOUT_MS);

    const graveViolations = async (page: Page) =>
      (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const agentRow = (page: Page) => page.locator(`tr[data-agent="${DEVICE}"]`);

    async function signIn(args: string[]): Promise<Page> {
      const { page } = await tabletPage(browser);
      await page.goto(await loginLink(gateway, args));
      await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 60_000 });
      return page;
    }

    /** Presses Tab until `target` has the focus: it is reachable from the keyboard. */
    async function tabTo(page: Page, target: string, most = 60): Promise<void> {
      for (let i = 0; i < most; i++) {
        await page.keyboard.press('Tab');
        if ((await page.evaluate('document.activeElement?.textContent?.trim() ?? ""')) === target) return;
      }
      throw new Error(`"${target}" not reached with ${most} presses of Tab`);
    }

    it('shows a cashier no Agents link, and not the page either', async () => {
      const page = await signIn(['--role', 'cashier', '--branch', branchId]);
      expect(await page.getByRole('link', { name: 'Agents', exact: true }).count()).toBe(0);
      await page.goto(`${gateway.base}/#/agents`);
      await page.getByText('Your role does not show this page.').waitFor();
      expect(await agentRow(page).count()).toBe(0);
      await page.context().close();
    });

    it('lists the agent with its quality, and an alert and the reconnection when its journal is damaged', async () => {
      const page = await signIn(['--role', 'branch_manager', '--branch', branchId]);
      await page.getByRole('link', { name: 'Agents', exact: true }).click();
      await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
      await agentRow(page)
        .getByTestId('agent-quality')
        .filter({ hasText: /^(excellent|good|fair|poor)$/ })
        .waitFor({ timeout: 30_000 });
      await page.getByText('None since this page was opened.').waitFor();

      // A bad sector in the journal while the agent is down: on its restart it sets the journal
      // aside and tells the gateway, which alerts the branch's admins.
      await agent.proc.stop('SIGKILL');
      const lines = readFileSync(journal, 'utf8').split('\n');
      expect(lines.filter(Boolean).length).toBeGreaterThan(1);
      lines[0] = '{"k":"job","job":{"id":"\u0000\u0000garbage';
      writeFileSync(journal, lines.join('\n'));
      await agent.start(gateway, printer);

      const alerts = page.getByTestId('live-alerts');
      await alerts.getByText('Journal damaged').waitFor({ timeout: 60_000 });
      expect(await alerts.getByText('high', { exact: true }).count()).toBeGreaterThan(0);
      // The feed since the gateway started, newest first: the first connection, the kill, the restart.
      const events = page.getByTestId('agent-events').locator('tbody tr');
      await expect
        .poll(() => events.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event'))), { timeout: 60_000 })
        .toEqual(['agent.connected', 'agent.disconnected', 'agent.connected']);
      await screenshot(page, 'dashboard-agents');
      expect(await graveViolations(page)).toEqual([]);

      // The device's page, by keyboard.
      await tabTo(page, DEVICE);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: `Agent ${DEVICE}` }).waitFor();
      await page.context().close();
    });

    it("draws the agent's latency over time, with its summary, alerts and reconnections", async () => {
      const page = await signIn(['--role', 'company_owner', '--company', await companyOf(gateway, branchId)]);
      await page.getByRole('link', { name: 'Agents', exact: true }).click();
      await agentRow(page).getByRole('link', { name: DEVICE }).click();
      await page.getByRole('heading', { name: `Agent ${DEVICE}` }).waitFor();
      const chart = page.getByRole('img', { name: 'Latency and lost pings over time' });
      await chart.waitFor({ timeout: 60_000 });
      // Pings come each second: the chart takes in new samples while the page stays open (ten make
      // a picture worth a screenshot).
      await expect
        .poll(async () => Number(await chart.getAttribute('data-samples')), { timeout: 90_000 })
        .toBeGreaterThanOrEqual(10);
      expect(await chart.locator('circle.sample').count()).toBeGreaterThanOrEqual(1);
      await expect
        .poll(() => page.getByTestId('latency-summary').textContent())
        .toMatch(/\d+ pings from .+ Latency lowest \d+ ms/);
      await page.getByTestId('journal-damage').waitFor();
      await page.getByTestId('agent-events').locator('tr[data-event="agent.connected"]').first().waitFor();

      await screenshot(page, 'dashboard-agent');
      expect(await graveViolations(page)).toEqual([]);
      // The table alternative opens from the keyboard.
      await tabTo(page, 'Every ping as a table');
      await page.keyboard.press('Enter');
      await page.getByRole('columnheader', { name: 'Latency' }).waitFor();
      expect(await graveViolations(page)).toEqual([]);

      // Gone: the page says so, and comes back by itself when the agent does.
      await agent.proc.stop();
      await page.getByTestId('agent-gone').waitFor({ timeout: 60_000 });
      await agent.start(gateway, printer);
      await page.getByRole('img', { name: 'Latency and lost pings over time' }).waitFor({ timeout: 60_000 });
      await page.context().close();
    });
  },
);

async function companyOf(gateway: GatewayProcess, branchId: string): Promise<string> {
  return (await gateway.api<{ branch: { companyId: string } }>('GET', `/admin/branches/${branchId}`)).body.branch
    .companyId;
}
