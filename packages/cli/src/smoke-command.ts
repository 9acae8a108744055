import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TicketDocument } from '@printermaster/protocol';
import { createVirtualPrinter, type VirtualPrinter } from '@printermaster/virtual-printer';
import { defaultCheckPort, resolveCheckToken } from './check-token.js';
import type { CheckIo } from './health-command.js';
import { SmokeAgent } from './smoke-agent.js';
import { SmokeGatewayClient, SmokeStepError } from './smoke-gateway-client.js';
import { describeError, elapsedMs, type Target, targetUrl } from './target-url.js';

export const SMOKE_USAGE = `Usage: printermaster smoke [--target URL] [--token TOKEN] [--license KEY] [options]

A smoke test of a running deployment: it starts a virtual printer and a real agent in this
process, the agent connects to the gateway at --target with a licence, and then, through the
gateway's REST API, a printer test and a print job go to the virtual printer and are
confirmed. Prints one summary line and exits 0, or one line naming the failed step and exits 1.

Credentials:
  --token TOKEN    a JWT or API key that may print in the licence's branch. Default: the
                   PRINTERMASTER_TOKEN variable; without it, on the gateway's host, a
                   super_admin token minted here for 10 minutes, as \`printermaster admin
                   token --role super_admin\` mints one (the gateway's configuration: its
                   PRINTERMASTER_DATA_DIR, or DATABASE_URL and JWT_SECRET)
  --license KEY    a licence key of a branch to test in. Its branch gets a printer named
                   --printer-name, offline after the test.
  Without a licence the token must be a super_admin's: the test then uses its own company and
  branch (id printermaster-smoke, created the first time) and a licence issued for the run
  and revoked after it.

Options:
  --target URL         the gateway (default http://localhost:$PORT, 3001 without PORT); a bare host[:port],
                       as in --target=green, means http://host[:port]
  --printer-name NAME  the test printer's name (default printermaster-smoke)
  --timeout MS         deadline of each step (default 30000)
`;

/** The steps in the order they run; a failure names its step. */
type Step = 'health' | 'licence' | 'agent handshake' | 'printer report' | 'printer test' | 'print job';

interface SmokeOptions {
  target: Target;
  token: string;
  licenseKey: string | undefined;
  printerName: string;
  timeoutMs: number;
}

/** `printermaster smoke`: what `npm run test:smoke -- --target=URL` runs. */
export async function smokeCommand(argv: string[], io: CheckIo): Promise<number> {
  let options: SmokeOptions;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        target: { type: 'string' },
        token: { type: 'string' },
        license: { type: 'string' },
        'printer-name': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(SMOKE_USAGE);
      return 0;
    }
    const timeoutMs = Number(values.timeout ?? 30_000);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new Error('--timeout takes a positive whole number');
    const target = targetUrl(values.target, defaultCheckPort());
    options = {
      target,
      token: (await resolveCheckToken(values.token, target)).token,
      licenseKey: values.license,
      printerName: values['printer-name'] ?? 'printermaster-smoke',
      timeoutMs,
    };
  } catch (e) {
    io.err(`smoke FAILED: ${(e as Error).message}\n`);
    return 2;
  }
  return new SmokeRun(options).run(io);
}

/** One run: the steps in order, each timed, and everything it started stopped at the end. */
class SmokeRun {
  private readonly api: SmokeGatewayClient;
  private readonly runId = randomUUID().slice(0, 8);
  private readonly timings: Partial<Record<Step, number>> = {};
  private step: Step = 'health';
  private printer: VirtualPrinter | undefined;
  private agent: SmokeAgent | undefined;
  private journalDir: string | undefined;
  private issuedLicenceId: string | undefined;

  constructor(private readonly options: SmokeOptions) {
    this.api = new SmokeGatewayClient(options.target, options.token, options.timeoutMs);
  }

  async run(io: CheckIo): Promise<number> {
    const { target } = this.options;
    try {
      const health = await this.timed('health', () => this.api.call<{ status: string }>('GET', '/api/health'));
      const { licenseKey, branchId } = await this.timed('licence', () => this.licence());
      const printerPort = await this.startPrinterAndAgent(licenseKey);
      const printerId = await this.timed('printer report', () => this.reportedPrinter(branchId));
      await this.timed('printer test', () => this.printerTest(printerId));
      await this.timed('print job', () => this.printJob(printerId));
      const t = this.timings;
      io.out(
        `smoke ok: ${target.href} (health ${health.status}): agent handshake ${t['agent handshake']} ms, printer test printed in ${t['printer test']} ms, job printed and confirmed in ${t['print job']} ms (branch ${branchId}, printer ${this.options.printerName} on 127.0.0.1:${printerPort})\n`,
      );
      return 0;
    } catch (err) {
      io.err(`smoke FAILED at ${this.step}: ${target.href}: ${describeError(err)}\n`);
      return 1;
    } finally {
      await this.cleanUp(io);
    }
  }

