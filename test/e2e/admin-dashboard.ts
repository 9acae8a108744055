import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations, launchChromium, loginLink, tabletPage } from './dashboard-browser.js';
import type { GatewayProcess } from './system.js';

/**
 * A gateway with its bootstrap company and branch, a Chromium, and the steps the administration
 * view's browser tests share: signing in by login link, opening a tab, taking a one-time secret.
 */
export class AdminDashboard {
  browser!: Browser;
  companyId = '';
  mainBranch = '';

  constructor(readonly gateway: GatewayProcess) {}

  async start(): Promise<void> {
    await this.gateway.start();
    const { body } = await this.gateway.api<{ branches: { id: string; companyId: string }[] }>(
      'GET',
      '/admin/branches',
    );
    this.mainBranch = body.branches[0]?.id ?? '';
    this.companyId = body.branches[0]?.companyId ?? '';
    this.browser = await launchChromium();
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.gateway.proc?.stop();
  }

  async signIn(args: string[]): Promise<Page> {
    const { page } = await tabletPage(this.browser);
    await page.goto(await loginLink(this.gateway, args));
    // Generous: the first view waits on the session exchange and several API reads on a busy machine.
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 60_000 });
    return page;
  }

  owner(): Promise<Page> {
    return this.signIn(['--role', 'company_owner', '--company', this.companyId, '--email', 'owner@example.com']);
  }

  /** Opens a tab of the administration view (through the header's link first) and waits for its heading. */
  async openTab(page: Page, tab: string): Promise<void> {
    const nav = page.getByRole('navigation', { name: 'Administration' });
    if ((await nav.count()) === 0) await page.getByRole('link', { name: 'Administration' }).click();
    await nav.getByRole('link', { name: tab }).click();
    await expect
      .poll(() => nav.getByRole('link', { name: tab }).getAttribute('aria-current'), { timeout: 15_000 })
      .toBe('page');
    await page.getByRole('heading', { name: tab, level: 2 }).waitFor();
  }

  /** The secret in the one-time dialog, copied with its button; the dialog is then closed. */
  async takeSecret(page: Page, title: string | RegExp, label: string): Promise<string> {
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.getByText('it will not be shown again').waitFor();
    const secret = await dialog.getByLabel(label).inputValue();
    await dialog.getByRole('button', { name: 'Copy' }).click();
    // Headless Chromium may refuse the clipboard: the dialog then says how to copy by hand.
    await dialog
      .getByRole('status')
      .filter({ hasText: /Copied|Could not reach/ })
      .waitFor();
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    return secret;
  }

  /** Presses a row's button, then the confirming button of the dialog it opens. */
  async confirm(page: Page, button: string, dialog: string | RegExp, confirmLabel: string): Promise<void> {
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.getByRole('dialog', { name: dialog }).getByRole('button', { name: confirmLabel }).click();
  }

  /** axe-core's serious and critical violations (the others it lists are not failed on). */
  async graveViolations(page: Page) {
    return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }
}
