import type {
  PrinterTestAck,
  PrinterTestCompletedEvent,
  PrinterTestRequest,
  PrinterTestResult,
} from '@printermaster/protocol';
import type { Clock } from './clock.js';
import type { ClusterRpc } from './cluster-rpc.js';
import type { CorrelationIds } from './correlation-ids.js';
import { GatewayError } from './gateway-error.js';
import { isoTime } from './iso-time.js';
import type { PendingRequests } from './pending-requests.js';
import type { AgentDirectory, AgentRecord } from './ports/agent-directory.js';
import type { AgentLink, ConnectedAgent } from './ports/agent-link.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { Logger } from './ports/logger.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import type { TenantStore } from './ports/tenant-store.js';
import type { AgentPrincipal, UserPrincipal } from './principal.js';
import type { PrinterService } from './printer-service.js';

/** `T` with its optional fields required to be named (possibly as `undefined`). */
type EveryField<T> = { [K in keyof Required<T>]: T[K] };

/** How a test ended, as far as the gateway can tell. */
export type TestOutcome = 'printed' | 'failed' | 'unconfirmed';

export interface PrinterTestReply {
  success: boolean;
  outcome: TestOutcome;
  /** The agent acknowledged receiving the test. */
  delivered: boolean;
  message: string;
  error?: string;
  /** ms the agent reported spending. */
  agentProcessingTime?: number;
  sourceClient: 'v2_agent' | 'legacy_client';
}

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

/** A test this process sent to one of its agents for another process. */
interface ForwardedTest {
  origin: string;
  printerId: string;
  branchId: string;
  legacy: boolean;
  expiresAt: number;
}

interface ForwardRequest {
  deviceId: string;
  branchId: string;
  request: PrinterTestRequest;
}

interface ForwardReply {
  correlationId: string;
  kind: 'ack' | 'result';
  result?: PrinterTestResult;
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
    rpc.handle('printerTest.forward', (payload, from) => this.acceptForwarded(payload as ForwardRequest, from));
    rpc.handle('printerTest.reply', (payload) => this.acceptReply(payload as ForwardReply));
  }

  /**
   * Sends a test to an agent of the printer's branch and waits for the result.
   * `PRINTER_OFFLINE` at once when no agent of the branch is connected; `TIMEOUT`
   * when no result (or, for legacy clients, no acknowledgement) came in time.
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
    const reply = this.pending.register(
      {
        correlationId,
        type: 'printer_test',
        timeoutMs: this.options.timeoutMs,
        // Legacy results carry no correlation ID: one pending test per printer lets the printer id match them.
        matchKey: legacy ? legacyKey(printer.id) : undefined,
      },
      (info) =>
        legacy && info.acknowledgedAt !== undefined
          ? {
              success: true,
              outcome: 'unconfirmed',
              delivered: true,
              message:
                'the desktop app received and acknowledged the test; this app version cannot confirm that the page printed',
              sourceClient: 'legacy_client',
            }
          : undefined,
    );
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

  /** `printer:test:ack` from an agent: the test was delivered. */
  handleAck(agent: AgentPrincipal, ack: PrinterTestAck): void {
    const correlationId = this.match(agent, ack.printerId, ack.correlationId);
    if (correlationId) {
      this.pending.acknowledge(correlationId);
      return;
    }
    const forwarded = this.matchForwarded(agent, ack.printerId, ack.correlationId, false);
    if (forwarded) void this.replyTo(forwarded.origin, { correlationId: forwarded.id, kind: 'ack' });
  }

  /** `printer:test:result` from an agent: resolves the pending test and tells the branch's dashboards. */
  handleResult(agent: AgentPrincipal, result: PrinterTestResult, legacy: boolean): void {
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

  private complete(branchId: string, companyId: string, result: PrinterTestResult, legacy: boolean): void {
    const agent = { branchId };
    const correlationId = this.match(agent, result.printerId, result.correlationId);
    const reply = interpret(result, legacy);
    const receivedAt = isoTime(this.clock.now());
    if (correlationId) {
      this.pending.resolve(correlationId, reply);
    } else {
      this.logger.info(
        { branchId, printerId: result.printerId, correlationId: result.correlationId },
        'late or unmatched printer test result',
      );
    }
    const event: PrinterTestCompletedEvent = {
      printerId: result.printerId,
      correlationId: correlationId ?? result.correlationId ?? '',
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
      expiresAt: now + req.request.metadata.timeout + 30_000,
    });
    this.link.sendPrinterTest(agent, req.request);
    return { sent: true };
  }

  private acceptReply(reply: ForwardReply): { received: true } {
    const ctx = this.contexts.get(reply.correlationId);
    if (!ctx) return { received: true };
    if (reply.kind === 'ack') this.pending.acknowledge(reply.correlationId);
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
      for (const [fid, f] of this.forwarded)
        if (f.legacy && f.printerId === printerId && f.branchId === agent.branchId) id = fid;
    }
    const f = id ? this.forwarded.get(id) : undefined;
    if (!id || !f || f.branchId !== agent.branchId || f.printerId !== printerId) return undefined;
    if (remove) this.forwarded.delete(id);
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

/**
 * What a result means. Legacy clients report `success: false, "Print job timeout"`
 * even when the page printed (PROTOCOL.md section 9), so such a report is
 * `unconfirmed`, not a failure.
 */
function interpret(result: PrinterTestResult, legacy: boolean): PrinterTestReply {
  const sourceClient = legacy ? 'legacy_client' : 'v2_agent';
  const text = result.message ?? result.error;
  if (result.success) {
    const reply: PrinterTestReply = {
      success: true,
      outcome: 'printed',
      delivered: true,
      message: text ?? 'test page printed',
      sourceClient,
    };
    if (result.processingTime !== undefined) reply.agentProcessingTime = result.processingTime;
    return reply;
  }
  if (legacy && /timeout/i.test(`${result.message ?? ''} ${result.error ?? ''}`)) {
    return {
      success: true,
      outcome: 'unconfirmed',
      delivered: true,
      message:
        'the desktop app took the test but reported a timeout it also reports for printed pages; check the printer',
      sourceClient,
    };
  }
  return {
    success: false,
    outcome: 'failed',
    delivered: true,
    message: text ?? 'the printer test failed',
    error: result.error ?? result.message ?? 'printer test failed',
    ...(result.processingTime !== undefined ? { agentProcessingTime: result.processingTime } : {}),
    sourceClient,
  };
}
