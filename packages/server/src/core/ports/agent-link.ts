import type { PrinterTestRequest, PrintJobDelivery, PrintJobDeliveryAck } from '@printermaster/protocol';

/** An agent connected to this gateway process. */
export interface ConnectedAgent {
  deviceId: string;
  companyId: string;
  branchId: string;
  licenseId: string;
  /** The agent's network address as the gateway sees it. */
  address: string;
  /** v2 agents take print jobs; legacy clients never do (docs/protocol.md#legacy-desktop-clients). */
  protocol: 'v2' | 'legacy';
  capabilities: string[];
  /** Unix ms. */
  connectedAt: number;
}

/**
 * The gateway's side of the agent connections, as the core needs it. Only the
 * agents connected to this process are visible.
 */
export interface AgentLink {
  agentsInBranch(branchId: string): ConnectedAgent[];
  findAgent(branchId: string, deviceId: string): ConnectedAgent | undefined;
  sendPrinterTest(agent: ConnectedAgent, request: PrinterTestRequest): void;
  /**
   * Emits `print:job` and waits for the agent's acknowledgement. Resolves with
   * `undefined` when no ack came within `timeoutMs` or the agent disconnected;
   * the job then stays `sent` and is re-sent later.
   */
  deliverJob(
    agent: ConnectedAgent,
    delivery: PrintJobDelivery,
    timeoutMs: number,
    /**
     * Called synchronously when the acknowledgement arrives, before the agent's next
     * message is handled: the ack is recorded in the order the agent sent it, ahead of
     * a `print:job:started` that follows it closely.
     */
    onAck?: (ack: PrintJobDeliveryAck) => void,
  ): Promise<PrintJobDeliveryAck | undefined>;
}
