import type { PrinterTestAck, PrinterTestResult } from '@printermaster/protocol';
import { isoTime } from '@printermaster/protocol';
import { BranchNames } from './branch-names.js';
import type { Clock } from './clock.js';
import type { ForwardedTestReply } from './cluster-rpc-methods.js';
import { GatewayError } from './gateway-error.js';
import {
  type AwaitingLegacyResult,
  LEGACY_RESULT_WINDOW_MS,
  LegacyTestResults,
  legacyKey,
} from './legacy-test-results.js';
import { DEFAULT_MEMORY_BOUNDS } from './memory-bounds.js';
import type { PendingRequests } from './pending-requests.js';
import type { Logger } from './ports/logger.js';
import type { AgentPrincipal, UserPrincipal } from './principal.js';
import {
  completedEvent,
  consumeTest,
  interpret,
  LEGACY_DELIVERED,
  type PrinterTestAnswer,
  type PrinterTestReply,
  testAnswer,
} from './printer-test-reply.js';
import { printerTestRequest } from './printer-test-request.js';
import type { PrinterTestServiceDeps } from './printer-test-service-deps.js';

export type { PrinterTestAnswer, PrinterTestReply, TestOutcome } from './printer-test-reply.js';
export type { PrinterTestServiceDeps };

interface TestContext {
  printerId: string;
  branchId: string;
  companyId: string;
  legacy: boolean;
}

/**
 * Printer tests: one request/reply over the socket per test, matched by
 * correlation ID (v2) or by printer (legacy clients echo no ID).
 */
