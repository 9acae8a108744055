import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminDashboard } from './admin-dashboard.js';
import { hasChromium, screenshot } from './dashboard-browser.js';
import { E2E_TIMEOUT_MS, GatewayProcess } from './system.js';

if (!hasChromium)
  process.stderr.write('dashboard admin tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)\n');

describe.skipIf(!hasChromium)(
  'the dashboard’s administration of branches, licences and API keys in headless Chromium (real gateway)',
  { timeout: E2E_TIMEOUT_MS },
  () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-dashboard-admin-'));
    const dash = new AdminDashboard(new GatewayProcess(join(root, 'gateway')));
    const gateway = dash.gateway;
    let newBranch = '';

    beforeAll(() => dash.start(), E2E_TIMEOUT_MS);
    afterAll(async () => {
      await dash.stop();
      rmSync(root, { recursive: true, force: true });
    }, E2E_TIMEOUT_MS);

    it('shows a cashier no Administration link, and no administration at its address', async () => {
      const page = await dash.signIn(['--role', 'cashier', '--branch', dash.mainBranch]);
      expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
      await page.goto(`${gateway.base}/#/admin/licences`);
      await page.getByText('Your role does not show this page.').waitFor();
      await page.context().close();
    });

    it('asks a platform admin for the company of a new branch', async () => {
      const page = await dash.signIn([]);
      await dash.openTab(page, 'Branches');
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'New branch' }) });
      await form.getByLabel('Name').fill('Platform branch');
      await form.getByRole('button', { name: 'Create branch' }).click();
      await form.getByText('Choose the company the branch belongs to.').waitFor();
      await form.getByLabel('Company').selectOption({ index: 1 });
      await form.getByRole('button', { name: 'Create branch' }).click();
      await page.locator('tr[data-branch-row="Platform branch"]').waitFor();
      expect(await dash.graveViolations(page)).toEqual([]);
      await page.context().close();
    });

    it('lets a company owner create, rename, deactivate and activate a branch, and shows refusals', async () => {
      const page = await dash.owner();
      await dash.openTab(page, 'Branches');
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'New branch' }) });
      await form.getByRole('button', { name: 'Create branch' }).click();
      await form.getByText('Give the branch a name.').waitFor();
      await form.getByLabel('Name').fill('Harbour');
      await form.getByRole('button', { name: 'Create branch' }).click();
      await page.getByRole('status').getByText('Branch Harbour created.').waitFor();
      // The same name again: the gateway's refusal, in its words.
      await form.getByLabel('Name').fill('Harbour');
      await form.getByRole('button', { name: 'Create branch' }).click();
      await page.getByRole('alert').filter({ hasText: 'CONFLICT' }).waitFor();

      await page.getByRole('button', { name: 'Rename Harbour' }).click();
      await page.getByLabel('New name for Harbour').fill('Quay');
      await page.keyboard.press('Enter');
      const row = page.locator('tr[data-branch-row="Quay"]');
      await row.waitFor();
      newBranch = (await row.locator('code').textContent()) ?? '';
      expect(newBranch).not.toBe('');

      // Escape keeps the branch as it is; the button asks again.
      await page.getByRole('button', { name: 'Deactivate Quay' }).click();
      const dialog = page.getByRole('dialog', { name: 'Deactivate Quay?' });
      await dialog.getByRole('button', { name: 'Cancel' }).waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await dash.confirm(page, 'Deactivate Quay', 'Deactivate Quay?', 'Deactivate');
      await row.getByText('deactivated').waitFor();
      await dash.confirm(page, 'Activate Quay', 'Activate Quay?', 'Activate');
      await row.locator('.badge', { hasText: 'active' }).waitFor();
      await screenshot(page, 'dashboard-admin-branches');
      expect(await dash.graveViolations(page)).toEqual([]);
      await page.context().close();
    });

    it('issues a licence whose key is shown once and works; unbinds, rotates and revokes it', async () => {
      const page = await dash.owner();
      await dash.openTab(page, 'Licences');
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'Issue a licence' }) });
      await form.getByLabel('Branch').selectOption({ label: 'Quay' });
      await form.getByLabel('Max printers').fill('-1');
      await form.getByRole('button', { name: 'Issue licence' }).click();
      await form.getByText('A whole number from 0 to 100000.').waitFor();
      await form.getByLabel('Max printers').fill('4');
      await form.getByLabel('Only for device (optional)').fill('till-9');
      await form.getByRole('button', { name: 'Issue licence' }).click();
      const key = await dash.takeSecret(page, 'Licence key for Quay', 'Licence key');
      expect(key).toMatch(/^[0-9a-f-]{36}$/);
      // Nowhere but in that dialog: not in the address, storage, or the page after a reload.
      expect(page.url()).not.toContain(key);
      expect(await page.evaluate('JSON.stringify([localStorage.length, sessionStorage.length])')).toBe('[0,0]');
      await page.reload();
      const row = page.locator(`tr[data-licence="${key.slice(-4)}"]`);
      await row.getByText('till-9').waitFor();
      expect(await page.content()).not.toContain(key);
      expect(await page.getByRole('dialog').count()).toBe(0);

      // The key works: a desktop client's validation takes it, for its device only.
      const validate = (licenseKey: string, deviceId: string) =>
        fetch(`${gateway.base}/api/v1/printer-licenses/validate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ licenseKey, deviceInfo: { deviceId } }),
        });
      const valid = await validate(key, 'till-9');
      expect(valid.status).toBe(200);
      expect(((await valid.json()) as { data: { branchId: string } }).data.branchId).toBe(newBranch);
      expect((await validate(key, 'till-10')).status).toBeGreaterThanOrEqual(400);
      await page.reload();
      await row
        .getByText('just now')
        .or(row.getByText(/s ago$/))
        .waitFor();
      await screenshot(page, 'dashboard-admin-licences');
      expect(await dash.graveViolations(page)).toEqual([]);
      await dash.confirm(page, `Unbind licence …${key.slice(-4)}`, 'Unbind this licence?', 'Unbind');
      await row.getByText('none').waitFor();
      expect((await validate(key, 'till-10')).status).toBe(200);

      // A new key, shown once; then revoked, with the key it replaced.
      await dash.confirm(page, `Rotate key licence …${key.slice(-4)}`, 'Give this licence a new key?', 'Rotate key');
      const rotated = await dash.takeSecret(page, `New key for licence …${key.slice(-4)}`, 'Licence key');
      expect(rotated).not.toBe(key);
      expect((await validate(rotated, 'till-10')).status).toBe(200);
      const rotatedRow = page.locator(`tr[data-licence="${rotated.slice(-4)}"]`);
      await dash.confirm(page, `Revoke licence …${rotated.slice(-4)}`, 'Revoke this licence?', 'Revoke licence');
      await rotatedRow.getByText('revoked').waitFor();
      expect((await validate(rotated, 'till-10')).status).toBeGreaterThanOrEqual(400);
      expect((await validate(key, 'till-10')).status).toBeGreaterThanOrEqual(400);
      await page.context().close();
    });

    it('creates an API key shown once that works against the REST API until it is revoked', async () => {
      const page = await dash.owner();
      await dash.openTab(page, 'API keys');
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'New API key' }) });
      await form.getByLabel('Name').fill('POS server, Quay');
      await form.getByLabel('Role').selectOption({ label: 'Cashier' });
      await form.getByLabel('Branch').selectOption({ label: 'Quay' });
      await form.getByRole('button', { name: 'Create key' }).click();
      const key = await dash.takeSecret(page, /API key/, 'API key');
      expect(key).toMatch(/^pm_[0-9a-f]{8}_/);
      const printers = () => fetch(`${gateway.base}/printing/printers`, { headers: { 'x-api-key': key } });
      expect((await printers()).status).toBe(200);
      const row = page.locator('tr[data-api-key="POS server, Quay"]');
      await row.getByText('Cashier').waitFor();
      await screenshot(page, 'dashboard-admin-api-keys');
      expect(await dash.graveViolations(page)).toEqual([]);

      await dash.confirm(page, 'Revoke POS server, Quay', /^Revoke POS server/, 'Revoke key');
      await page
        .getByRole('status')
        .getByText(/is revoked/)
        .waitFor();
      await page.getByLabel('Show revoked keys').check();
      await row.getByText('revoked').waitFor();
      expect((await printers()).status).toBe(401);
      await page.context().close();
    });

    it('shows a branch manager its branch, and only the actions of its role', async () => {
      const page = await dash.signIn(['--role', 'branch_manager', '--branch', dash.mainBranch]);
      await dash.openTab(page, 'Branches');
      await page.locator('tr[data-branch-row]').first().waitFor();
      expect(await page.locator('tr[data-branch-row]').count()).toBe(1);
      expect(await page.getByRole('heading', { name: 'New branch' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^(Rename|Deactivate)/ }).count()).toBe(0);
      expect(await dash.graveViolations(page)).toEqual([]);

      // Keys of its own role or lower, for its branch.
      await dash.openTab(page, 'API keys');
      const roles = await page.getByLabel('Role').locator('option').allTextContents();
      expect(roles).toEqual(['Branch manager', 'Cashier']);
      expect(await dash.graveViolations(page)).toEqual([]);

      // Licences of its branch, which it may issue.
      await dash.openTab(page, 'Licences');
      await page.getByRole('heading', { name: 'Issue a licence' }).waitFor();
      await page.locator('tr[data-licence]').first().waitFor();
      expect(await page.getByRole('cell', { name: 'Quay' }).count()).toBe(0);
      expect(await dash.graveViolations(page)).toEqual([]);
      await page.context().close();
    });
  },
);
