import { arch, cpus, hostname, platform, totalmem } from 'node:os';
import { encodeTicket } from '@printermaster/escpos';
import {
  type AckResponse,
  PRINTING_NAMESPACE,
  type PrinterStatus,
  type PrinterTestRequest,
  type PrintJobDelivery,
} from '@printermaster/protocol';
import { io, type Socket } from 'socket.io-client';
import type { AgentLogger } from './agent-logger.js';
import { backoffDelay, sleep } from './backoff.js';
import { ConnectionHealth } from './connection-health.js';
import { CupsPrinter } from './cups-printer.js';
import { type JobReport, Journal } from './journal.js';
import { PrintQueue } from './print-queue.js';
import type { PrinterDriver } from './printer-driver.js';
import { TcpPrinter } from './tcp-printer.js';

export interface AgentPrinter {
  /** The printer's name at the gateway (unique in the branch). */
  name: string;
  driver: PrinterDriver;
}

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
  now?: () => number;
}

const REPORT_ACK_TIMEOUT_MS = 10_000;
/** Jobs whose reports are in flight at once. */
const OUTBOX_PARALLELISM = 32;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The branch agent: takes print jobs from the gateway into its journal, prints
 * them once, and reports every outcome until the gateway has recorded it.
 * Also answers printer tests and status requests, and measures its link.
 */
export class Agent {
  private readonly journal: Journal;
  private readonly queues = new Map<string, PrintQueue>();
  private readonly idsByName = new Map<string, string>();
  private readonly lastStatus = new Map<string, PrinterStatus>();
  private readonly health = new ConnectionHealth();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly stopSignal = new AbortController();
  private readonly now: () => number;
  private readonly startedAt: number;
  private socket: Socket | undefined;
  private branchId = '';
  private everConnected = false;
  private reconnectionCount = 0;
  private connectionStartTime: number | undefined;
  private flushing = false;
  private flushAgain = false;
  private manualReconnectAttempt = 0;

  constructor(private readonly options: AgentOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.journal = new Journal(options.journalDir, {
      now: this.now,
      onCompactError: (err) =>
        options.logger.warn({ err: err.message }, 'journal compaction failed; the journal goes on in the old file'),
    });
    for (const damage of this.journal.damageFound()) {
      if (damage.reported) continue;
      options.logger.error(
        {
          file: damage.file,
          damagedLines: damage.lines,
          recoveredEntries: damage.recoveredEntries,
          unconfirmedJobIds: damage.unconfirmedJobIds,
        },
        'journal was damaged: kept aside, readable entries recovered, jobs that may have printed marked unconfirmed',
      );
    }
  }

  get connected(): boolean {
    return this.socket?.connected === true;
  }

  /** Recovers the journal, validates the licence (retrying until it works) and connects. */
  async start(): Promise<void> {
    await this.recover();
    await this.validateLicence();
    if (this.stopSignal.signal.aborted) return;
    this.connect();
    const every = (ms: number, fn: () => Promise<void> | void) => {
      const t = setInterval(() => {
        Promise.resolve(fn()).catch((err: unknown) => this.options.logger.error({ err }, 'periodic task failed'));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.options.pingIntervalMs, () => this.ping());
    every(this.options.healthReportIntervalMs, () => this.sendHealthReport());
    every(this.options.statusPollIntervalMs, () => this.reportStatuses(false));
    every(5_000, () => this.flushOutbox());
  }

  async stop(): Promise<void> {
    this.stopSignal.abort();
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.queues.values()].map((q) => q.stop()));
    this.socket?.close();
    await this.journal.close();
  }

  /** After a restart: jobs cut off while printing are unconfirmed; accepted ones are printed. */
  private async recover(): Promise<void> {
    for (const job of this.journal.jobs()) {
      if (job.state === 'printing') {
        await this.journal.transition(job.id, 'unconfirmed', 'the agent stopped while this job was printing');
        this.options.logger.warn({ jobId: job.id }, 'print job unconfirmed after restart');
      }
    }
    const accepted = this.journal.jobs().filter((j) => j.state === 'accepted');
    accepted.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    for (const job of accepted) {
      const driver = this.driverFor(job.printerId, job.printerName, job.printer);
      if (driver) this.queueFor(driver).enqueue(job.id);
      else {
        await this.journal.transition(job.id, 'failed', `this agent has no printer "${job.printerName}"`);
      }
    }
    if (accepted.length > 0)
      this.options.logger.info({ count: accepted.length }, 'resuming accepted jobs from the journal');
  }

