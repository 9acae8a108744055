import {
  checkPayload,
  isoTime,
  type PrinterTestRequest,
  type PrintJobDelivery,
  type PrintJobDeliveryAck,
  PrintJobDeliveryAckSchema,
} from '@printermaster/protocol';
import type { AgentLink, ConnectedAgent } from '../core/ports/agent-link.js';
import type { AgentSocket } from './gateway-sockets.js';

interface Entry {
  agent: ConnectedAgent;
  socket: AgentSocket;
  /** Deliveries waiting for this socket's ack; settled at once when it disconnects. */
  waiting: Set<(ack: PrintJobDeliveryAck | undefined) => void>;
}

/** The agents connected to this process, by branch, and how to reach them. */
export class SocketAgentLink implements AgentLink {
  private readonly branches = new Map<string, Map<string, Entry>>();

  /** Registers an agent's socket; returns the socket it replaces (an older connection of the same device). */
  add(agent: ConnectedAgent, socket: AgentSocket): AgentSocket | undefined {
    let devices = this.branches.get(agent.branchId);
    if (!devices) {
      devices = new Map();
      this.branches.set(agent.branchId, devices);
    }
    const previous = devices.get(agent.deviceId);
    devices.set(agent.deviceId, { agent, socket, waiting: new Set() });
    if (previous) this.settle(previous);
    return previous?.socket;
  }

  /** Removes the agent only if `socket` is still its current one (a late disconnect of an old socket is ignored). */
  remove(agent: ConnectedAgent, socket: AgentSocket): boolean {
    const devices = this.branches.get(agent.branchId);
    const entry = devices?.get(agent.deviceId);
    if (!devices || !entry || entry.socket !== socket) return false;
    devices.delete(agent.deviceId);
    if (devices.size === 0) this.branches.delete(agent.branchId);
    this.settle(entry);
    return true;
  }

  agentsInBranch(branchId: string): ConnectedAgent[] {
    return [...(this.branches.get(branchId)?.values() ?? [])].map((e) => e.agent);
  }

  findAgent(branchId: string, deviceId: string): ConnectedAgent | undefined {
    return this.branches.get(branchId)?.get(deviceId)?.agent;
  }

  branchesWithAgents(): string[] {
    return [...this.branches.keys()];
  }

  all(): ConnectedAgent[] {
    return [...this.branches.values()].flatMap((d) => [...d.values()].map((e) => e.agent));
  }

  get size(): number {
    let n = 0;
    for (const d of this.branches.values()) n += d.size;
    return n;
  }

  requestStatuses(agent: ConnectedAgent, printerIds: string[]): void {
    this.entry(agent)?.socket.emit('printer:status:request', {
      action: 'status_update',
      printerIds,
      timestamp: isoTime(Date.now()),
      branchId: agent.branchId,
    });
  }

  sendPrinterTest(agent: ConnectedAgent, request: PrinterTestRequest): void {
    this.entry(agent)?.socket.emit('printer:test', request);
  }

  deliverJob(
    agent: ConnectedAgent,
    delivery: PrintJobDelivery,
    timeoutMs: number,
    onAck?: (ack: PrintJobDeliveryAck) => void,
  ): Promise<PrintJobDeliveryAck | undefined> {
    const entry = this.entry(agent);
    if (!entry) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (ack: PrintJobDeliveryAck | undefined) => {
        if (!entry.waiting.delete(done)) return;
        if (ack) onAck?.(ack);
        resolve(ack);
      };
      entry.waiting.add(done);
      // The agent's answer is untrusted input, whatever the event map says it is.
      entry.socket.timeout(timeoutMs).emit('print:job', delivery, (err: Error | null, ack: unknown) => {
        done(err ? undefined : parseAck(ack, delivery.id));
      });
    });
  }

  private entry(agent: ConnectedAgent): Entry | undefined {
    const e = this.branches.get(agent.branchId)?.get(agent.deviceId);
    return e && e.agent === agent ? e : undefined;
  }

  private settle(entry: Entry): void {
    for (const done of [...entry.waiting]) done(undefined);
  }
}

/**
 * The agent's ack, checked against the protocol's schema (`PrintJobDeliveryAckSchema`):
 * anything out of shape, or about another job, counts as no ack (the job stays sent and is
 * re-sent to the same agent).
 */
function parseAck(value: unknown, jobId: string): PrintJobDeliveryAck | undefined {
  const checked = checkPayload(PrintJobDeliveryAckSchema, value);
  if (!checked.ok) return undefined;
  const ack = checked.value;
  if (ack.ok) return ack.data.jobId === jobId ? ack : undefined;
  // The message becomes the job's failure reason: bounded like every reason an agent gives.
  return { ok: false, error: { code: ack.error.code, message: ack.error.message.slice(0, 2048) } };
}
