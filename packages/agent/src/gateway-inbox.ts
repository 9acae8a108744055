import {
  type Ack,
  AGENT_EVENT_SCHEMAS,
  checkPayload,
  PrinterStatusRequestSchema,
  type PrinterTestAck,
  type PrinterTestRequest,
  PrinterTestRequestSchema,
  type PrintJobDelivery,
  type PrintJobDeliveryAck,
  type PrintJobDeliveryReply,
  PrintJobDeliverySchema,
  SocketErrorEventSchema,
} from '@printermaster/protocol';
import type { AgentLogger } from './agent-logger.js';
import type { AgentSocket } from './gateway-connection.js';

/** A printer test the agent can answer: the printer and correlation ID to echo. */
export type PrinterTestTarget = Pick<PrinterTestAck, 'printerId' | 'correlationId'>;

export interface GatewayInboxDeps {
  logger: AgentLogger;
  /** A valid `print:job`: resolves with the answer once the job is journaled; rejects if it could not be. */
  receiveJob: (delivery: PrintJobDelivery) => Promise<PrintJobDeliveryAck>;
  /** A valid `printer:test`. */
  runTest: (request: PrinterTestRequest) => void;
  /** A `printer:test` that is not valid but names its printer: to be answered with a failed result. */
  refuseTest: (target: PrinterTestTarget, reason: string) => void;
  /** A valid `printer:status:request`. */
  reportStatuses: () => void;
}

/**
 * What the gateway sends the agent, checked before anything acts on it: every payload against
 * its schema (protocol checkPayload). An invalid one is logged once and answered the way the
 * protocol allows, so that the gateway is not left waiting: a print job is refused through
 * its acknowledgement (the gateway fails it with the reason), a printer test gets a failed
 * result. Nothing invalid is printed.
 */
export class GatewayInbox {
  constructor(private readonly deps: GatewayInboxDeps) {}

  listen(socket: AgentSocket): void {
    socket.on('print:job', (payload: unknown, ack: unknown) => this.printJob(payload, ack));
    socket.on('printer:test', (payload: unknown) => this.printerTest(payload));
    socket.on('printer:status:request', (payload: unknown) => this.statusRequest(payload));
    socket.on('error:event', (payload: unknown) => this.errorEvent(payload));
  }

  private printJob(payload: unknown, ack: unknown): void {
    const { logger } = this.deps;
    // The gateway always asks for an acknowledgement; a print:job without one is answered by no one.
    const answer = typeof ack === 'function' ? (ack as Ack<PrintJobDeliveryReply>) : undefined;
    const checked = checkPayload(PrintJobDeliverySchema, payload);
    if (!checked.ok) {
      const { path, message } = checked.problem;
      logger.warn({ event: 'print:job', jobId: textField(payload, 'id'), path, message }, 'invalid print job refused');
      answer?.({
        ok: false,
        error: { code: 'BAD_REQUEST', message: `print job is invalid at ${path}: ${message}`, details: { path } },
      });
      return;
    }
    this.deps.receiveJob(checked.value).then(
      (reply) => answer?.(reply),
      // Not acknowledged: the gateway re-sends the job to this agent, which then knows it or journals it anew.
      (err: unknown) => logger.error({ err }, 'journaling a print job failed'),
    );
  }

  private printerTest(payload: unknown): void {
    const checked = checkPayload(PrinterTestRequestSchema, payload);
    if (checked.ok) {
      this.deps.runTest(checked.value);
      return;
    }
    const { path, message } = checked.problem;
    // Answerable only if it names a printer the way a result must (the gateway matches results by it).
    const target = { printerId: textField(payload, 'printerId'), correlationId: textField(payload, 'correlationId') };
    const answerable = checkPayload(AGENT_EVENT_SCHEMAS['printer:test:ack'], target);
    this.deps.logger.warn(
      { event: 'printer:test', ...target, path, message },
      answerable.ok ? 'invalid printer test answered as failed' : 'invalid printer test ignored: it names no printer',
    );
    if (answerable.ok) this.deps.refuseTest(answerable.value, `the test request is invalid at ${path}: ${message}`);
  }

  private statusRequest(payload: unknown): void {
    const checked = checkPayload(PrinterStatusRequestSchema, payload);
    if (checked.ok) {
      this.deps.reportStatuses();
      return;
    }
    const { path, message } = checked.problem;
    this.deps.logger.warn({ event: 'printer:status:request', path, message }, 'invalid status request ignored');
  }

  private errorEvent(payload: unknown): void {
    const checked = checkPayload(SocketErrorEventSchema, payload);
    if (!checked.ok) {
      const { path, message } = checked.problem;
      this.deps.logger.warn({ event: 'error:event', path, message }, 'the gateway sent a malformed error event');
      return;
    }
    const e = checked.value;
    this.deps.logger.warn({ event: e.event, code: e.code, message: e.message }, 'the gateway rejected an event');
  }
}

/** A string field of a payload that failed its check, for the log and the answer; else undefined. */
function textField(payload: unknown, key: string): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const value = (payload as Record<string, unknown>)[key];
  return typeof value === 'string' ? value.slice(0, 256) : undefined;
}
