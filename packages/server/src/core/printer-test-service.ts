import type {
  PrinterTestAck,
  PrinterTestCompletedEvent,
  PrinterTestRequest,
  PrinterTestResult,
} from '@printermaster/protocol';
import type { Clock } from './clock.js';
import type { ClusterRpc } from './cluster-rpc.js';
import type {
  ForwardedTestReply as ForwardReply,
  ForwardedTestRequest as ForwardRequest,
} from './cluster-rpc-methods.js';
import type { CorrelationIds } from './correlation-ids.js';
import { GatewayError } from './gateway-error.js';
import { isoTime } from './iso-time.js';
import { type AwaitingLegacyResult, LegacyTestResults } from './legacy-test-results.js';
import type { PendingRequests } from './pending-requests.js';
import type { AgentDirectory, AgentRecord } from './ports/agent-directory.js';
import type { AgentLink, ConnectedAgent } from './ports/agent-link.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { Logger } from './ports/logger.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import type { TenantStore } from './ports/tenant-store.js';
import type { AgentPrincipal, UserPrincipal } from './principal.js';
import type { PrinterService } from './printer-service.js';
import { interpret, LEGACY_DELIVERED, type PrinterTestReply } from './printer-test-reply.js';

export type { PrinterTestReply, TestOutcome } from './printer-test-reply.js';

/** `T` with its optional fields required to be named (possibly as `undefined`). */
type EveryField<T> = { [K in keyof Required<T>]: T[K] };

export interface PrinterTestAnswer extends PrinterTestReply {
  correlationId: string;
  timestamp: string;
  /** Agents of the branch connected to this gateway. */
  clientsAvailable: number;
  /** ms from the request to the answer. */
  processingTime: number;
}

interface TestContext {
  printerId: string;
  branchId: string;
  companyId: string;
  deviceId: string;
  legacy: boolean;
  startedAt: number;
}

export interface PrinterTestOptions {
  /** Deadline for the result, ms (PROTOCOL.md: 15 s). */
  timeoutMs: number;
  /** Called when a limit refuses a test (metrics). */
  onRateLimited?: (scope: 'branch' | 'printer') => void;
}

/** How long after its deadline a legacy test still takes its own late result, ms (it comes after ~20 s). */
const LEGACY_RESULT_WINDOW_MS = 60_000;

/** A test this process sent to one of its agents for another process. */
interface ForwardedTest {
  origin: string;
  printerId: string;
  branchId: string;
  legacy: boolean;
  expiresAt: number;
  acknowledged?: boolean;
}

/**
 * Printer tests: one request/reply over the socket per test, matched by
 * correlation ID (v2) or by printer (legacy clients echo no ID).
 */
export class PrinterTestService {
  private readonly contexts = new Map<string, TestContext>();
  private readonly forwarded = new Map<string, ForwardedTest>();
  /** Branch and company names for the test request, by branch id; names change rarely, tests often. */
  private readonly names = new Map<string, { branchName: string; companyName: string; at: number }>();
  /** Legacy tests answered at delivery whose own result may still come. */
  private readonly legacyResults: LegacyTestResults;

