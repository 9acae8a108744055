import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { baseEnv, type GatewayProcess } from './system.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). Browsers are never downloaded. */
export const CHROMIUM = process.env.PRINTERMASTER_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Where screenshots of the views go when asked for (the ones in docs/images were made so). */
export const SCREENSHOT_DIR = process.env.PRINTERMASTER_DASHBOARD_SCREENSHOTS;

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A tablet-sized page (1024 × 768, as a restaurant's tablet in landscape). */
export async function tabletPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  return { context, page: await context.newPage() };
}

const CLI = join(import.meta.dirname, '../../packages/cli/dist/main.js');

/** `printermaster admin login-link …` run as an operator would, beside the gateway (its admin socket). */
export async function loginLink(gateway: GatewayProcess, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'admin', 'login-link', ...args], {
    env: {
      ...baseEnv(),
      PRINTERMASTER_DATA_DIR: gateway.dataDir,
      PRINTERMASTER_PUBLIC_URL: gateway.base,
    },
    timeout: 60_000,
  });
  return (JSON.parse(stdout) as { url: string }).url;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core's violations on the page as it is now (run through the debugger, so the page's CSP does not block it). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))',
  ) as Promise<AxeViolation[]>;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOT_DIR) await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