  private async validateLicence(): Promise<void> {
    const { logger, serverUrl } = this.options;
    for (let attempt = 0; !this.stopSignal.signal.aborted; attempt++) {
      try {
        const res = await fetch(`${serverUrl}/api/v1/printer-licenses/validate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            licenseKey: this.options.licenseKey,
            deviceInfo: {
              deviceId: this.options.deviceId,
              hostname: hostname(),
              platform: platform(),
              arch: arch(),
              totalmem: totalmem(),
              cpus: cpus().length,
              version: this.options.appVersion,
              timestamp: new Date(this.now()).toISOString(),
            },
          }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as {
          success?: boolean;
          code?: string;
          message?: string;
          data?: { branchId: string; branchName: string };
        };
        if (res.ok && body.data?.branchId) {
          this.branchId = body.data.branchId;
          logger.info({ branchId: this.branchId, branchName: body.data.branchName }, 'licence valid');
          return;
        }
        logger.error(
          { status: res.status, code: body.code, message: body.message },
          'licence rejected by the gateway; retrying',
        );
      } catch (err) {
        logger.warn({ err: (err as Error).message, attempt }, 'gateway unreachable for licence validation; retrying');
      }
      await sleep(
        backoffDelay(attempt, this.options.reconnectBaseMs, this.options.reconnectMaxMs),
        this.stopSignal.signal,
      );
    }
  }

  private connect(): void {
    const { logger } = this.options;
    const socket = io(`${this.options.serverUrl}${PRINTING_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: true,
      reconnectionAttempts: Number.POSITIVE_INFINITY,
      reconnectionDelay: this.options.reconnectBaseMs,
      reconnectionDelayMax: this.options.reconnectMaxMs,
      randomizationFactor: 0.5,
      auth: {
        userRole: 'desktop_app',
        licenseKey: this.options.licenseKey,
        branchId: this.branchId,
        deviceId: this.options.deviceId,
        instanceId: `${this.options.deviceId}-${process.pid}`,
        appVersion: this.options.appVersion,
        protocolVersion: 2,
        capabilities: ['print-jobs', 'printer-test', 'printer-status', 'health-report'],
      },
    });
    this.socket = socket;

    socket.on('connect', () => {
      if (this.everConnected) this.reconnectionCount++;
      this.everConnected = true;
      this.manualReconnectAttempt = 0;
      this.connectionStartTime = this.now();
      logger.info({ branchId: this.branchId, reconnections: this.reconnectionCount }, 'connected to the gateway');
      socket.emit('join:branch', { branchId: this.branchId });
      socket.emit('desktop:status', {
        status: 'ready',
        timestamp: new Date(this.now()).toISOString(),
        version: this.options.appVersion,
      });
      void this.announcePrinters().then(() => this.reportStatuses(true));
      void this.flushOutbox();
      void this.reportJournalDamage(socket);
    });
    socket.on('disconnect', (reason) => {
      logger.warn({ reason }, 'disconnected from the gateway');
      // The client library does not come back by itself after a server-side namespace disconnect.
      if (reason === 'io server disconnect') this.reconnectManually();
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
      logger.warn({ err: err.message, code: err.data?.code }, 'connection to the gateway failed');
      // A handshake the gateway refused is not retried by the library: retry ourselves, forever.
      if (!socket.active) this.reconnectManually();
    });
    socket.on('print:job', (payload: unknown, ack?: (r: AckResponse<unknown>) => void) => {
      this.receiveJob(payload).then(
        (answer) => {
          if (typeof ack === 'function') ack(answer);
        },
        // Not acknowledged: the gateway re-sends the job to this agent, which then knows it or journals it anew.
        (err: unknown) => this.options.logger.error({ err }, 'journaling a print job failed'),
      );
    });
    socket.on('printer:test', (req: PrinterTestRequest) => void this.runTest(req));
    socket.on('printer:status:request', () => void this.reportStatuses(true));
    socket.on('error:event', (e: { event: string; code: string; message: string }) =>
      logger.warn({ event: e.event, code: e.code, message: e.message }, 'the gateway rejected an event'),
    );
  }

  private reconnectManually(): void {
    if (this.stopSignal.signal.aborted) return;
    const delay = backoffDelay(
      this.manualReconnectAttempt++,
      this.options.reconnectBaseMs,
      this.options.reconnectMaxMs,
    );
    setTimeout(() => {
      if (!this.stopSignal.signal.aborted && this.socket && !this.socket.connected) this.socket.connect();
    }, delay).unref();
  }

  /** `print:job`: journal first, then the acknowledgement. A known job is never printed again. */
  private async receiveJob(payload: unknown): Promise<AckResponse<{ jobId: string; state: string; reason?: string }>> {
    const job = payload as Partial<PrintJobDelivery>;
    if (
      typeof job?.id !== 'string' ||
      typeof job.content !== 'string' ||
      !BASE64.test(job.content) ||
      typeof job.usefulUntil !== 'string' ||
      typeof job.printerId !== 'string'
    ) {
      return {
        ok: false,
        error: { code: 'BAD_REQUEST', message: 'print job is missing id, printerId, content or usefulUntil' },
      };
    }
    const known = this.journal.get(job.id);
    if (known) {
      // The first delivery's line may still be on its way to disk; answer once it is there.
      await this.journal.flushed();
      // A job accepted before a failed sync was never queued; the re-delivery queues it (once).
      if (known.state === 'accepted') {
        const driver = this.driverFor(known.printerId, known.printerName, known.printer);
        if (driver) this.queueFor(driver).enqueue(known.id);
      }
      this.options.logger.info(
        { jobId: job.id, state: known.state },
        'duplicate print job delivery; acknowledged with its state',
      );
      return {
        ok: true,
        data: { jobId: job.id, state: known.state, ...(known.reason ? { reason: known.reason } : {}) },
      };
    }
    // Sent before (possibly to this agent) and created before the journal lost entries: it may have printed.
    const damage = (job.attempt ?? 2) > 1 ? this.journal.damageSince(job.timestamp ?? '') : undefined;
    if (damage) {
      const reason = `the agent journal was damaged (${damage.at}) after this job was created; it may have printed before`;
      await this.journal.recordLost(job.id, job.printerId, reason);
      this.options.logger.warn(
        { jobId: job.id, damagedAt: damage.at },
        'print job unknown after journal damage; unconfirmed',
      );
      return { ok: true, data: { jobId: job.id, state: 'unconfirmed', reason } };
    }
    const printer = job.printer ?? { connection: 'network' };
    const driver = this.driverFor(job.printerId, job.printerName ?? '', printer);
    if (!driver) {
      return {
        ok: false,
        error: {
          code: 'PRINTER_NOT_FOUND',
          message: `this agent has no printer "${job.printerName ?? job.printerId}"`,
        },
      };
    }
    await this.journal.accept({
      id: job.id,
      printerId: job.printerId,
      printerName: job.printerName ?? '',
      content: job.content,
      type: job.type ?? 'receipt',
      priority: job.priority ?? 5,
      copies: Math.min(Math.max(job.copies ?? 1, 1), 10),
      usefulUntil: job.usefulUntil,
      printer,
    });
    this.options.logger.info(
      { jobId: job.id, printer: driver.uri, byteLength: Buffer.byteLength(job.content, 'base64') },
      'print job accepted',
    );
    this.queueFor(driver).enqueue(job.id);
    return { ok: true, data: { jobId: job.id, state: 'accepted' } };
  }

  private driverFor(
    printerId: string,
    printerName: string,
    printer: PrintJobDelivery['printer'] | undefined,
  ): PrinterDriver | undefined {
    const configured =
      this.options.printers.find((p) => this.idsByName.get(p.name) === printerId) ??
      this.options.printers.find((p) => p.name === printerName);
    if (configured) return configured.driver;
    // A printer created through the API with an address this agent can reach.
    if (printer?.ip && printer.port)
      return this.queueDriver(
        `tcp://${printer.ip}:${printer.port}`,
        () => new TcpPrinter({ host: printer.ip as string, port: printer.port as number }),
      );
    if (printer?.systemName)
      return this.queueDriver(`cups://${printer.systemName}`, () => new CupsPrinter(printer.systemName as string));
    return undefined;
  }

  private queueDriver(uri: string, make: () => PrinterDriver): PrinterDriver {
    return this.queues.get(uri)?.driver ?? make();
  }

  private queueFor(driver: PrinterDriver): PrintQueue {
    let queue = this.queues.get(driver.uri);
    if (!queue) {
      queue = new PrintQueue(driver, this.journal, this.options.logger, {
        retryBaseMs: this.options.retryBaseMs,
        retryMaxMs: this.options.retryMaxMs,
        now: this.now,
        onReport: () => void this.flushOutbox(),
        onPrinterStatus: (status, reason) => this.printerStatusSeen(driver, status, reason),
      });
      this.queues.set(driver.uri, queue);
    }
    return queue;
  }

  /**
   * Sends unacknowledged reports until the gateway has recorded them all.
   * Reports of one job go strictly in order (the gateway must see "started"
   * before "completed"); different jobs' reports travel in parallel, because
   * waiting for each acknowledgement in turn made the outbox the bottleneck
   * of the whole print path.
   */
  private async flushOutbox(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        const byJob = new Map<string, JobReport[]>();
        for (const report of this.journal.pendingReports()) {
          const list = byJob.get(report.jobId);
          if (list) list.push(report);
          else byJob.set(report.jobId, [report]);
        }
        const chains = [...byJob.values()];
        let next = 0;
        let stalled = false;
        const worker = async () => {
          while (!stalled && next < chains.length) {
            const chain = chains[next++] as JobReport[];
            for (const report of chain) {
              if (!(await this.sendReport(report))) {
                stalled = true;
                return;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(OUTBOX_PARALLELISM, chains.length) }, worker));
        if (stalled) return;
      } while (this.flushAgain);
    } finally {
      this.flushing = false;
    }
  }

  /** One report; false when it could not be delivered now (disconnected or no acknowledgement). */
  private async sendReport(report: JobReport): Promise<boolean> {
    const socket = this.socket;
    if (!socket?.connected) return false;
    let res: AckResponse<unknown>;
    try {
      const { event, payload } = toWireReport(report);
      res = (await socket.timeout(REPORT_ACK_TIMEOUT_MS).emitWithAck(event, payload)) as AckResponse<unknown>;
    } catch {
      this.options.logger.warn({ jobId: report.jobId, state: report.state }, 'report not acknowledged; will retry');
      return false;
    }
    if (!res.ok) {
      // The gateway will never take it (unknown job after a restore, …): keeping it would block the outbox.
      this.options.logger.warn(
        { jobId: report.jobId, state: report.state, code: res.error.code },
        'report refused by the gateway; dropped',
      );
    }
    this.journal.acknowledge(report.seq);
    return true;
  }

  /** Tells the gateway about journal damage found at start-up, until it acknowledges. */
  private async reportJournalDamage(socket: Socket): Promise<void> {
    for (const damage of this.journal.damageFound()) {
      if (damage.reported || !socket.connected) continue;
      try {
        const res = (await socket.timeout(REPORT_ACK_TIMEOUT_MS).emitWithAck('agent:journal:damaged', {
          at: damage.at,
          file: damage.file,
          damagedLines: damage.lines.length,
          recoveredEntries: damage.recoveredEntries,
          unconfirmedJobIds: damage.unconfirmedJobIds.slice(0, 500),
        })) as AckResponse<unknown>;
        if (res.ok) this.journal.damageReported(damage.at);
      } catch {
        this.options.logger.warn({ damagedAt: damage.at }, 'journal damage notice not acknowledged; will retry');
      }
    }
  }

  private async announcePrinters(): Promise<void> {
    for (const printer of this.options.printers) {
      const socket = this.socket;
      if (!socket?.connected) return;
      const readiness = await printer.driver.checkStatus();
      const address = printer.driver instanceof TcpPrinter ? parseTcp(printer.driver.uri) : undefined;
      try {
        const res = (await socket.timeout(10_000).emitWithAck('printer:discovered', {
          ...(this.idsByName.has(printer.name) ? { id: this.idsByName.get(printer.name) } : {}),
          name: printer.name,
          type: 'thermal',
          connection: printer.driver.connection,
          status: readiness.status,
          branchId: this.branchId,
          discoveredBy: this.options.deviceId,
          discoveryMethod: printer.driver instanceof CupsPrinter ? 'cups' : 'configured',
          timestamp: new Date(this.now()).toISOString(),
          ...(address ?? {}),
          ...(printer.driver instanceof CupsPrinter ? { systemPrinter: printer.driver.queue } : {}),
          capabilities: ['cut', 'raw'],
        })) as AckResponse<{ printerId: string }>;
        if (res.ok) {
          this.idsByName.set(printer.name, res.data.printerId);
          this.lastStatus.set(printer.name, readiness.status);
        } else {
          this.options.logger.error(
            { printer: printer.name, code: res.error.code, message: res.error.message },
            'the gateway refused a printer',
          );
        }
      } catch {
        this.options.logger.warn({ printer: printer.name }, 'printer announcement not acknowledged');
      }
    }
  }

  private async reportStatuses(force: boolean): Promise<void> {
    const entries = [];
    for (const printer of this.options.printers) {
      const id = this.idsByName.get(printer.name);
      if (!id) continue;
      const { status } = await printer.driver.checkStatus();
      if (!force && this.lastStatus.get(printer.name) === status) continue;
      this.lastStatus.set(printer.name, status);
      entries.push({ id, name: printer.name, status, lastSeen: new Date(this.now()).toISOString() });
    }
    if (entries.length > 0) this.emitStatuses(entries);
  }

  private printerStatusSeen(driver: PrinterDriver, status: PrinterStatus, reason?: string): void {
    const printer = this.options.printers.find((p) => p.driver === driver);
    if (!printer) return;
    const id = this.idsByName.get(printer.name);
    if (!id || this.lastStatus.get(printer.name) === status) return;
    this.lastStatus.set(printer.name, status);
    this.options.logger.info({ printer: printer.name, status, reason }, 'printer status changed');
    this.emitStatuses([{ id, name: printer.name, status, lastSeen: new Date(this.now()).toISOString() }]);
  }

  private emitStatuses(printerIds: { id: string; name: string; status: PrinterStatus; lastSeen: string }[]): void {
    this.socket?.emit('printer:status:update', {
      printerIds,
      branchId: this.branchId,
      timestamp: new Date(this.now()).toISOString(),
    });
  }

  private async runTest(req: PrinterTestRequest): Promise<void> {
    const socket = this.socket;
    if (!socket || typeof req?.printerId !== 'string') return;
    const base = { printerId: req.printerId, correlationId: req.correlationId };
    socket.emit('printer:test:ack', {
      ...base,
      message: 'test received',
      timestamp: new Date(this.now()).toISOString(),
    });
    const started = this.now();
    const printer = this.options.printers.find(
      (p) => this.idsByName.get(p.name) === req.printerId || p.name === req.printerName,
    );
    const driver =
      printer?.driver ??
      this.driverFor(
        req.printerId,
        req.printerName,
        req.ip && req.port ? { connection: 'network', ip: req.ip, port: req.port } : undefined,
      );
    if (!driver) {
      socket.emit('printer:test:result', {
        ...base,
        success: false,
        error: `this agent has no printer "${req.printerName}"`,
        timestamp: new Date(this.now()).toISOString(),
      });
      return;
    }
    const page = encodeTicket({
      blocks: [
        { type: 'text', text: 'PrinterMaster test page', bold: true, align: 'center', size: 'double' },
        { type: 'separator' },
        { type: 'columns', left: 'Printer', right: req.printerName.slice(0, 40) },
        { type: 'columns', left: 'Branch', right: (req.branchName || this.branchId).slice(0, 40) },
        { type: 'columns', left: 'Time', right: new Date(this.now()).toISOString().slice(0, 19).replace('T', ' ') },
        { type: 'text', text: req.content ? req.content.slice(0, 1000) : 'If you can read this, the printer works.' },
        { type: 'text', text: req.correlationId, align: 'center' },
        { type: 'cut' },
      ],
    });
    const result = await driver.print(page, async () => {});
    socket.emit('printer:test:result', {
      ...base,
      success: result.outcome === 'completed',
      ...(result.outcome === 'completed' ? { message: 'test page printed' } : { error: result.reason }),
      timestamp: new Date(this.now()).toISOString(),
      processingTime: this.now() - started,
    });
  }

  private async ping(): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return;
    const sent = this.now();
    let latency: number | null = null;
    try {
      await socket
        .timeout(Math.min(this.options.pingIntervalMs, 10_000))
        .emitWithAck('agent:ping', { timestamp: new Date(sent).toISOString() });
      latency = this.now() - sent;
    } catch {
      latency = null;
    }
    const degraded = this.health.record(latency, this.now());
    if (degraded) {
      const snap = this.health.snapshot();
      this.options.logger.warn({ reason: degraded, averageLatency: snap.averageLatency }, 'connection degraded');
      socket.emit('desktop:health:degraded', {
        reason: degraded,
        ...(snap.lastPongTime ? { lastPongTime: new Date(snap.lastPongTime).toISOString() } : {}),
        timestamp: new Date(this.now()).toISOString(),
      });
    }
  }

