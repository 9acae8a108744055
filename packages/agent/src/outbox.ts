import type { AgentEventPayload } from '@printermaster/protocol';
import type { AgentLogger } from './agent-logger.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { JobReport, Journal } from './journal.js';

export interface OutboxDeps {
  journal: Journal;
  connection: Pick<GatewayConnection, 'connected' | 'request'>;
  logger: AgentLogger;
}

/** Time the gateway has to acknowledge a report, ms. */
const REPORT_ACK_TIMEOUT_MS = 10_000;
/** Jobs whose reports are in flight at once. */
const OUTBOX_PARALLELISM = 32;

type ReportEvent = 'print:job:started' | 'print:job:completed' | 'print:job:failed' | 'print:job:unconfirmed';
/** A report as it travels: the socket event and its payload. */
export type WireReport = { [E in ReportEvent]: { event: E; payload: AgentEventPayload<E> } }[ReportEvent];

/**
 * Sends what the journal keeps for the gateway until the gateway has recorded it: the reports
 * of jobs' state changes (mapped here to their socket events) and the notice of a journal
 * found damaged. Each is removed from the journal only once acknowledged.
 */
export class Outbox {
  private flushing = false;
  private flushAgain = false;

  constructor(private readonly deps: OutboxDeps) {}

  /**
   * Sends unacknowledged reports until the gateway has recorded them all.
   * Reports of one job go strictly in order (the gateway must see "started"
   * before "completed"); different jobs' reports travel in parallel, because
   * waiting for each acknowledgement in turn made the outbox the bottleneck
   * of the whole print path.
   */
  async flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        const byJob = new Map<string, JobReport[]>();
        for (const report of this.deps.journal.pendingReports()) {
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
              if (!(await this.send(report))) {
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

  /** Tells the gateway about journal damage found at start-up, until it acknowledges. */
  async reportDamage(): Promise<void> {
    const { journal, connection, logger } = this.deps;
    for (const damage of journal.damageFound()) {
      if (damage.reported || !connection.connected) continue;
      const res = await connection.request(
        'agent:journal:damaged',
        {
          at: damage.at,
          file: damage.file,
          damagedLines: damage.lines.length,
          recoveredEntries: damage.recoveredEntries,
          unconfirmedJobIds: damage.unconfirmedJobIds.slice(0, 500),
        },
        REPORT_ACK_TIMEOUT_MS,
      );
      if (!res) logger.warn({ damagedAt: damage.at }, 'journal damage notice not acknowledged; will retry');
      else if (res.ok) journal.damageReported(damage.at);
    }
  }

  /** One report; false when it could not be delivered now (disconnected or no acknowledgement). */
  private async send(report: JobReport): Promise<boolean> {
    const { connection, logger } = this.deps;
    if (!connection.connected) return false;
    const { event, payload } = toWireReport(report);
    const res = await connection.request(event, payload, REPORT_ACK_TIMEOUT_MS);
    if (!res) {
      logger.warn({ jobId: report.jobId, event }, 'report not acknowledged; will retry');
      return false;
    }
    if (!res.ok) {
      // The gateway will never take it (unknown job after a restore, …): keeping it would block the outbox.
      logger.warn({ jobId: report.jobId, event, code: res.error.code }, 'report refused by the gateway; dropped');
    }
    this.deps.journal.acknowledge(report.seq);
    return true;
  }
}

/** The socket event and payload that carry a report to the gateway (docs/protocol.md#reports). */
export function toWireReport(report: JobReport): WireReport {
  const base = {
    jobId: report.jobId,
    ...(report.printerId ? { printerId: report.printerId } : {}),
    ...(report.at ? { timestamp: report.at } : {}),
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
      // A report of this kind always has a reason; the fallback keeps the event valid if one was lost.
      return {
        event: 'print:job:unconfirmed',
        payload: { ...base, reason: report.reason ?? 'the agent cannot tell whether the job printed' },
      };
  }
}
