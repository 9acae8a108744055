import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StationView } from '@printermaster/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminDashboard } from './admin-dashboard.js';
import { hasChromium, screenshot } from './dashboard-browser.js';
import { AgentProcess, E2E_TIMEOUT_MS, GatewayProcess, PrinterProcess, printerIds } from './system.js';

if (!hasChromium)
  process.stderr.write(
    'dashboard stations tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)\n',
  );

describe.skipIf(!hasChromium)(
  'the dashboard’s Stations tab in headless Chromium (real gateway, one agent, two printers)',
  { timeout: E2E_TIMEOUT_MS },
  () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-dashboard-stations-'));
    const dash = new AdminDashboard(new GatewayProcess(join(root, 'gateway')));
    const gateway = dash.gateway;
    const grill1 = new PrinterProcess(join(root, 'grill-1'));
    const grill2 = new PrinterProcess(join(root, 'grill-2'));
    // The agent asks its printers every 250 ms: a fault reaches the gateway, and the page, at once.
    const agent = new AgentProcess(
      join(root, 'agent'),
      'grill-1',
      'stations-dashboard-agent',
      { PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS: '250' },
      [{ name: 'grill-2', printer: grill2 }],
    );
    let first = '';
    let second = '';
    let page: Page;

    beforeAll(async () => {
      await dash.start();
      await grill1.start();
      await grill2.start();
      await agent.start(gateway, grill1);
      [first, second] = (await printerIds(gateway, ['grill-1', 'grill-2'])) as [string, string];
      page = await dash.owner();
    }, E2E_TIMEOUT_MS);
    afterAll(async () => {
      await page?.context().close();
      await agent.proc?.stop();
      await dash.stop();
      await grill1.proc?.stop();
      await grill2.proc?.stop();
      rmSync(root, { recursive: true, force: true });
    }, E2E_TIMEOUT_MS);

    const card = (name: string) => page.locator(`article[data-station="${name}"]`);
    /** The printer the card marks "prints here now", by name (none: empty). */
    const printsNow = (name: string) =>
      card(name)
        .locator('li.prints-now')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-printer-name')).join());
    const order = (name: string) =>
      card(name)
        .locator('ol.station-printers li')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-printer-name')));
    const stationsByName = async () => {
      const { body } = await gateway.api<{ stations: StationView[] }>('GET', '/printing/stations');
      return new Map(body.stations.map((s) => [s.name, s]));
    };

    it('creates a station with both printers of the branch, in the chosen order, and shows which prints now', async () => {
      await dash.openTab(page, 'Stations');
      await page.getByText('No station here yet.').waitFor();
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'New station' }) });
      await form.getByLabel('Branch').selectOption(dash.mainBranch);
      // Neither a name nor a printer: said before anything is sent.
      await form.getByRole('button', { name: 'Create station' }).click();
      await form.getByText('Give the station a name.').waitFor();
      await form.getByText('Add at least one printer.').waitFor();
      await form.getByLabel('Name', { exact: true }).fill('Grill');
      for (const name of ['grill-1', 'grill-2']) {
        await form.getByLabel('Add a printer').selectOption({ label: name });
        await form.getByRole('button', { name: 'Add printer' }).click();
        await form.locator(`li[data-printer-name="${name}"]`).waitFor();
      }
      await form.getByRole('button', { name: 'Create station' }).click();
      await page.getByRole('status').getByText('Station Grill created.').waitFor();

      expect(await order('Grill')).toEqual(['grill-1', 'grill-2']);
      await expect.poll(() => printsNow('Grill'), { timeout: 30_000 }).toBe('grill-1');
      const created = (await stationsByName()).get('Grill');
      expect(created?.printerIds).toEqual([first, second]);
      expect(await dash.graveViolations(page)).toEqual([]);
    });

    it('shows the gateway’s refusal of a second station of the same name in an alert', async () => {
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'New station' }) });
      await form.getByLabel('Name', { exact: true }).fill('Grill');
      await form.getByLabel('Add a printer').selectOption({ label: 'grill-1' });
      await form.getByRole('button', { name: 'Add printer' }).click();
      await form.getByRole('button', { name: 'Create station' }).click();
      await page.getByRole('alert').filter({ hasText: 'CONFLICT' }).waitFor();
      expect([...(await stationsByName()).keys()]).toEqual(['Grill']);
      // The refused station is still in the form, to be corrected: take it out.
      await form.getByRole('button', { name: 'Remove grill-1' }).click();
      await form.getByText('No printer yet: add one below.').waitFor();
      await form.getByLabel('Name', { exact: true }).fill('');
    });

    it('reorders the printers with the keyboard, and the gateway keeps the new order', async () => {
      await page.getByRole('button', { name: 'Edit station Grill' }).click();
      const up = card('Grill').getByRole('button', { name: 'Move grill-2 up' });
      await up.focus();
      await page.keyboard.press('Enter');
      // At the top its Up button is disabled: the focus stays on the row, on its Down button.
      await expect
        .poll(() => page.evaluate('document.activeElement?.getAttribute("aria-label")'))
        .toBe('Move grill-2 down');
      await card('Grill').getByRole('status').getByText('grill-2 is now first of 2.').waitFor({ state: 'attached' });
      await card('Grill').getByRole('button', { name: 'Save station' }).click();
      await page.getByRole('status').getByText('Station Grill saved.').waitFor();

      expect(await order('Grill')).toEqual(['grill-2', 'grill-1']);
      const id = (await stationsByName()).get('Grill')?.id ?? '';
      const { body } = await gateway.api<{ station: StationView }>('GET', `/printing/stations/${id}`);
      expect(body.station.printerIds).toEqual([second, first]);
      await expect.poll(() => printsNow('Grill'), { timeout: 30_000 }).toBe('grill-2');
    });

    it('moves the "prints here now" mark to the next printer when the first runs out of paper', async () => {
      await grill2.setFaults({ paperOut: true });
      await expect.poll(() => printsNow('Grill'), { timeout: 60_000 }).toBe('grill-1');
      await card('Grill').locator('li[data-printer-name="grill-2"]').getByText('Paper out').waitFor();
      expect(await dash.graveViolations(page)).toEqual([]);
      await screenshot(page, 'dashboard-admin-stations');

      await grill2.setFaults({ paperOut: false });
      await expect.poll(() => printsNow('Grill'), { timeout: 60_000 }).toBe('grill-2');
    });

    it('renames a station, then deletes it after confirmation', async () => {
      await page.getByRole('button', { name: 'Edit station Grill' }).click();
      await card('Grill').getByLabel('Name of station Grill').fill('Grill line');
      await card('Grill').getByRole('button', { name: 'Save station' }).click();
      await page.getByRole('status').getByText('Station Grill line saved.').waitFor();
      const renamed = (await stationsByName()).get('Grill line');
      expect(renamed?.printerIds).toEqual([second, first]);

      // Cancel first: nothing is deleted.
      await page.getByRole('button', { name: 'Delete station Grill line', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete station Grill line?' });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect((await stationsByName()).has('Grill line')).toBe(true);

      await dash.confirm(page, 'Delete station Grill line', 'Delete station Grill line?', 'Delete station');
      await page.getByRole('status').getByText('Station Grill line deleted.').waitFor();
      await card('Grill line').waitFor({ state: 'detached' });
      const { status } = await gateway.api('GET', `/printing/stations/${renamed?.id}`);
      expect(status).toBe(404);
    });
  },
);
