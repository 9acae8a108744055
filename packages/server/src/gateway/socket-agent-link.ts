import type { PrinterTestRequest, PrintJobDelivery, PrintJobDeliveryAck } from '@printermaster/protocol';
import type { AgentLink, ConnectedAgent } from '../core/ports/agent-link.js';
import type { AgentSocket } from './gateway-sockets.js';

const ACK_STATES = new Set(['accepted', 'printing', 'completed', 'failed', 'unconfirmed']);

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

/** The agent's ack is untrusted input: anything out of shape counts as no ack. */
function parseAck(value: unknown, jobId: string): PrintJobDeliveryAck | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.ok === true) {
    const data = v.data as Record<string, unknown> | undefined;
    if (!data || (data.jobId !== undefined && data.jobId !== jobId) || !ACK_STATES.has(String(data.state)))
      return undefined;
    return {
      ok: true,
      data: {
        jobId,
        state: data.state as 'accepted',
        ...(typeof data.reason === 'string' ? { reason: data.reason.slice(0, 2048) } : {}),
      },
    };
  }
  if (v.ok === false) {
    const error = v.error as Record<string, unknown> | undefined;
    return {
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: typeof error?.message === 'string' ? error.message.slice(0, 2048) : 'refused',
      },
    };
  }
  return undefined;
}
