import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminDashboard } from './admin-dashboard.js';
import { hasChromium, screenshot } from './dashboard-browser.js';
import { E2E_TIMEOUT_MS, GatewayProcess } from './system.js';
import { WebhookReceiver } from './webhook-receiver.js';

describe.skipIf(!hasChromium)(
  'the dashboard’s webhooks and their delivery log in headless Chromium (real gateway, receivers)',
  { timeout: E2E_TIMEOUT_MS },
  () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-dashboard-webhooks-'));
    const dash = new AdminDashboard(
      new GatewayProcess(join(root, 'gateway'), {
        // The receivers listen on 127.0.0.1; a failing delivery is given up within about a second.
        PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE: 'true',
        PRINTERMASTER_WEBHOOK_RETRY_BASE_MS: '100',
        PRINTERMASTER_WEBHOOK_RETRY_CAP_MS: '300',
        PRINTERMASTER_WEBHOOK_GIVE_UP_AFTER_MS: '1000',
      }),
    );
    const gateway = dash.gateway;
    const receiver = new WebhookReceiver();
    const downReceiver = new WebhookReceiver();

    beforeAll(async () => {
      await dash.start();
      await receiver.start();
      // Started for a port of its own, then down: deliveries to it are refused until it is back.
      await downReceiver.start();
      await downReceiver.stop();
    }, E2E_TIMEOUT_MS);
    afterAll(async () => {
      await dash.stop();
      await receiver.stop();
      await downReceiver.stop();
      rmSync(root, { recursive: true, force: true });
    }, E2E_TIMEOUT_MS);

    /** Presses Refresh until `rows` has `count` rows: the log shows what the worker has done by then. */
    const refreshUntil = (page: Page, rows: ReturnType<Page['locator']>, count: number) =>
      expect
        .poll(
          async () => {
            await page.getByRole('button', { name: 'Refresh' }).click();
            return rows.count();
          },
          { timeout: 30_000 },
        )
        .toBe(count);
    /** An event every endpoint of the company's filter `licence.*` takes. */
    const issueLicence = async () =>
      expect((await gateway.api('POST', '/admin/licences', { branchId: dash.mainBranch })).status).toBe(201);

    it('registers a webhook, pings it, rotates its secret and shows its deliveries with status codes', async () => {
      const page = await dash.owner();
      await dash.openTab(page, 'Webhooks');
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'New endpoint' }) });
      await form.getByLabel('URL').fill('not a url');
      await form.getByLabel('Events').fill('licence.*');
      await form.getByRole('button', { name: 'Add endpoint' }).click();
      await form.getByText(/An http:\/\/ or https:\/\/ address/).waitFor();
      await form.getByLabel('URL').fill(receiver.url);
      await form.getByRole('button', { name: 'Add endpoint' }).click();
      receiver.secrets = [await dash.takeSecret(page, 'Signing secret', 'Signing secret')];
      expect(receiver.secrets[0]).toMatch(/^whsec_/);

      await page.getByRole('button', { name: `Ping ${receiver.url}` }).click();
      await page.getByRole('status').getByText('Ping delivered: HTTP 204').waitFor();
      expect(receiver.deliveries.find((d) => d.type === 'webhook.ping')?.signatureValid).toBe(true);

      // A new secret, shown once; deliveries are signed with it (and the old one, for a while).
      const rotate = `Rotate secret of ${receiver.url}`;
      await dash.confirm(page, rotate, 'Give this endpoint a new secret?', 'Rotate secret');
      const rotated = await dash.takeSecret(page, 'Signing secret', 'Signing secret');
      expect(rotated).not.toBe(receiver.secrets[0]);
      receiver.secrets = [rotated];

      await issueLicence();
      await page.getByRole('link', { name: `Deliveries to ${receiver.url}` }).click();
      await page.getByRole('heading', { name: `Deliveries to ${receiver.url}` }).waitFor();
      const delivered = page.locator('tr[data-delivery="licence.issued"]', { hasText: 'delivered' });
      await refreshUntil(page, delivered, 1);
      expect(await delivered.getByTestId('delivery-status-code').textContent()).toBe('204');
      expect(receiver.deliveries.find((d) => d.type === 'licence.issued')?.signatureValid).toBe(true);
      await screenshot(page, 'dashboard-admin-deliveries');
      expect(await dash.graveViolations(page)).toEqual([]);

      // Pages of 20, newest first: the 21st delivery is behind "Load older deliveries".
      for (let i = 0; i < 20; i++) await issueLicence();
      // All 21 deliveries exist before the log is read: a full page offers "older" ones even when
      // the 21st is still on its way, and that page would come back empty.
      await expect
        .poll(() => receiver.deliveries.filter((d) => d.type === 'licence.issued').length, { timeout: 60_000 })
        .toBeGreaterThanOrEqual(21);
      const rows = page.locator('tr[data-delivery]');
      await refreshUntil(page, page.getByRole('button', { name: 'Load older deliveries' }), 1);
      expect(await rows.count()).toBe(20);
      await page.getByRole('button', { name: 'Load older deliveries' }).click();
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(21);
      expect(await page.getByRole('button', { name: 'Load older deliveries' }).count()).toBe(0);
      await page.context().close();
    });

    it('redelivers a failed delivery, and disables, enables and deletes an endpoint after confirmation', async () => {
      const down = await gateway.api<{ webhook: { id: string } }>('POST', '/admin/webhooks', {
        url: downReceiver.url,
        events: ['licence.*'],
        companyId: dash.companyId,
      });
      expect(down.status).toBe(201);
      await issueLicence();
      const page = await dash.owner();
      await page.goto(`${gateway.base}/#/admin/webhooks/${down.body.webhook.id}`);
      const failed = page.locator('tr[data-delivery="licence.issued"]', { hasText: 'failed' });
      await refreshUntil(page, failed, 1);
      expect(await failed.getByTestId('delivery-status-code').textContent()).toBe('—');
      await downReceiver.start();
      await failed.getByRole('button', { name: /^Redeliver/ }).click();
      await page
        .getByRole('status')
        .getByText(/queued to be sent again/)
        .waitFor();
      const redelivered = page.locator('tr[data-delivery="licence.issued"]', { hasText: 'delivered' });
      await refreshUntil(page, redelivered, 1);

      await dash.openTab(page, 'Webhooks');
      await dash.confirm(page, `Disable ${downReceiver.url}`, 'Disable this endpoint?', 'Disable');
      await page.getByRole('button', { name: `Enable ${downReceiver.url}` }).waitFor();
      await screenshot(page, 'dashboard-admin-webhooks');
      expect(await dash.graveViolations(page)).toEqual([]);
      await page.getByRole('button', { name: `Enable ${downReceiver.url}` }).click();
      await page.getByRole('button', { name: `Disable ${downReceiver.url}` }).waitFor();
      await dash.confirm(page, `Delete ${downReceiver.url}`, 'Delete this endpoint?', 'Delete endpoint');
      await page
        .getByRole('status')
        .getByText(/is deleted/)
        .waitFor();
      expect(await page.locator(`tr[data-webhook="${downReceiver.url}"]`).count()).toBe(0);
      await page.context().close();
    });

    it('shows a branch manager its branch’s endpoints and their log, read only', async () => {
      const branchHook = await gateway.api<{ webhook: { id: string } }>('POST', '/admin/webhooks', {
        url: `${receiver.url}/branch`,
        events: ['job.*'],
        branchId: dash.mainBranch,
      });
      expect(branchHook.status).toBe(201);
      const page = await dash.signIn(['--role', 'branch_manager', '--branch', dash.mainBranch]);
      await dash.openTab(page, 'Webhooks');
      await page.locator(`tr[data-webhook="${receiver.url}/branch"]`).waitFor();
      // Not the company's endpoint for every branch; no form, no actions.
      expect(await page.locator(`tr[data-webhook="${receiver.url}"]`).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'New endpoint' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^(Ping|Disable|Delete|Rotate)/ }).count()).toBe(0);
      expect(await dash.graveViolations(page)).toEqual([]);
      await page.getByRole('link', { name: `Deliveries to ${receiver.url}/branch` }).click();
      await page.getByText(/No delivery yet/).waitFor();
      expect(await page.getByRole('button', { name: 'Ping' }).count()).toBe(0);
      await page.context().close();
    });
  },
);
