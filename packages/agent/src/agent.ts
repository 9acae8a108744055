import type { AgentLogger } from './agent-logger.js';
import { GatewayConnection } from './gateway-connection.js';
import { GatewayInbox } from './gateway-inbox.js';
import { JobIntake } from './job-intake.js';
import { Journal } from './journal.js';
import { LicenceClient } from './licence-client.js';
import { LinkMonitor } from './link-monitor.js';
import { Outbox } from './outbox.js';
import { PrintQueues } from './print-queues.js';
import { type AgentPrinter, PrinterRegistry } from './printer-registry.js';
import { PrinterTestRunner } from './printer-test-runner.js';

export type { AgentPrinter } from './printer-registry.js';

export interface AgentOptions {
  serverUrl: string;
  licenseKey: string;
  /** Stable per machine. */
  deviceId: string;
  journalDir: string;
  printers: AgentPrinter[];
  appVersion: string;
  logger: AgentLogger;
  /** Acknowledged ping to the gateway, ms (15 s). */
  pingIntervalMs: number;
  /** `desktop:health:report`, ms (5 min). */
  healthReportIntervalMs: number;
  /** How often printers' statuses are checked, ms. */
  statusPollIntervalMs: number;
  /** Reconnection backoff: first delay and cap, ms (jittered; never gives up). */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Printer-not-ready backoff, ms. */
  retryBaseMs: number;
  retryMaxMs: number;
  /**
   * Pairs this agent with another PC's agent driving the same printers: of the agents of a branch
   * in one group, the gateway sends jobs to one, the other stands by (docs/agent.md).
   */
  standbyGroup?: string;
  now?: () => number;
}

/** How often the outbox is flushed even when nothing new happened, ms. */
const OUTBOX_FLUSH_INTERVAL_MS = 5_000;

/**
 * The branch agent: takes print jobs from the gateway into its journal, prints
 * them once, and reports every outcome until the gateway has recorded it.
 * Also answers printer tests and status requests, and measures its link.
 * This class only wires the parts together and runs their periodic tasks.
 */
export class Agent {
  private readonly journal: Journal;
  private readonly connection: GatewayConnection;
  private readonly licence: LicenceClient;
  private readonly printers: PrinterRegistry;
  private readonly queues: PrintQueues;
  private readonly intake: JobIntake;
  private readonly outbox: Outbox;
  private readonly tests: PrinterTestRunner;
  private readonly monitor: LinkMonitor;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly stopSignal = new AbortController();

  constructor(private readonly options: AgentOptions) {
    const now = options.now ?? Date.now;
    const { logger } = options;
    this.journal = new Journal(options.journalDir, {
      now,
      onCompactError: (err) =>
        logger.warn({ err: err.message }, 'journal compaction failed; the journal goes on in the old file'),
    });
    for (const damage of this.journal.damageFound()) {
      if (damage.reported) continue;
      logger.error(
        {
          file: damage.file,
          damagedLines: damage.lines,
          recoveredEntries: damage.recoveredEntries,
          unconfirmedJobIds: damage.unconfirmedJobIds,
        },
        'journal was damaged: kept aside, readable entries recovered, jobs that may have printed marked unconfirmed',
      );
    }
    // The parts call each other only through these closures, after construction: the order below is free.
    const failed = (what: string) => (err: unknown) => logger.error({ err }, what);
    const inbox = new GatewayInbox({
      logger,
      receiveJob: (delivery) => this.intake.receive(delivery),
      runTest: (request) => void this.tests.run(request).catch(failed('printer test failed')),
      refuseTest: (target, reason) => this.tests.refuse(target, reason),
      reportStatuses: () => void this.printers.reportStatuses(true).catch(failed('status report failed')),
    });
    this.connection = new GatewayConnection({
      ...options,
      now,
      stopped: this.stopSignal.signal,
      attachListeners: (socket) => inbox.listen(socket),
      onConnected: () => {
        void this.printers
          .announceAll()
          .then(() => this.printers.reportStatuses(true))
          .catch(failed('announcing the printers failed'));
        void this.outbox.flush().catch(failed('sending reports failed'));
        void this.outbox.reportDamage().catch(failed('sending the journal damage notice failed'));
      },
    });
    this.licence = new LicenceClient({ ...options, now, stopped: this.stopSignal.signal });
    this.printers = new PrinterRegistry({
      ...options,
      now,
      connection: this.connection,
      driverAt: (uri) => this.queues.driverAt(uri),
    });
    this.queues = new PrintQueues({
      ...options,
      journal: this.journal,
      now,
      onReport: () => void this.outbox.flush().catch(failed('sending reports failed')),
      onPrinterStatus: (driver, status, reason, code) => this.printers.statusSeen(driver, status, reason, code),
    });
    this.intake = new JobIntake({ journal: this.journal, printers: this.printers, queues: this.queues, logger });
    this.outbox = new Outbox({ journal: this.journal, connection: this.connection, logger });
    this.tests = new PrinterTestRunner({ printers: this.printers, connection: this.connection, now });
    this.monitor = new LinkMonitor({ ...options, now, connection: this.connection });
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  /** Recovers the journal, validates the licence (retrying until it works) and connects. */
  async start(): Promise<void> {
    await this.intake.resume();
    const licence = await this.licence.validate();
    if (!licence || this.stopSignal.signal.aborted) return;
    this.connection.open(licence.branchId);
    const every = (ms: number, task: () => Promise<void> | void) => {
      const t = setInterval(() => {
        Promise.resolve(task()).catch((err: unknown) => this.options.logger.error({ err }, 'periodic task failed'));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.options.pingIntervalMs, () => this.monitor.ping());
    every(this.options.healthReportIntervalMs, () => this.monitor.sendHealthReport());
    every(this.options.statusPollIntervalMs, () => this.printers.reportStatuses(false));
    every(OUTBOX_FLUSH_INTERVAL_MS, () => this.outbox.flush());
  }

  async stop(): Promise<void> {
    this.stopSignal.abort();
    for (const t of this.timers) clearInterval(t);
    await this.queues.stop();
    this.connection.close();
    await this.journal.close();
  }
}
