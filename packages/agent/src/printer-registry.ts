import type { PrinterStatus, PrinterStatusReason, PrinterTestRequest, PrintJobDelivery } from '@printermaster/protocol';
import { isoTime } from '@printermaster/protocol';
import type { AgentLogger } from './agent-logger.js';
import { CupsPrinter } from './cups-printer.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { PrinterDriver } from './printer-driver.js';
import { TcpPrinter } from './tcp-printer.js';

/** A printer the agent was configured with (or found as a CUPS queue). */
export interface AgentPrinter {
  /** The printer's name at the gateway (unique in the branch). */
  name: string;
  driver: PrinterDriver;
}

export interface PrinterRegistryDeps {
  printers: readonly AgentPrinter[];
  deviceId: string;
  connection: Pick<GatewayConnection, 'connected' | 'branchId' | 'send' | 'request'>;
  logger: AgentLogger;
  now: () => number;
  /** The driver already serving `uri` (a print queue's), so that one printer has one driver. */
  driverAt: (uri: string) => PrinterDriver | undefined;
}

/** Time the gateway has to acknowledge a printer announcement, ms. */
const ANNOUNCE_ACK_TIMEOUT_MS = 10_000;

/**
 * The printers this agent reaches: the configured ones, known to the gateway by the ids it
 * gave them when they were announced, and printers the gateway names by address (created
 * through the API). Announces them on every connection and reports their status changes.
 */
export class PrinterRegistry {
  private readonly idsByName = new Map<string, string>();
  /** The status and reason last reported for each printer (by name), as `status|reason`. */
  private readonly lastStatus = new Map<string, string>();
  /** When each printer's status was last sent (this.deps.now() ms), changed or not. */
  private readonly lastSentAt = new Map<string, number>();
  /** A status check of every printer is under way. */
  private polling = false;

  constructor(private readonly deps: PrinterRegistryDeps) {}

  /** The driver for a job's printer: a configured one by gateway id or name, else one for its address. */
  driverFor(
    printerId: string,
    printerName: string,
    printer: PrintJobDelivery['printer'] | undefined,
  ): PrinterDriver | undefined {
    const { printers } = this.deps;
    const configured =
      printers.find((p) => this.idsByName.get(p.name) === printerId) ?? printers.find((p) => p.name === printerName);
    if (configured) return configured.driver;
    // A printer created through the API with an address this agent can reach.
    if (printer?.ip && printer.port) {
      const { ip, port } = printer;
      return this.driverAtOr(`tcp://${ip}:${port}`, () => new TcpPrinter({ host: ip, port }));
    }
    if (printer?.systemName) {
      const queue = printer.systemName;
      return this.driverAtOr(`cups://${queue}`, () => new CupsPrinter(queue));
    }
    return undefined;
  }

  /** The driver for a printer test: the configured printer it names, else one for the address it gives. */
  testDriverFor(request: PrinterTestRequest): PrinterDriver | undefined {
    const printer = this.deps.printers.find(
      (p) => this.idsByName.get(p.name) === request.printerId || p.name === request.printerName,
    );
    return (
      printer?.driver ??
      this.driverFor(
        request.printerId,
        request.printerName,
        request.ip && request.port ? { connection: 'network', ip: request.ip, port: request.port } : undefined,
      )
    );
  }

  /** Tells the gateway about every configured printer and its status; learns the gateway's ids for them. */
  async announceAll(): Promise<void> {
    const { connection, logger } = this.deps;
    for (const printer of this.deps.printers) {
      if (!connection.connected) return;
      const readiness = await printer.driver.checkStatus();
      const address = printer.driver instanceof TcpPrinter ? parseTcp(printer.driver.uri) : undefined;
      const id = this.idsByName.get(printer.name);
      const res = await connection.request(
        'printer:discovered',
        {
          ...(id ? { id } : {}),
          name: printer.name,
          type: 'thermal',
          connection: printer.driver.connection,
          status: readiness.status,
          branchId: connection.branchId,
          discoveredBy: this.deps.deviceId,
          discoveryMethod: printer.driver instanceof CupsPrinter ? 'cups' : 'configured',
          timestamp: isoTime(this.deps.now()),
          ...(address ?? {}),
          ...(printer.driver instanceof CupsPrinter ? { systemPrinter: printer.driver.queue } : {}),
          capabilities: ['cut', 'raw'],
        },
        ANNOUNCE_ACK_TIMEOUT_MS,
      );
      if (!res) logger.warn({ printer: printer.name }, 'printer announcement not acknowledged');
      else if (res.ok) {
        this.idsByName.set(printer.name, res.data.printerId);
        this.lastStatus.set(printer.name, statusKey(readiness.status, readiness.code));
      } else {
        logger.error(
          { printer: printer.name, code: res.error.code, message: res.error.message },
          'the gateway refused a printer',
        );
      }
    }
  }