  private async timed<T>(step: Step, work: () => Promise<T>): Promise<T> {
    this.step = step;
    const startedAt = performance.now();
    const value = await work();
    this.timings[step] = elapsedMs(startedAt);
    return value;
  }

  private async licence(): Promise<{ licenseKey: string; branchId: string }> {
    if (this.options.licenseKey) {
      const branchId = await this.api.licenceBranch(this.options.licenseKey);
      return { licenseKey: this.options.licenseKey, branchId };
    }
    const issued = await this.api.issueSmokeLicence();
    this.issuedLicenceId = issued.licenceId;
    return { licenseKey: issued.licenceKey, branchId: issued.branchId };
  }

  /** The virtual printer and the agent, both in this process: the agent dials out to --target as a branch's would. */
  private async startPrinterAndAgent(licenseKey: string): Promise<number> {
    this.step = 'agent handshake';
    this.printer = await createVirtualPrinter({ port: 0, name: this.options.printerName });
    this.journalDir = mkdtempSync(join(tmpdir(), 'printermaster-smoke-'));
    const { target, printerName, timeoutMs } = this.options;
    const agent = new SmokeAgent([
      '--server',
      target.href,
      '--license',
      licenseKey,
      '--printer',
      `${printerName}=tcp://127.0.0.1:${this.printer.port}`,
      '--journal',
      this.journalDir,
      '--no-cups',
    ]);
    this.agent = agent;
    await this.timed('agent handshake', () => agent.waitFor('connected to the gateway', timeoutMs));
    return this.printer.port;
  }

  /** The printer's id once the agent has reported it online. */
  private async reportedPrinter(branchId: string): Promise<string> {
    const { printerName } = this.options;
    return this.until(`the agent to report printer ${printerName} online`, async () => {
      const { printers } = await this.api.call<{ printers: { id: string; name: string; status: string }[] }>(
        'GET',
        `/printing/printers?branchId=${encodeURIComponent(branchId)}`,
      );
      const printer = printers.find((p) => p.name === printerName);
      return printer && printer.status !== 'offline' ? printer.id : undefined;
    });
  }

  private async printerTest(printerId: string): Promise<void> {
    const result = await this.api.call<{ outcome: string; message?: string; error?: string }>(
      'POST',
      `/printing/printers/${printerId}/test`,
      { content: `smoke ${this.runId}` },
    );
    if (result.outcome !== 'printed') {
      throw new SmokeStepError(`outcome ${result.outcome}: ${result.error ?? result.message ?? ''}`);
    }
    await this.ticketWith(`smoke ${this.runId}`);
  }

  private async printJob(printerId: string): Promise<void> {
    const marker = `job ${this.runId}`;
    const document: TicketDocument = {
      paperWidth: 80,
      blocks: [
        { type: 'text', text: 'PrinterMaster smoke test', align: 'center', bold: true },
        { type: 'text', text: marker, align: 'center' },
        { type: 'cut' },
      ],
    };
    const { job } = await this.api.call<{ job: { id: string } }>('POST', '/printing/jobs', {
      printerId,
      type: 'test',
      document,
    });
    await this.until(`job ${job.id} to be completed`, async () => {
      const { job: now } = await this.api.call<{ job: { state: string } }>('GET', `/printing/jobs/${job.id}`);
      if (['failed', 'unconfirmed', 'expired', 'cancelled'].includes(now.state)) {
        throw new SmokeStepError(`job ${job.id} ended ${now.state}`);
      }
      return now.state === 'completed' || undefined;
    });
    await this.ticketWith(marker);
  }

  /** The virtual printer received a ticket with this text (a completed job that printed nothing is a failure). */
  private async ticketWith(text: string): Promise<void> {
    const printer = this.printer as VirtualPrinter;
    await this.until(`a ticket with "${text}" at the virtual printer`, async () =>
      printer.tickets.some((t) => t.text.includes(text)) ? true : undefined,
    );
  }

  /** Polls `check` until it returns a value, for at most the step's deadline. */
  private async until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + this.options.timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new SmokeStepError(`timed out after ${this.options.timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops the agent and the printer and revokes the run's licence; a failure here is named but does not change the result. */
  private async cleanUp(io: CheckIo): Promise<void> {
    await this.agent?.stop();
    await this.printer?.close();
    if (this.journalDir) rmSync(this.journalDir, { recursive: true, force: true });
    if (this.issuedLicenceId) {
      try {
        await this.api.call('POST', `/admin/licences/${this.issuedLicenceId}/revoke`);
      } catch (err) {
        io.err(`smoke: the run's licence ${this.issuedLicenceId} could not be revoked: ${describeError(err)}\n`);
      }
    }
  }
}