export class PrinterTestService {
  private readonly contexts = new Map<string, TestContext>();
  private readonly names: BranchNames;
  /** Legacy tests answered at delivery whose own result may still come. */
  private readonly legacyResults: LegacyTestResults;
  private readonly pending: PendingRequests<PrinterTestReply>;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly deps: PrinterTestServiceDeps) {
    this.pending = deps.pending;
    this.clock = deps.clock;
    this.logger = deps.logger;
    const bounds = deps.bounds ?? DEFAULT_MEMORY_BOUNDS;
    this.names = new BranchNames({ tenants: deps.tenants, clock: deps.clock, maxEntries: bounds.branchNameCache });
    this.legacyResults = new LegacyTestResults(() => deps.clock.now(), bounds.legacyTests);
    deps.remote.onTestReply((reply) => this.acceptReply(reply));
  }

  /**
   * Sends a test to an agent of the printer's branch and waits for the result; a legacy
   * client's test is answered at its acknowledgement (`unconfirmed`, delivered), since its own
   * result comes after the deadline. `PRINTER_OFFLINE` at once when no agent of the branch is
   * connected; `TIMEOUT` when no result (legacy: no acknowledgement) came in time.
   */
  async run(
    user: UserPrincipal,
    printerId: string,
    body: { testType?: string; content?: string },
  ): Promise<PrinterTestAnswer> {
    // Cache hits (nearly every test) take no `await`: each costs a microtask turn on the hot path.
    const printer =
      this.deps.printers.peekCached(user, printerId) ?? (await this.deps.printers.getCached(user, printerId));
    const correlationId = this.deps.ids.next('printer_test');
    // An agent here takes no `await`; only one on another process is looked up in the directory.
    const route =
      this.deps.remote.locateHere(printer.branchId, printer.deviceId) ??
      (await this.deps.remote.locateElsewhere(printer.branchId, printer.deviceId));
    const agent = route?.agent;
    const clientsAvailable = route?.clientsAvailable ?? 0;
    if (!agent) {
      throw new GatewayError('PRINTER_OFFLINE', {
        message: `no PrinterMaster agent of branch ${printer.branchId} is connected`,
        details: {
          correlationId,
          suggestion: 'start the PrinterMaster agent on a computer of the branch and check its internet connection',
        },
      });
    }
    await consumeTest(this.deps.limits.branch, `branch:${printer.branchId}`, 'branch');
    await consumeTest(this.deps.limits.printer, `printer:${printer.id}`, 'printer');
    const { branchName, companyName } =
      this.names.peek(printer.branchId) ?? (await this.names.read(printer.branchId, printer.companyId));
    const startedAt = this.clock.now();
    const legacy = agent.protocol === 'legacy';
    const request = printerTestRequest(
      printer,
      { branchName, companyName },
      correlationId,
      startedAt,
      this.deps.timeoutMs,
      body,
    );
    const reply = this.pending.register({
      correlationId,
      type: 'printer_test',
      timeoutMs: this.deps.timeoutMs,
      // Legacy acknowledgements carry no correlation ID: one pending test per printer lets the printer id match them.
      matchKey: legacy ? legacyKey(printer.id) : undefined,
    });
    if (legacy) {
      this.legacyResults.expect({
        correlationId,
        branchId: printer.branchId,
        companyId: printer.companyId,
        printerId: printer.id,
        deviceId: agent.deviceId,
        expiresAt: startedAt + this.deps.timeoutMs + LEGACY_RESULT_WINDOW_MS,
      });
    }
    this.contexts.set(correlationId, {
      printerId: printer.id,
      branchId: printer.branchId,
      companyId: printer.companyId,
      legacy,
    });
    this.logger.info(
      {
        correlationId,
        branchId: printer.branchId,
        deviceId: agent.deviceId,
        printerId: printer.id,
        pending: this.pending.size,
      },
      'printer test sent',
    );
    if (route.where === 'local') this.deps.link.sendPrinterTest(route.agent, request);
    else {
      const target = route.agent;
      this.deps.remote.sendPrinterTest(target, request).catch((err: unknown) => {
        this.logger.warn(
          { correlationId, deviceId: target.deviceId, err: (err as Error).message },
          'forwarding the printer test failed',
        );
        this.legacyResults.take(correlationId);
        this.pending.reject(
          correlationId,
          new GatewayError('PRINTER_OFFLINE', {
            message: 'the agent’s gateway process could not be reached',
            details: { correlationId },
          }),
        );
      });
    }
    try {
      const result = await reply;
      return testAnswer(result, { correlationId, clientsAvailable, startedAt, now: this.clock.now() });
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'TIMEOUT') {
        throw new GatewayError('TIMEOUT', {
          message: `the agent did not answer the printer test within ${this.deps.timeoutMs / 1000} s`,
          details: { correlationId, clientsAvailable },
        });
      }
      throw err;
    } finally {
      this.contexts.delete(correlationId);
    }
  }

  /**
   * Forgets legacy tests whose late result can no longer come (past their expiry): the stale sweep
   * calls it, so that they do not wait for the bound to push them out. Returns how many.
   */
  pruneExpiredLegacyTests(): number {
    return this.legacyResults.prune();
  }

  /** `printer:test:ack` from an agent: the test was delivered (for a legacy client, its answer). */
  handleAck(agent: AgentPrincipal, ack: PrinterTestAck): void {
    const correlationId = this.match(agent, ack.printerId, ack.correlationId);
    if (correlationId) {
      this.acknowledged(correlationId);
      return;
    }
    this.deps.remote.routeTestReply(agent, ack.printerId, ack.correlationId, { kind: 'ack' });
  }

  /** `printer:test:result` from an agent: resolves the pending test and tells the branch's dashboards. */
  handleResult(agent: AgentPrincipal, result: PrinterTestResult, legacy: boolean): void {
    if (legacy) {
      this.handleLegacyResult(agent, result);
      return;
    }
    if (!this.match(agent, result.printerId, result.correlationId)) {
      if (this.deps.remote.routeTestReply(agent, result.printerId, result.correlationId, { kind: 'result', result }))
        return;
    }
    this.complete(agent.branchId, agent.companyId, result, legacy);
  }

  private acknowledged(correlationId: string): void {
    this.pending.acknowledge(correlationId);
    if (this.contexts.get(correlationId)?.legacy) this.pending.resolve(correlationId, LEGACY_DELIVERED);
  }

  /**
   * A legacy client's result: it belongs to the oldest test of this client and printer still
   * waiting for one (LegacyTestResults), which is usually answered already; its dashboards hear it.
   */
  private handleLegacyResult(agent: AgentPrincipal, result: PrinterTestResult): void {
    // Sent here for another process: the answer goes back there, oldest test first.
    if (this.deps.remote.routeTestReply(agent, result.printerId, undefined, { kind: 'result', result })) return;
    const awaiting = this.legacyResults.takeOldest(agent.branchId, agent.deviceId, result.printerId);
    this.completeLegacy(awaiting, agent.branchId, agent.companyId, result);
  }

  private completeLegacy(
    awaiting: AwaitingLegacyResult | undefined,
    branchId: string,
    companyId: string,
    result: PrinterTestResult,
  ): void {
    const reply = interpret(result, true);
    // Still pending only when its acknowledgement never came.
    if (awaiting && this.pending.find(awaiting.correlationId)) this.pending.resolve(awaiting.correlationId, reply);
    this.logger.info(
      { branchId, printerId: result.printerId, correlationId: awaiting?.correlationId, outcome: reply.outcome },
      awaiting ? 'legacy printer test result' : 'unmatched legacy printer test result',
    );
    this.broadcastResult(branchId, companyId, result, reply, awaiting?.correlationId ?? '');
  }

  private complete(branchId: string, companyId: string, result: PrinterTestResult, legacy: boolean): void {
    const correlationId = this.match({ branchId }, result.printerId, result.correlationId);
    const reply = interpret(result, legacy);
    if (correlationId) this.pending.resolve(correlationId, reply);
    else {
      const fields = { branchId, printerId: result.printerId, correlationId: result.correlationId };
      this.logger.info(fields, 'late or unmatched printer test result');
    }
    this.broadcastResult(branchId, companyId, result, reply, correlationId ?? result.correlationId ?? '');
  }

  private broadcastResult(
    branchId: string,
    companyId: string,
    result: PrinterTestResult,
    reply: PrinterTestReply,
    correlationId: string,
  ): void {
    const event = completedEvent(result, reply, correlationId, isoTime(this.clock.now()));
    this.deps.broadcaster.printerTestCompleted(branchId, companyId, event);
  }

  /** An ack or result of a test this process sent to an agent elsewhere. */
  private acceptReply(reply: ForwardedTestReply): void {
    if (reply.kind === 'result' && reply.result) {
      const awaiting = this.legacyResults.take(reply.correlationId);
      if (awaiting) {
        this.completeLegacy(awaiting, awaiting.branchId, awaiting.companyId, reply.result);
        return;
      }
    }
    const ctx = this.contexts.get(reply.correlationId);
    if (!ctx) return;
    if (reply.kind === 'ack') this.acknowledged(reply.correlationId);
    else if (reply.result) this.complete(ctx.branchId, ctx.companyId, reply.result, ctx.legacy);
  }

  /** The pending test this reply answers, only if it was sent to this agent's branch. */
  private match(
    agent: Pick<AgentPrincipal, 'branchId'>,
    printerId: string,
    correlationId: string | undefined,
  ): string | undefined {
    const id =
      correlationId && this.contexts.has(correlationId)
        ? correlationId
        : this.pending.findByMatchKey(legacyKey(printerId));
    if (!id) return undefined;
    const ctx = this.contexts.get(id);
    return ctx && ctx.branchId === agent.branchId && ctx.printerId === printerId ? id : undefined;
  }
}
