import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import type { CoreEvents } from './core-events.js';
import type { Logger } from './ports/logger.js';
import type { NewPrintJob, PrintJob, PrintJobStore } from './ports/print-job-store.js';
import type { Printer, PrinterStore } from './ports/printer-store.js';
import type { Station, StationStore } from './ports/station-store.js';
import { isReady, type StationService } from './station-service.js';

/** How long a recovery notice may wait to be printed, ms. */
const NOTICE_USEFUL_MS = 3_600_000;

export interface StationFailoverDeps {
  stations: Pick<StationStore, 'withPrinter'>;
  service: Pick<StationService, 'firstReady'>;
  jobs: Pick<PrintJobStore, 'moveStationJobs' | 'takeMovedFrom'>;
  printers: Pick<PrinterStore, 'find'>;
  /** Stores and dispatches a job the gateway makes itself (PrintJobService.createForGateway). */
  createNotice(job: NewPrintJob): Promise<unknown>;
  /** Jobs moved or freed in the branch: dispatch them (here, and where the branch's agent is). */
  jobsReady(branchId: string): void;
  events: Pick<CoreEvents, 'emit'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Ordered failover within stations (docs/api.md#stations). When a printer's status changes, each
 * station that lists it is looked at again: the station's jobs still `queued` for a printer that is
 * not ready move to the station's first ready printer, each with a "MOVED FROM <printer>" line on
 * top. Only `queued` jobs move (the dispatcher keeps a station's jobs back from a printer that is
 * not ready, so that they can): a job sent to an agent may be in its journal and is never moved.
 * When a printer is ready again, it prints a short notice of what went elsewhere meanwhile.
 */
export class StationFailover {
  constructor(private readonly deps: StationFailoverDeps) {}

  /** A printer's stored status changed (an agent's report). */
  async statusChanged(printer: Printer): Promise<void> {
    if (isReady(printer)) await this.notice(printer);
    for (const station of await this.deps.stations.withPrinter(printer.id)) await this.rebalance(station);
    // A printer back (or jobs moved) in the branch: what waited for it goes out now.
    this.deps.jobsReady(printer.branchId);
  }

  /** Moves the station's waiting jobs off each of its printers that is not ready. */
  private async rebalance(station: Station): Promise<void> {
    for (const fromId of station.printerIds) {
      const from = await this.deps.printers.find(fromId);
      if (!from || isReady(from)) continue;
      const toId = await this.deps.service.firstReady(station, fromId);
      const to = toId === undefined ? undefined : await this.deps.printers.find(toId);
      // No ready printer: the jobs wait where they are, and are held once too old (held-jobs.ts).
      if (!to) continue;
      const why = from.statusReason ?? from.status;
      const moved = await this.deps.jobs.moveStationJobs({
        stationId: station.id,
        fromPrinterId: from.id,
        toPrinterId: to.id,
        prefix: movedLine(from.name),
        reason: `moved from ${from.name} to ${to.name} (station ${station.name}): ${why.replaceAll('_', ' ')}`,
      });
      if (moved.length === 0) continue;
      this.deps.events.emit('stationMoved', station, moved.length);
      this.deps.logger.warn(
        { branchId: station.branchId, stationId: station.id, from: from.id, to: to.id, jobs: moved.length, why },
        'station jobs moved to the next ready printer',
      );
    }
  }

  /** The notice a printer back in service prints of its jobs that went elsewhere. */
  private async notice(printer: Printer): Promise<void> {
    const moved = await this.deps.jobs.takeMovedFrom(printer.id);
    if (moved.length === 0) return;
    const now = this.deps.clock.now();
    const names = new Map<string, string>();
    for (const job of moved)
      names.set(job.printerId, (await this.deps.printers.find(job.printerId))?.name ?? job.printerId);
    await this.deps.createNotice({
      id: randomUUID(),
      companyId: printer.companyId,
      branchId: printer.branchId,
      printerId: printer.id,
      type: 'kitchen',
      priority: 10,
      copies: 1,
      content: noticeContent(printer.name, moved, names),
      orderData: { notice: 'station-failover', jobIds: moved.map((j) => j.id) },
      reprintOf: null,
      usefulUntil: new Date(now + NOTICE_USEFUL_MS),
      createdAt: new Date(now),
      actor: 'gateway',
    });
    this.deps.logger.info(
      { branchId: printer.branchId, printerId: printer.id, jobs: moved.length },
      'recovery notice queued',
    );
  }
}

const ESC = '\x1b';

/** The bold line on top of a moved ticket. Names are written in plain ASCII, as every printer has it. */
export function movedLine(printerName: string): Uint8Array {
  return Buffer.from(`${ESC}@${ESC}E\x01MOVED FROM ${ascii(printerName).toUpperCase()}${ESC}E\x00\n`, 'latin1');
}

function noticeContent(printerName: string, moved: PrintJob[], names: Map<string, string>): Uint8Array {
  const lines = moved.map((j) => {
    const at = j.createdAt.toISOString().slice(11, 16);
    return `${at} UTC  #${j.id.slice(0, 8)} -> ${ascii(names.get(j.printerId) ?? j.printerId)}`;
  });
  const text =
    `${ESC}@${ESC}E\x01WHILE ${ascii(printerName).toUpperCase()} WAS NOT READY${ESC}E\x00\n` +
    `${moved.length} ticket${moved.length === 1 ? '' : 's'} printed elsewhere:\n${lines.join('\n')}\n\n\n\x1dV\x00`;
  return Buffer.from(text, 'latin1');
}

/** `text` in printable ASCII: accents dropped, anything else as `-`. */
function ascii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '-');
}