  constructor(
    private readonly printerService: PrinterService,
    private readonly tenants: TenantStore,
    private readonly link: AgentLink,
    private readonly pending: PendingRequests<PrinterTestReply>,
    private readonly ids: CorrelationIds,
    private readonly limits: { branch: RateLimiter; printer: RateLimiter },
    private readonly broadcaster: Broadcaster,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: PrinterTestOptions,
    private readonly directory: AgentDirectory,
    private readonly rpc: ClusterRpc,
  ) {
    this.legacyResults = new LegacyTestResults(() => clock.now());
    rpc.handle('printerTest.forward', (payload, from) => this.acceptForwarded(payload, from));
    rpc.handle('printerTest.reply', (payload) => this.acceptReply(payload));
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
      this.printerService.peekCached(user, printerId) ?? (await this.printerService.getCached(user, printerId));
    const correlationId = this.ids.next('printer_test');
    const localAgents = this.link.agentsInBranch(printer.branchId);
    const local = pickAgent(localAgents, printer.deviceId);
    let remote: AgentRecord | undefined;
    let clientsAvailable = localAgents.length;
    if (!local) {
      const elsewhere = (await this.directory.inBranch(printer.branchId)).filter(
        (r) => r.instanceId !== this.rpc.instanceId,
      );
      remote = pickAgent(elsewhere, printer.deviceId);
      clientsAvailable = elsewhere.length;
    }
    const agent = local ?? remote;
    if (!agent) {
      throw new GatewayError('PRINTER_OFFLINE', {
        message: `no PrinterMaster agent of branch ${printer.branchId} is connected`,
        details: {
          correlationId,
          suggestion: 'start the PrinterMaster agent on a computer of the branch and check its internet connection',
        },
      });
    }
    await this.consume(this.limits.branch, `branch:${printer.branchId}`, 'branch');
    await this.consume(this.limits.printer, `printer:${printer.id}`, 'printer');
    const { branchName, companyName } =
      this.cachedNames(printer.branchId) ?? (await this.namesOf(printer.branchId, printer.companyId));
    const startedAt = this.clock.now();
    const legacy = agent.protocol === 'legacy';
    // Optional fields are set one by one rather than spread in: object spread takes V8's slow
    // path when shapes vary, and this runs for every test (docs/benchmarks.md).
    const request: PrinterTestRequest = {
      printerId: printer.id,
      printerName: printer.name,
      correlationId,
      requestTimestamp: isoTime(startedAt),
      branchId: printer.branchId,
      branchName,
      companyName,
      type: printer.type,
      connection: printer.connection,
      capabilities: printer.capabilities,
      metadata: {
        requestSource: 'backend_gateway',
        expectedResponseEvent: 'printer:test:result',
        timeout: this.options.timeoutMs,
      },
    };
    if (printer.ip) request.ip = printer.ip;
    if (printer.port) request.port = printer.port;
    if (body.testType) request.testType = body.testType;
    if (body.content) request.content = body.content;
    const reply = this.pending.register({
      correlationId,
      type: 'printer_test',
      timeoutMs: this.options.timeoutMs,
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
        expiresAt: startedAt + this.options.timeoutMs + LEGACY_RESULT_WINDOW_MS,
      });
    }
    this.contexts.set(correlationId, {
      printerId: printer.id,
      branchId: printer.branchId,
      companyId: printer.companyId,
      deviceId: agent.deviceId,
      legacy,
      startedAt,
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
    if (local) {
      this.link.sendPrinterTest(local, request);
    } else if (remote) {
      const target = remote;
      this.rpc
        .call(
          target.instanceId,
          'printerTest.forward',
          { deviceId: target.deviceId, branchId: target.branchId, request } satisfies ForwardRequest,
          5_000,
        )
        .catch((err: unknown) => {
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
      const now = this.clock.now();
      // Every field of the reply is named (a field added to PrinterTestReply and missing here does
      // not compile), rather than spread in: see the request above.
      const answer: EveryField<PrinterTestReply> & Omit<PrinterTestAnswer, keyof PrinterTestReply> = {
        success: result.success,
        outcome: result.outcome,
        delivered: result.delivered,
        message: result.message,
        error: result.error,
        agentProcessingTime: result.agentProcessingTime,
        sourceClient: result.sourceClient,
        correlationId,
        timestamp: isoTime(now),
        clientsAvailable,
        processingTime: now - startedAt,
      };
      return answer;
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'TIMEOUT') {
        throw new GatewayError('TIMEOUT', {
          message: `the agent did not answer the printer test within ${this.options.timeoutMs / 1000} s`,
          details: { correlationId, clientsAvailable },
        });
      }
      throw err;
    } finally {
      this.contexts.delete(correlationId);
    }
  }

  private cachedNames(branchId: string): { branchName: string; companyName: string } | undefined {
    const cached = this.names.get(branchId);
    return cached && this.clock.now() - cached.at < 60_000 ? cached : undefined;
  }

  private async namesOf(branchId: string, companyId: string): Promise<{ branchName: string; companyName: string }> {
    const [branch, company] = await Promise.all([
      this.tenants.findBranch(branchId),
      this.tenants.findCompany(companyId),
    ]);
    const entry = { branchName: branch?.name ?? '', companyName: company?.name ?? '', at: this.clock.now() };
    if (this.names.size > 10_000) this.names.clear();
    this.names.set(branchId, entry);
    return entry;
  }

  /** `printer:test:ack` from an agent: the test was delivered (for a legacy client, its answer). */
  handleAck(agent: AgentPrincipal, ack: PrinterTestAck): void {
    const correlationId = this.match(agent, ack.printerId, ack.correlationId);
    if (correlationId) {
      this.acknowledged(correlationId);
      return;
    }
    const forwarded = this.matchForwarded(agent, ack.printerId, ack.correlationId, false);
    if (forwarded) void this.replyTo(forwarded.origin, { correlationId: forwarded.id, kind: 'ack' });
  }

  /** `printer:test:result` from an agent: resolves the pending test and tells the branch's dashboards. */
  handleResult(agent: AgentPrincipal, result: PrinterTestResult, legacy: boolean): void {
    if (legacy) {
      this.handleLegacyResult(agent, result);
      return;
    }
    if (!this.match(agent, result.printerId, result.correlationId)) {
      const forwarded = this.matchForwarded(agent, result.printerId, result.correlationId, true);
      if (forwarded) {
        void this.replyTo(forwarded.origin, {
          correlationId: forwarded.id,
          kind: 'result',
          result: { ...result, correlationId: forwarded.id },
        });
        return;
      }
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
    const forwarded = this.matchForwarded(agent, result.printerId, undefined, true);
    if (forwarded) {
      void this.replyTo(forwarded.origin, {
        correlationId: forwarded.id,
        kind: 'result',
        result: { ...result, correlationId: forwarded.id },
      });
      return;
    }
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
    const agent = { branchId };
    const correlationId = this.match(agent, result.printerId, result.correlationId);
    const reply = interpret(result, legacy);
    if (correlationId) {
      this.pending.resolve(correlationId, reply);
    } else {
      this.logger.info(
        { branchId, printerId: result.printerId, correlationId: result.correlationId },
        'late or unmatched printer test result',
      );
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
    const receivedAt = isoTime(this.clock.now());
    const event: PrinterTestCompletedEvent = {
      printerId: result.printerId,
      correlationId,
      success: reply.success,
      message: reply.message,
      timestamp: receivedAt,
      receivedAt,
      sourceClient: reply.sourceClient,
      outcome: reply.outcome,
    };
    if (reply.error) event.error = reply.error;
    if (result.processingTime !== undefined) event.processingTime = result.processingTime;
    this.broadcaster.printerTestCompleted(branchId, companyId, event);
  }

  /** An agent of this process received a test for another process: remember where the answers go. */
  private acceptForwarded(req: ForwardRequest, origin: string): { sent: true } {
    const agent = this.link.findAgent(req.branchId, req.deviceId);
    if (!agent) throw new GatewayError('PRINTER_OFFLINE', { message: 'the agent is no longer connected here' });
    const now = this.clock.now();
    for (const [id, f] of this.forwarded) if (f.expiresAt < now) this.forwarded.delete(id);
    this.forwarded.set(req.request.correlationId, {
      origin,
      printerId: req.request.printerId,
      branchId: req.branchId,
      legacy: agent.protocol === 'legacy',
      expiresAt: now + req.request.metadata.timeout + LEGACY_RESULT_WINDOW_MS,
    });
    this.link.sendPrinterTest(agent, req.request);
    return { sent: true };
  }

  private acceptReply(reply: ForwardReply): { received: true } {
    if (reply.kind === 'result' && reply.result) {
      const awaiting = this.legacyResults.take(reply.correlationId);
      if (awaiting) {
        this.completeLegacy(awaiting, awaiting.branchId, awaiting.companyId, reply.result);
        return { received: true };
      }
    }
    const ctx = this.contexts.get(reply.correlationId);
    if (!ctx) return { received: true };
    if (reply.kind === 'ack') this.acknowledged(reply.correlationId);
    else if (reply.result) this.complete(ctx.branchId, ctx.companyId, reply.result, ctx.legacy);
    return { received: true };
  }

  private matchForwarded(
    agent: AgentPrincipal,
    printerId: string,
    correlationId: string | undefined,
    remove: boolean,
  ): (ForwardedTest & { id: string }) | undefined {
    let id = correlationId && this.forwarded.has(correlationId) ? correlationId : undefined;
    if (!id) {
      // The oldest first: a legacy client answers its tests in the order they came; an
      // acknowledgement goes to the oldest not yet acknowledged.
      const now = this.clock.now();
      for (const [fid, f] of this.forwarded) {
        if (!f.legacy || f.printerId !== printerId || f.branchId !== agent.branchId || f.expiresAt < now) continue;
        if (!remove && f.acknowledged) continue;
        id = fid;
        break;
      }
    }
    const f = id ? this.forwarded.get(id) : undefined;
    if (!id || !f || f.branchId !== agent.branchId || f.printerId !== printerId) return undefined;
    if (remove) this.forwarded.delete(id);
    else f.acknowledged = true;
    return { ...f, id };
  }

  private async replyTo(origin: string, reply: ForwardReply): Promise<void> {
    try {
      await this.rpc.call(origin, 'printerTest.reply', reply, 5_000);
    } catch (err) {
      this.logger.warn(
        { correlationId: reply.correlationId, origin, err: (err as Error).message },
        'printer test reply could not be routed back',
      );
    }
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

  private async consume(limiter: RateLimiter, key: string, scope: 'branch' | 'printer'): Promise<void> {
    const waitMs = await limiter.consume(key);
    if (waitMs !== undefined) {
      this.options.onRateLimited?.(scope);
      const resetIn = Math.max(1, Math.ceil(waitMs / 1000));
      throw new GatewayError('RATE_LIMIT_EXCEEDED', {
        message: `too many printer tests for this ${scope}; try again in ${resetIn} s`,
        details: { resetIn, scope },
      });
    }
  }
}

function legacyKey(printerId: string): string {
  return `printer:${printerId}`;
}

function pickAgent<A extends Pick<ConnectedAgent, 'deviceId' | 'protocol'>>(
  agents: A[],
  preferredDeviceId: string | null,
): A | undefined {
  return agents.find((a) => a.deviceId === preferredDeviceId) ?? agents.find((a) => a.protocol === 'v2') ?? agents[0];
}
