import type { PrinterTestAck, PrinterTestRequest, PrinterTestResult } from '@printermaster/protocol';
import type { Clock } from './clock.js';
import type { CorrelationIds } from './correlation-ids.js';
import { GatewayError } from './gateway-error.js';
import type { PendingRequests } from './pending-requests.js';
import type { AgentLink, ConnectedAgent } from './ports/agent-link.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { Logger } from './ports/logger.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import type { TenantStore } from './ports/tenant-store.js';
import type { AgentPrincipal, UserPrincipal } from './principal.js';
import type { PrinterService } from './printer-service.js';

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
}

/**
 * Printer tests: one request/reply over the socket per test, matched by
 * correlation ID (v2) or by printer (legacy clients echo no ID).
 */
export class PrinterTestService {
  private readonly contexts = new Map<string, TestContext>();

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
  ) {}

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
    const printer = await this.printerService.get(user, printerId);
    const correlationId = this.ids.next('printer_test');
    const agents = this.link.agentsInBranch(printer.branchId);
    const agent = pickAgent(agents, printer.deviceId);
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
    const branch = await this.tenants.findBranch(printer.branchId);
    const company = await this.tenants.findCompany(printer.companyId);
    const startedAt = this.clock.now();
    const legacy = agent.protocol === 'legacy';
    const request: PrinterTestRequest = {
      printerId: printer.id,
      printerName: printer.name,
      correlationId,
      requestTimestamp: new Date(startedAt).toISOString(),
      branchId: printer.branchId,
      branchName: branch?.name ?? '',
      companyName: company?.name ?? '',
      type: printer.type,
      connection: printer.connection,
      ...(printer.ip ? { ip: printer.ip } : {}),
      ...(printer.port ? { port: printer.port } : {}),
      capabilities: printer.capabilities,
      ...(body.testType ? { testType: body.testType } : {}),
      ...(body.content ? { content: body.content } : {}),
      metadata: {
        requestSource: 'backend_gateway',
        expectedResponseEvent: 'printer:test:result',
        timeout: this.options.timeoutMs,
      },
    };
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
    this.link.sendPrinterTest(agent, request);
    try {
      const result = await reply;
      const now = this.clock.now();
      return {
        ...result,
        correlationId,
        timestamp: new Date(now).toISOString(),
        clientsAvailable: agents.length,
        processingTime: now - startedAt,
      };
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'TIMEOUT') {
        throw new GatewayError('TIMEOUT', {
          message: `the agent did not answer the printer test within ${this.options.timeoutMs / 1000} s`,
          details: { correlationId, clientsAvailable: agents.length },
        });
      }
      throw err;
    } finally {
      this.contexts.delete(correlationId);
    }
  }

  /** `printer:test:ack` from an agent: the test was delivered. */
  handleAck(agent: AgentPrincipal, ack: PrinterTestAck): void {
    const correlationId = this.match(agent, ack.printerId, ack.correlationId);
    if (correlationId) this.pending.acknowledge(correlationId);
  }

  /** `printer:test:result` from an agent: resolves the pending test and tells the branch's dashboards. */
  handleResult(agent: AgentPrincipal, result: PrinterTestResult, legacy: boolean): void {
    const correlationId = this.match(agent, result.printerId, result.correlationId);
    const reply = interpret(result, legacy);
    const receivedAt = new Date(this.clock.now()).toISOString();
    if (correlationId) {
      this.pending.resolve(correlationId, reply);
    } else {
      this.logger.info(
        {
          deviceId: agent.deviceId,
          branchId: agent.branchId,
          printerId: result.printerId,
          correlationId: result.correlationId,
        },
        'late or unmatched printer test result',
      );
    }
    this.broadcaster.printerTestCompleted(agent.branchId, agent.companyId, {
      printerId: result.printerId,
      correlationId: correlationId ?? result.correlationId ?? '',
      success: reply.success,
      ...(reply.error ? { error: reply.error } : {}),
      message: reply.message,
      timestamp: new Date(this.clock.now()).toISOString(),
      ...(result.processingTime !== undefined ? { processingTime: result.processingTime } : {}),
      receivedAt,
      sourceClient: reply.sourceClient,
      outcome: reply.outcome,
    });
  }

  /** The pending test this reply answers, only if it was sent to this agent's branch. */
  private match(agent: AgentPrincipal, printerId: string, correlationId: string | undefined): string | undefined {
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

function pickAgent(agents: ConnectedAgent[], preferredDeviceId: string | null): ConnectedAgent | undefined {
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
    return {
      success: true,
      outcome: 'printed',
      delivered: true,
      message: text ?? 'test page printed',
      ...(result.processingTime !== undefined ? { agentProcessingTime: result.processingTime } : {}),
      sourceClient,
    };
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
