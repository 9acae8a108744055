import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchChromium, loginLink, screenshot, tabletPage } from './dashboard-browser.js';
import { AgentProcess, E2E_TIMEOUT_MS, GatewayProcess, markedTicket, PrinterProcess, printerIds } from './system.js';

if (!hasChromium)
  process.stderr.write('dashboard tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)\n');

describe.skipIf(!hasChromium)(
  'the web dashboard in headless Chromium (real gateway, agent and printer)',
  {
    timeout: E2E_TIMEOUT_MS,
  },
  () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-dashboard-'));
    // Access tokens of 12 s: every test runs across several refreshes of its session.
    const gateway = new GatewayProcess(join(root, 'gateway'), { JWT_ACCESS_TTL: '12s' });
    const printer = new PrinterProcess(join(root, 'tickets'));
    // The agent asks its printer every 250 ms, so a fault reaches the page well within 2 s.
    const agent = new AgentProcess(join(root, 'agent'), 'kitchen', 'dash-agent', {
      PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS: '250',
    });
    let browser: Browser;
    let kitchenBranch = '';
    let otherBranch = '';

    beforeAll(async () => {
      await gateway.start();
      await printer.start();
      await agent.start(gateway, printer);
      const [kitchenId] = await printerIds(gateway, ['kitchen']);
      const kitchen = await gateway.api<{ printer: { branchId: string } }>('GET', `/printing/printers/${kitchenId}`);
      kitchenBranch = kitchen.body.printer.branchId;
      const companyId = (
        await gateway.api<{ branch: { companyId: string } }>('GET', `/admin/branches/${kitchenBranch}`)
      ).body.branch.companyId;
      const other = await gateway.api<{ branch: { id: string } }>('POST', '/admin/branches', {
        companyId,
        name: 'Harbour',
      });
      otherBranch = other.body.branch.id;
      const bar = await gateway.api('POST', '/printing/printers', { branchId: otherBranch, name: 'bar' });
      expect(bar.status).toBe(201);
      browser = await launchChromium();
    }, E2E_TIMEOUT_MS);

    afterAll(async () => {
      await browser?.close();
      await agent.proc?.stop();
      await gateway.proc?.stop();
      await printer.proc?.stop();
      rmSync(root, { recursive: true, force: true });
    }, E2E_TIMEOUT_MS);

    /** axe-core's serious and critical violations (the others it lists are not failed on). */
    const graveViolations = async (page: Page) =>
      (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const statusOf = (page: Page, name: string) =>
      page.locator(`tr[data-printer="${name}"] [data-testid="printer-status"]`);

    async function signIn(args: string[]): Promise<Page> {
      const { page } = await tabletPage(browser);
      const url = await loginLink(gateway, args);
      expect(url).toMatch(/\/login#pmr_/);
      await page.goto(url);
      try {
        // Generous: the first view after a login waits on the session exchange and four API reads,
        // which take long on a machine busy with other work.
        await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 60_000 });
      } catch (err) {
        // What the page shows instead (a sign-in error, a banner) says why; the timeout alone does not.
        throw new Error(
          `no Overview after the login link; the page says: ${((await page.textContent('body')) ?? '').slice(0, 500)}`,
          {
            cause: err,
          },
        );
      }
      return page;
    }

    it('prints a working login link for the bootstrap admin on the first start', async () => {
      const line = gateway.proc.lines.find((l) => /\/login#pmr_/.test(l));
      const url = new URL(line?.trim() ?? 'http://no-link');
      expect(url.pathname).toBe('/login');
      expect(url.hash).toMatch(/^#pmr_[A-Za-z0-9_-]{43}$/);
      const { page } = await tabletPage(browser);
      // The link names PRINTERMASTER_PUBLIC_URL (localhost); the gateway here listens on 127.0.0.1.
      await page.goto(`${gateway.base}/login${url.hash}`);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.getByText('admin@localhost').waitFor();
      await page.context().close();
    });

    it('signs in with a login link, keeping every token out of the page, and shows the fleet', async () => {
      const page = await signIn([]);
      // The code is erased from the address; the session lives in httpOnly cookies only.
      expect(page.url()).not.toContain('pmr_');
      expect(await page.evaluate('document.cookie')).toBe('');
      expect(await page.evaluate('JSON.stringify([localStorage.length, sessionStorage.length])')).toBe('[0,0]');
      const cookies = await page.context().cookies();
      expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual(
        expect.arrayContaining([
          ['pm_access', true, 'Strict'],
          ['pm_refresh', true, 'Strict'],
        ]),
      );
      await expect.poll(() => statusOf(page, 'kitchen').textContent()).toBe('Online');
      await page.getByRole('cell', { name: 'dash-agent' }).waitFor();
      await screenshot(page, 'dashboard-overview');

      // The same link a second time: spent.
      await page.context().close();
    });

    it('has no serious or critical accessibility violations on the overview (nor, below, on the other views)', async () => {
      const page = await signIn([]);
      await statusOf(page, 'kitchen').waitFor();
      expect(await graveViolations(page)).toEqual([]);
      await page.context().close();
    });

    it('shows a printer turning to paper out within 2 s of the fault, and back', async () => {
      const page = await signIn([]);
      await expect.poll(() => statusOf(page, 'kitchen').textContent()).toBe('Online');
      const faultAt = Date.now();
      await printer.setFaults({ paperOut: true });
      await statusOf(page, 'kitchen')
        .filter({ hasText: /^Paper out$/ })
        .waitFor({ timeout: 10_000 });
      const tookMs = Date.now() - faultAt;
      expect(tookMs).toBeLessThan(2_000);
      await page.locator('tr[data-printer="kitchen"]', { hasText: 'out of paper: load a roll' }).waitFor();
      await screenshot(page, 'dashboard-paper-out');
      const clearedAt = Date.now();
      await printer.setFaults({ paperOut: false });
      await page.locator('tr[data-printer="kitchen"] [data-testid="printer-status"]:text-is("Online")').waitFor({
        timeout: 10_000,
      });
      expect(Date.now() - clearedAt).toBeLessThan(2_000);
      await page.context().close();
    });

    it('confines a cashier to their branch', async () => {
      const page = await signIn(['--role', 'cashier', '--branch', kitchenBranch]);
      await statusOf(page, 'kitchen').waitFor();
      expect(await statusOf(page, 'bar').count()).toBe(0);
      expect(await page.locator(`[data-branch="${otherBranch}"]`).count()).toBe(0);
      // Agents' health is for managers: a cashier's page neither asks for it nor reports it missing.
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(await page.getByText('No agent connected').count()).toBe(0);
      await page.context().close();

      const other = await signIn(['--role', 'cashier', '--branch', otherBranch]);
      await statusOf(other, 'bar').waitFor();
      expect(await statusOf(other, 'kitchen').count()).toBe(0);
      await other.context().close();
    });

    it('lists jobs live, shows a job’s timeline and reprints it after confirmation', async () => {
      const page = await signIn(['--role', 'branch_manager', '--branch', kitchenBranch]);
      await page.getByRole('link', { name: 'Jobs', exact: true }).click();
      await page.getByRole('heading', { name: 'Jobs' }).waitFor();
      const [kitchenId] = await printerIds(gateway, ['kitchen']);
      const created = await gateway.api<{ job: { id: string } }>('POST', '/printing/jobs', {
        printerId: kitchenId,
        type: 'kitchen',
        content: markedTicket('Mdash-1'),
      });
      expect(created.status).toBe(202);
      const jobId = created.body.job.id;
      // The new job appears and reaches `completed` without a reload.
      await page.locator(`tr[data-job="${jobId}"] .badge:text-is("completed")`).waitFor({ timeout: 20_000 });
      // The CSV of the same filter, downloaded with the session cookie as the link does.
      const csvHref = (await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')) ?? '';
      expect(csvHref).toContain('format=csv');
      const csv = await page.context().request.get(`${gateway.base}${csvHref}`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
      expect(await csv.text()).toContain(jobId);
      await screenshot(page, 'dashboard-jobs');
      expect(await graveViolations(page)).toEqual([]);

      await page.locator(`tr[data-job="${jobId}"] a`).click();
      await page.getByRole('heading', { name: /^Job / }).waitFor();
      await page.locator('.timeline li', { hasText: 'completed' }).waitFor();
      expect(await page.locator('.timeline li').count()).toBeGreaterThanOrEqual(3);
      await page.getByRole('button', { name: 'Reprint' }).click();
      const dialog = page.getByRole('dialog', { name: 'Reprint this job?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Reprint' }).click();
      await page.getByText('Reprint queued as a new job.').waitFor();
      // The ticket's preview (GET /printing/jobs/:id/preview.png) loads with the session cookie.
      await expect
        .poll(() => page.evaluate('document.querySelector(".preview img")?.naturalWidth ?? 0'), { timeout: 20_000 })
        .toBeGreaterThan(0);
      await screenshot(page, 'dashboard-job');
      expect(await graveViolations(page)).toEqual([]);
      await page.context().close();
    });

    it('cancels a queued job after confirmation', async () => {
      // The bar printer has no agent: its job waits, queued.
      const [barId] = await printerIds(gateway, ['bar']);
      const created = await gateway.api<{ job: { id: string } }>('POST', '/printing/jobs', {
        printerId: barId,
        content: markedTicket('Mdash-bar'),
      });
      expect(created.status).toBe(202);
      const page = await signIn([]);
      await page.goto(`${gateway.base}/#/jobs/${created.body.job.id}`);
      await page.getByRole('heading', { name: /^Job / }).getByText('queued').waitFor();
      await page.getByRole('button', { name: 'Cancel job' }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel this job?' });
      // Escape keeps the job, so does the focused "Keep job" (not an ambiguous "Cancel"); the button asks again.
      // Each time the dialog is open before a key goes to it (a busy machine opens it late).
      await dialog.getByRole('button', { name: 'Keep job' }).waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Cancel job' }).click();
      await dialog.getByRole('button', { name: 'Keep job' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Cancel job' }).click();
      await dialog.getByRole('button', { name: 'Cancel job' }).click();
      await page.getByText('Job cancelled.').waitFor();
      await page.getByRole('heading', { name: /^Job / }).getByText('cancelled').waitFor();
      await page.context().close();
    });

    it('tests a printer from its page and shows the outcome', async () => {
      const page = await signIn(['--role', 'branch_manager', '--branch', kitchenBranch]);
      await page.getByRole('link', { name: 'kitchen' }).click();
      await page.getByRole('heading', { name: /kitchen/ }).waitFor();
      await page.getByRole('button', { name: 'Print a test page' }).click();
      await page.locator('[data-testid="test-outcome"]', { hasText: 'Printed' }).waitFor({ timeout: 20_000 });
      // The paper out of the test above, and its end, are in the printer's status history.
      await page.getByTestId('status-history').getByText('Paper out').first().waitFor({ timeout: 20_000 });
      await screenshot(page, 'dashboard-printer');
      expect(await graveViolations(page)).toEqual([]);
      await page.context().close();
    });

    it('keeps the session and the live socket across expiries of the access token, without a banner', async () => {
      const page = await signIn(['--role', 'branch_manager', '--branch', kitchenBranch]);
      const refreshed = () =>
        page.waitForResponse((r) => r.url().endsWith('/auth/web/refresh') && r.status() === 200, { timeout: 30_000 });
      await page.getByRole('link', { name: 'Jobs', exact: true }).click();
      await page.getByRole('heading', { name: 'Jobs' }).waitFor();
      // Two access tokens later (each lives 12 s) the socket still delivers what happens.
      await refreshed();
      await refreshed();
      const [kitchenId] = await printerIds(gateway, ['kitchen']);
      const created = await gateway.api<{ job: { id: string } }>('POST', '/printing/jobs', {
        printerId: kitchenId,
        content: markedTicket('Mdash-2'),
      });
      await page
        .locator(`tr[data-job="${created.body.job.id}"] .badge:text-is("completed")`)
        .waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('live-lost').count()).toBe(0);
      await page.context().close();
    });

    it('says when the live connection drops and when it is back', async () => {
      const page = await signIn([]);
      await statusOf(page, 'kitchen').waitFor();
      await gateway.proc.stop('SIGTERM');
      await page.getByTestId('live-lost').waitFor({ timeout: 30_000 });
      await gateway.start();
      await page.getByTestId('live-restored').waitFor({ timeout: 60_000 });
      await page.context().close();
    });
  },
);
