import type { PrinterTestRequest, PrintJobDelivery, PrintJobDeliveryAck } from '@printermaster/protocol';
import type { AgentLink, ConnectedAgent } from '../../src/core/ports/agent-link.js';

/** A delivery the core handed to an agent, waiting for the test to acknowledge it. */
export interface RecordedDelivery {
  agent: ConnectedAgent;
  delivery: PrintJobDelivery;
  /** Acknowledges as the agent would (its ack callback); `undefined` = no ack (timeout, disconnect). */
  answer(ack: PrintJobDeliveryAck | undefined): void;
}

/**
 * The agent side of the core's AgentLink port for the unit tier: agents are plain records,
 * and what the core sends them is recorded for the test to inspect and answer. The socket
 * implementation (gateway/socket-agent-link.ts) is covered by the integration tests.
 */
export class RecordingAgentLink implements AgentLink {
  readonly agents: ConnectedAgent[] = [];
  readonly tests: { agent: ConnectedAgent; request: PrinterTestRequest }[] = [];
  readonly deliveries: RecordedDelivery[] = [];
  private readonly deliveryWaiters: ((d: RecordedDelivery) => void)[] = [];
  private readonly testWaiters: ((t: { agent: ConnectedAgent; request: PrinterTestRequest }) => void)[] = [];

  /** Every connected agent (the agent leases' view of this process). */
  all(): ConnectedAgent[] {
    return this.agents;
  }

  connect(
    agent: Pick<ConnectedAgent, 'deviceId' | 'companyId' | 'branchId'> & Partial<ConnectedAgent>,
  ): ConnectedAgent {
    const full: ConnectedAgent = {
      licenseId: 'licence',
      address: '127.0.0.1',
      protocol: 'v2',
      capabilities: [],
      connectedAt: 0,
      ...agent,
    };
    this.agents.push(full);
    return full;
  }

  /** Takes every agent of the branch away. */
  disconnect(branchId: string): void {
    for (let i = this.agents.length - 1; i >= 0; i--)
      if (this.agents[i]?.branchId === branchId) this.agents.splice(i, 1);
  }

  agentsInBranch(branchId: string): ConnectedAgent[] {
    return this.agents.filter((a) => a.branchId === branchId);
  }

  findAgent(branchId: string, deviceId: string): ConnectedAgent | undefined {
    return this.agents.find((a) => a.branchId === branchId && a.deviceId === deviceId);
  }

  branchesWithAgents(): string[] {
    return [...new Set(this.agents.map((a) => a.branchId))];
  }

  sendPrinterTest(agent: ConnectedAgent, request: PrinterTestRequest): void {
    const sent = { agent, request };
    this.tests.push(sent);
    for (const w of this.testWaiters.splice(0)) w(sent);
  }

  deliverJob(
    agent: ConnectedAgent,
    delivery: PrintJobDelivery,
    _timeoutMs: number,
    onAck?: (ack: PrintJobDeliveryAck) => void,
  ): Promise<PrintJobDeliveryAck | undefined> {
    return new Promise((resolve) => {
      let answered = false;
      const recorded: RecordedDelivery = {
        agent,
        delivery,
        answer: (ack) => {
          if (answered) return;
          answered = true;
          if (ack) onAck?.(ack);
          resolve(ack);
        },
      };
      this.deliveries.push(recorded);
      for (const w of this.deliveryWaiters.splice(0)) w(recorded);
    });
  }

  /** Answers every delivery still waiting as an agent that went away would: no acknowledgement. */
  abandonDeliveries(): void {
    for (const d of this.deliveries) d.answer(undefined);
  }

  /** The next delivery (or one already made and not yet taken by an earlier call). */
  nextDelivery(): Promise<RecordedDelivery> {
    return new Promise((resolve) => this.deliveryWaiters.push(resolve));
  }

  /** The next printer test sent to an agent. */
  nextTest(): Promise<{ agent: ConnectedAgent; request: PrinterTestRequest }> {
    return new Promise((resolve) => this.testWaiters.push(resolve));
  }
}