  /** Reports the announced printers' statuses: all of them with `force`, else only those that changed. */
  async reportStatuses(force: boolean): Promise<void> {
    // A check still waiting for a slow printer is not doubled by the next tick; it reports when it ends.
    if (this.polling && !force) return;
    this.polling = true;
    try {
      await this.checkAndReport(force);
    } finally {
      this.polling = false;
    }
  }

  private async checkAndReport(force: boolean): Promise<void> {
    const entries: StatusEntry[] = [];
    // All at once: an unreachable printer's connect timeout must not delay the others' news.
    const checked = await Promise.all(
      this.deps.printers
        .filter((printer) => this.idsByName.has(printer.name))
        .map(async (printer) => ({ printer, readiness: await printer.driver.checkStatus() })),
    );
    for (const { printer, readiness } of checked) {
      const id = this.idsByName.get(printer.name);
      if (!id) continue;
      const { status, code } = readiness;
      const key = statusKey(status, code);
      // An unchanged status is still sent now and then, so the gateway's "last seen" stays true.
      const stale = this.deps.now() - (this.lastSentAt.get(printer.name) ?? 0) >= STATUS_REFRESH_MS;
      if (!force && !stale && this.lastStatus.get(printer.name) === key) continue;
      if (this.lastStatus.get(printer.name) !== key) {
        this.deps.logger.info({ printer: printer.name, status, reason: code }, 'printer status changed');
      }
      this.lastStatus.set(printer.name, key);
      this.lastSentAt.set(printer.name, this.deps.now());
      entries.push(statusEntry(id, printer.name, status, code, isoTime(this.deps.now())));
    }
    if (entries.length > 0) this.sendStatuses(entries);
  }

  /** A print saw the printer's status; a change is reported at once. */
  statusSeen(driver: PrinterDriver, status: PrinterStatus, reason?: string, code?: PrinterStatusReason): void {
    const printer = this.deps.printers.find((p) => p.driver === driver);
    if (!printer) return;
    const id = this.idsByName.get(printer.name);
    const key = statusKey(status, code);
    if (!id || this.lastStatus.get(printer.name) === key) return;
    this.lastStatus.set(printer.name, key);
    this.lastSentAt.set(printer.name, this.deps.now());
    this.deps.logger.info({ printer: printer.name, status, reason: code ?? reason }, 'printer status changed');
    this.sendStatuses([statusEntry(id, printer.name, status, code, isoTime(this.deps.now()))]);
  }

  private driverAtOr(uri: string, make: () => PrinterDriver): PrinterDriver {
    return this.deps.driverAt(uri) ?? make();
  }

  private sendStatuses(printerIds: StatusEntry[]): void {
    const { connection } = this.deps;
    connection.send('printer:status:update', {
      printerIds,
      branchId: connection.branchId,
      timestamp: isoTime(this.deps.now()),
    });
  }
}

/** An unchanged printer's status is sent again after this long, ms: its "last seen" at the gateway. */
const STATUS_REFRESH_MS = 60_000;

interface StatusEntry {
  id: string;
  name: string;
  status: PrinterStatus;
  reason?: PrinterStatusReason;
  lastSeen: string;
}

function statusKey(status: PrinterStatus, code: PrinterStatusReason | undefined): string {
  return `${status}|${code ?? ''}`;
}

function statusEntry(
  id: string,
  name: string,
  status: PrinterStatus,
  code: PrinterStatusReason | undefined,
  lastSeen: string,
): StatusEntry {
  return { id, name, status, ...(code ? { reason: code } : {}), lastSeen };
}

function parseTcp(uri: string): { ip: string; port: number } | undefined {
  const m = /^tcp:\/\/(.+):(\d+)$/.exec(uri);
  return m ? { ip: m[1] as string, port: Number(m[2]) } : undefined;
}
