import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PaperCheckView, PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, loginLink, tabletPage } from './dashboard-browser.js';
import { AgentProcess, E2E_TIMEOUT_MS, GatewayProcess, PrinterProcess, printerIds, until } from './system.js';

describe.skipIf(!hasChromium)(
  'paper checks: a slip with a QR code, confirmed when scanned (real gateway, agent, printer, Chromium)',
  {
    timeout: E2E_TIMEOUT_MS,
  },
  () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-paper-'));
    const gateway = new GatewayProcess(join(root, 'gateway'));
    const printer = new PrinterProcess(join(root, 'tickets'));
    const agent = new AgentProcess(join(root, 'agent'));
    let printerId = '';

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

    const latest = async () =>
      (await gateway.api<{ paperCheck: PaperCheckView | null }>('GET', `/printing/printers/${printerId}/paper-check`))
        .body.paperCheck;

    it('prints the slip, and the code read off the paper confirms it once in the dashboard', async () => {
      expect(await latest()).toBeNull();
      const sent = await gateway.api<{ job: PrintJobView }>('POST', `/printing/printers/${printerId}/paper-check`);
      expect(sent.status).toBe(202);
      await until(
        async () =>
          (await gateway.api<{ job: PrintJobView }>('GET', `/printing/jobs/${sent.body.job.id}`)).body.job.state ===
          'completed',
        60_000,
        'the slip printed',
      );
      expect(await latest()).toMatchObject({ jobId: sent.body.job.id, confirmedAt: null });
      // What a person would scan: the code on the paper, as the printer decoded it.
      const slip = printer.tickets().find((t) => t.text.includes('PAPER CHECK'));
      const token = /CODE ([A-Za-z0-9_-]{22})/.exec(slip?.text ?? '')?.[1];
      expect(token).toBeDefined();

      const browser = await launchChromium();
      try {
        const { page } = await tabletPage(browser);
        await page.goto(await loginLink(gateway, []));
        await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 60_000 });
        await page.goto(`${gateway.base}/#/paper/${token}`);
        await page.getByRole('heading', { name: 'Paper confirmed' }).waitFor({ timeout: 60_000 });
        // The one-time code leaves the address bar at once.
        expect(page.url()).not.toContain(token as string);
        await page.getByRole('link', { name: 'kitchen' }).click();
        await page.getByTestId('paper-check').filter({ hasText: 'Paper seen' }).waitFor({ timeout: 30_000 });
      } finally {
        await browser.close();
      }
      expect((await latest())?.confirmedBy).toMatch(/^user:/);
      const again = await gateway.api<{ code: string }>('POST', '/printing/paper-checks/confirm', { token });
      expect([again.status, again.body.code]).toEqual([409, 'CONFLICT']);
      const unknown = await gateway.api<{ code: string }>('POST', '/printing/paper-checks/confirm', {
        token: 'AAAAAAAAAAAAAAAAAAAAAA',
      });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    });
  },
);