  private sendHealthReport(): void {
    const socket = this.socket;
    if (!socket?.connected) return;
    const snap = this.health.snapshot();
    socket.emit('desktop:health:report', {
      uptime: Math.round((this.now() - this.startedAt) / 1000),
      reconnectionCount: this.reconnectionCount,
      averageLatency: snap.averageLatency,
      packetLossRate: snap.packetLossRate,
      totalPings: snap.totalPings,
      successfulPongs: snap.successfulPongs,
      connectionQuality: snap.connectionQuality,
      ...(snap.lastPongTime ? { lastPongTime: new Date(snap.lastPongTime).toISOString() } : {}),
      ...(this.connectionStartTime ? { connectionStartTime: new Date(this.connectionStartTime).toISOString() } : {}),
      branchId: this.branchId,
      deviceId: this.options.deviceId,
      appVersion: this.options.appVersion,
      timestamp: new Date(this.now()).toISOString(),
    });
  }
}

function parseTcp(uri: string): { ip: string; port: number } | undefined {
  const m = /^tcp:\/\/(.+):(\d+)$/.exec(uri);
  return m ? { ip: m[1] as string, port: Number(m[2]) } : undefined;
}

/** The socket event and payload that carry a report to the gateway. */
function toWireReport(report: JobReport): { event: string; payload: Record<string, unknown> } {
  const base = {
    jobId: report.jobId,
    ...(report.printerId ? { printerId: report.printerId } : {}),
    timestamp: report.at,
  };
  switch (report.state) {
    case 'printing':
      return { event: 'print:job:started', payload: base };
    case 'completed':
      return {
        event: 'print:job:completed',
        payload: {
          ...base,
          success: true,
          ...(report.durationMs !== undefined ? { processingTime: report.durationMs } : {}),
        },
      };
    case 'failed':
      return {
        event: 'print:job:failed',
        payload: { ...base, ...(report.reason !== undefined ? { error: report.reason } : {}) },
      };
    case 'unconfirmed':
      return {
        event: 'print:job:unconfirmed',
        payload: { ...base, ...(report.reason !== undefined ? { reason: report.reason } : {}) },
      };
  }
}
