import { encodeTicket } from '@printermaster/escpos';
import type { PrinterTestRequest } from '@printermaster/protocol';
import { isoTime } from '@printermaster/protocol';
import type { GatewayConnection } from './gateway-connection.js';
import type { PrinterTestTarget } from './gateway-inbox.js';
import type { PrinterRegistry } from './printer-registry.js';

export interface PrinterTestRunnerDeps {
  printers: Pick<PrinterRegistry, 'testDriverFor'>;
  connection: Pick<GatewayConnection, 'branchId' | 'send'>;
  now: () => number;
}

/**
 * Answers the gateway's printer tests (docs/protocol.md#printer-tests): `printer:test:ack` at once,
 * then a test page on the printer and `printer:test:result` with how it went.
 */
export class PrinterTestRunner {
  constructor(private readonly deps: PrinterTestRunnerDeps) {}

  async run(req: PrinterTestRequest): Promise<void> {
    const { connection, now } = this.deps;
    const base = { printerId: req.printerId, correlationId: req.correlationId };
    connection.send('printer:test:ack', { ...base, message: 'test received', timestamp: this.isoNow() });
    const started = now();
    const driver = this.deps.printers.testDriverFor(req);
    if (!driver) {
      this.refuse(base, `this agent has no printer "${req.printerName}"`);
      return;
    }
    const page = encodeTicket({
      blocks: [
        { type: 'text', text: 'PrinterMaster test page', bold: true, align: 'center', size: 'double' },
        { type: 'separator' },
        { type: 'columns', left: 'Printer', right: req.printerName.slice(0, 40) },
        { type: 'columns', left: 'Branch', right: (req.branchName || connection.branchId).slice(0, 40) },
        { type: 'columns', left: 'Time', right: this.isoNow().slice(0, 19).replace('T', ' ') },
        { type: 'text', text: req.content ? req.content.slice(0, 1000) : 'If you can read this, the printer works.' },
        { type: 'text', text: req.correlationId, align: 'center' },
        { type: 'cut' },
      ],
    });
    const result = await driver.print(page, async () => {});
    connection.send('printer:test:result', {
      ...base,
      success: result.outcome === 'completed',
      ...(result.outcome === 'completed' ? { message: 'test page printed' } : { error: result.reason }),
      timestamp: this.isoNow(),
      processingTime: now() - started,
    });
  }

  /** Answers a test that cannot be run with a failed result saying why; nothing is printed. */
  refuse(target: PrinterTestTarget, reason: string): void {
    this.deps.connection.send('printer:test:result', {
      printerId: target.printerId,
      ...(target.correlationId !== undefined ? { correlationId: target.correlationId } : {}),
      success: false,
      error: reason,
      timestamp: this.isoNow(),
    });
  }

  private isoNow(): string {
    return isoTime(this.deps.now());
  }
}
