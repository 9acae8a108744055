import type { PrinterTestRequest, PrinterTestResult } from '@printermaster/protocol';
import type { Clock } from './clock.js';
import type { ClusterRpc } from './cluster-rpc.js';
import type { ForwardedTestReply } from './cluster-rpc-methods.js';
import { GatewayError } from './gateway-error.js';
import type { AgentDirectory, AgentRecord } from './ports/agent-directory.js';
import type { AgentLink, ConnectedAgent } from './ports/agent-link.js';
import type { Logger } from './ports/logger.js';

/** How long another process has to confirm a call, ms; a lost notice is caught by the periodic sweeps. */
const CALL_TIMEOUT_MS = 5_000;
/** How long after its deadline a forwarded legacy test still routes its late result back, ms. */
const FORWARD_RESULT_WINDOW_MS = 60_000;

export interface RemoteAgentLinkDeps {
  rpc: ClusterRpc;
  /** Where every connected agent is, across processes. */
  directory: AgentDirectory;
  /** The agents of this process. */
  link: AgentLink;
  clock: Clock;
  logger: Logger;
}

/** An agent found for a request, on this process or on another one. */
export type AgentRoute =
  | { where: 'local'; agent: ConnectedAgent; clientsAvailable: number }
  | { where: 'remote'; agent: AgentRecord; clientsAvailable: number };

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
 * The one way across processes: an agent held by another gateway process is reached by a
 * ClusterRpc call to that process, found through the agent directory. Jobs ("jobs wait in
 * this branch") and printer tests (the request, then its ack and result back) both go this way.
 */
export class RemoteAgentLink {
  private readonly forwarded = new Map<string, ForwardedTest>();
  private jobsReadyHandler: (branchId: string) => void = () => {};
  private testReplyHandler: (reply: ForwardedTestReply) => void = () => {};

  constructor(private readonly deps: RemoteAgentLinkDeps) {
    deps.rpc.handle('jobs.ready', ({ branchId }) => {
      if (deps.link.agentsInBranch(branchId).length === 0) return { kicked: false };
      this.jobsReadyHandler(branchId);
      return { kicked: true };
    });
    deps.rpc.handle('printerTest.forward', (req, origin) =>
      this.deliverForwarded(req.branchId, req.deviceId, req.request, origin),
    );
    deps.rpc.handle('printerTest.reply', (reply) => {
      this.testReplyHandler(reply);
      return { received: true };
    });
  }

  /** Called on this process when another process says jobs wait in a branch whose agent is here. */
  onJobsReady(handler: (branchId: string) => void): void {
    this.jobsReadyHandler = handler;
  }

  /** Called on this process when an agent elsewhere answered a test this process sent. */
  onTestReply(handler: (reply: ForwardedTestReply) => void): void {
    this.testReplyHandler = handler;
  }

  /**
   * An agent of `branchId` connected to this process, if any: `preferredDeviceId` first, then
   * a v2 agent, then any. Synchronous: the common case costs no microtask turn.
   */
  locateHere(branchId: string, preferredDeviceId: string | null): AgentRoute | undefined {
    const local = this.deps.link.agentsInBranch(branchId);
    const here = pickAgent(local, preferredDeviceId);
    return here && { where: 'local', agent: here, clientsAvailable: local.length };
  }

  /** An agent of `branchId` on another process, through the agent directory (same preference). */
  async locateElsewhere(branchId: string, preferredDeviceId: string | null): Promise<AgentRoute | undefined> {
    const self = this.deps.rpc.instanceId;
    const elsewhere = (await this.deps.directory.inBranch(branchId)).filter((r) => r.instanceId !== self);
    const there = pickAgent(elsewhere, preferredDeviceId);
    return there && { where: 'remote', agent: there, clientsAvailable: elsewhere.length };
  }

  /** Tells every other process holding an agent of `branchId` that jobs wait there. Never throws. */
  async announceJobs(branchId: string): Promise<void> {
    try {
      const self = this.deps.rpc.instanceId;
      const holders = new Set<string>();
      for (const r of await this.deps.directory.inBranch(branchId))
        if (r.instanceId !== self) holders.add(r.instanceId);
      await Promise.all([...holders].map((instanceId) => this.notify(instanceId, branchId)));
    } catch (err) {
      this.deps.logger.warn({ branchId, err: (err as Error).message }, 'job notice not published');
    }
  }

  /** Sends a printer test to an agent on another process; rejects when that process cannot be reached. */
  async sendPrinterTest(agent: AgentRecord, request: PrinterTestRequest): Promise<void> {
    const payload = { deviceId: agent.deviceId, branchId: agent.branchId, request };
    await this.deps.rpc.call(agent.instanceId, 'printerTest.forward', payload, CALL_TIMEOUT_MS);
  }

  /**
   * An agent of this process answered a test: when the test came from another process, the
   * answer goes back there and this returns true. A legacy client echoes no correlation ID:
   * its answer goes to the oldest forwarded test of that printer (an ack: the oldest not yet
   * acknowledged).
   */
  routeTestReply(
    agent: Pick<ConnectedAgent, 'branchId'>,
    printerId: string,
    correlationId: string | undefined,
    reply: { kind: 'ack' } | { kind: 'result'; result: PrinterTestResult },
  ): boolean {
    const id = this.matchForwarded(agent.branchId, printerId, correlationId, reply.kind === 'result');
    if (!id) return false;
    const back: ForwardedTestReply =
      reply.kind === 'ack'
        ? { correlationId: id.id, kind: 'ack' }
        : { correlationId: id.id, kind: 'result', result: { ...reply.result, correlationId: id.id } };
    void this.deps.rpc.call(id.origin, 'printerTest.reply', back, CALL_TIMEOUT_MS).catch((err: unknown) => {
      this.deps.logger.warn(
        { correlationId: id.id, origin: id.origin, err: (err as Error).message },
        'printer test reply could not be routed back',
      );
    });
    return true;
  }

  private async notify(instanceId: string, branchId: string): Promise<void> {
    try {
      await this.deps.rpc.call(instanceId, 'jobs.ready', { branchId }, CALL_TIMEOUT_MS);
    } catch (err) {
      this.deps.logger.warn({ branchId, instanceId, err: (err as Error).message }, 'job notice not delivered');
    }
  }

  /** A test for one of this process's agents from another process: remember where the answers go. */
  private deliverForwarded(branchId: string, deviceId: string, request: PrinterTestRequest, origin: string) {
    const agent = this.deps.link.findAgent(branchId, deviceId);
    if (!agent) throw new GatewayError('PRINTER_OFFLINE', { message: 'the agent is no longer connected here' });
    const now = this.deps.clock.now();
    for (const [id, f] of this.forwarded) if (f.expiresAt < now) this.forwarded.delete(id);
    this.forwarded.set(request.correlationId, {
      origin,
      printerId: request.printerId,
      branchId,
      legacy: agent.protocol === 'legacy',
      expiresAt: now + request.metadata.timeout + FORWARD_RESULT_WINDOW_MS,
    });
    this.deps.link.sendPrinterTest(agent, request);
    return { sent: true } as const;
  }

  private matchForwarded(
    branchId: string,
    printerId: string,
    correlationId: string | undefined,
    remove: boolean,
  ): (ForwardedTest & { id: string }) | undefined {
    let id = correlationId && this.forwarded.has(correlationId) ? correlationId : undefined;
    if (!id) {
      // The oldest first: a legacy client answers its tests in the order they came.
      const now = this.deps.clock.now();
      for (const [fid, f] of this.forwarded) {
        if (!f.legacy || f.printerId !== printerId || f.branchId !== branchId || f.expiresAt < now) continue;
        if (!remove && f.acknowledged) continue;
        id = fid;
        break;
      }
    }
    const f = id ? this.forwarded.get(id) : undefined;
    if (!id || !f || f.branchId !== branchId || f.printerId !== printerId) return undefined;
    if (remove) this.forwarded.delete(id);
    else f.acknowledged = true;
    return { ...f, id };
  }
}

function pickAgent<A extends Pick<ConnectedAgent, 'deviceId' | 'protocol'>>(
  agents: A[],
  preferredDeviceId: string | null,
): A | undefined {
  return agents.find((a) => a.deviceId === preferredDeviceId) ?? agents.find((a) => a.protocol === 'v2') ?? agents[0];
}
