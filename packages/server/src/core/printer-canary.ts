import type { Clock, Timer } from './clock.js';
import type { CoreEvents } from './core-events.js';
import type { ConnectedAgent } from './ports/agent-link.js';
import type { Logger } from './ports/logger.js';
import type { CanaryResult, Printer, PrinterStore, StatusReport } from './ports/printer-store.js';

/** Statuses in which a printer takes work: a canary that reads one of them passes. */
const READY = new Set(['online', 'busy']);

/** The agents connected to this process, as the canary reaches them. */
export interface CanaryLink {
  all(): ConnectedAgent[];
  /** Emits `printer:status:request` naming `printerIds` to the agent (nothing if it just left). */
  requestStatuses(agent: ConnectedAgent, printerIds: string[]): void;
}

export interface PrinterCanaryDeps {
  link: CanaryLink;
  printers: Pick<PrinterStore, 'list' | 'recordCanaries'>;
  events: CoreEvents;
  clock: Clock;
  logger: Logger;
  /** How long an agent has to answer, ms. */
  timeoutMs: number;
}

interface Waiter {
  resolve(report: StatusReport | undefined): void;
}

/**
 * End-to-end canaries (docs/operations.md#canaries): each round, every agent connected to this
 * process is sent `printer:status:request` naming its printers. The agent asks each printer
 * itself (DLE EOT, or the spooler) and answers with `printer:status:update`, as every client of
 * the protocol does, legacy ones included: nothing is printed. A printer passes when its report
 * comes back within the deadline and says it is ready. Each probe is a `canaryProbed` event (the
 * metrics) and is stored on the printer, so every process and the dashboard see the last one.
 * Agents on other processes are probed by theirs.
 */
export class PrinterCanary {
  /** Probes waiting for their answer, by agent socket identity then printer id. */
  private readonly waiting = new Map<ConnectedAgent, Map<string, Waiter>>();

  constructor(private readonly deps: PrinterCanaryDeps) {}

  /** One round over this process's agents; resolves with every probe's result. */
  async round(): Promise<CanaryResult[]> {
    const agents = this.deps.link.all();
    const results = (await Promise.all(agents.map((agent) => this.probe(agent)))).flat();
    if (results.length > 0) await this.deps.printers.recordCanaries(results);
    return results;
  }

  /** The printers `agent` reports, probed once each, all in one request. */
  async probe(agent: ConnectedAgent): Promise<CanaryResult[]> {
    const printers = (await this.deps.printers.list({ branchId: agent.branchId })).filter(
      (p) => p.deviceId === agent.deviceId,
    );
    // A probe for a printer already waiting (a round slower than its period) is not doubled.
    const pending = this.waiting.get(agent);
    const fresh = printers.filter((p) => !pending?.has(p.id));
    if (fresh.length === 0) return [];
    const startedAt = this.deps.clock.now();
    const answers = fresh.map((p) => this.answerFor(agent, p.id));
    this.deps.link.requestStatuses(
      agent,
      fresh.map((p) => p.id),
    );
    const reports = await Promise.all(answers);
    return fresh.map((printer, i) => this.result(agent, printer, reports[i], startedAt));
  }

  /** An agent's status report arrived: it answers the probes waiting for its printers. */
  statusReported(agent: ConnectedAgent, reports: readonly StatusReport[]): void {
    const pending = this.waiting.get(agent);
    if (!pending) return;
    for (const report of reports) pending.get(report.id)?.resolve(report);
  }

  private answerFor(agent: ConnectedAgent, printerId: string): Promise<StatusReport | undefined> {
    return new Promise((resolve) => {
      let pending = this.waiting.get(agent);
      if (!pending) {
        pending = new Map();
        this.waiting.set(agent, pending);
      }
      let timer: Timer | undefined;
      const waiter: Waiter = {
        resolve: (report) => {
          timer?.cancel();
          const current = this.waiting.get(agent);
          if (current?.get(printerId) !== waiter) return;
          current.delete(printerId);
          if (current.size === 0) this.waiting.delete(agent);
          resolve(report);
        },
      };
      pending.set(printerId, waiter);
      timer = this.deps.clock.setTimer(this.deps.timeoutMs, () => waiter.resolve(undefined));
    });
  }

  private result(
    agent: ConnectedAgent,
    printer: Printer,
    report: StatusReport | undefined,
    startedAt: number,
  ): CanaryResult {
    const now = this.deps.clock.now();
    const ok = report !== undefined && READY.has(report.status);
    const reason = ok ? null : report ? (report.reason ?? report.status) : 'no_answer';
    const result: CanaryResult = {
      printerId: printer.id,
      at: new Date(now),
      ok,
      ms: report ? now - startedAt : null,
      reason,
    };
    this.deps.events.emit('canaryProbed', { ...result, branchId: printer.branchId });
    if (!ok) {
      this.deps.logger.warn(
        { branchId: printer.branchId, printerId: printer.id, deviceId: agent.deviceId, reason },
        'printer canary failed',
      );
    }
    return result;
  }
}
