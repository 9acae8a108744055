import type { PrintJobDelivery } from '@printermaster/protocol';
import type { Socket } from 'socket.io-client';
import { admitted, agentSocket } from '../support/socket-clients.js';

/**
 * A v2 agent's wire behaviour without printing: journals deliveries in memory,
 * acknowledges them (or not), and reports outcomes with acknowledgements.
 * The real agent (packages/agent) is tested end to end separately.
 */
export class WireAgent {
  readonly deliveries: PrintJobDelivery[] = [];
  /** What this agent answers for a job id it already has. */
  readonly journal = new Map<string, string>();
  ackMode: 'ack' | 'silent' = 'ack';

  private constructor(readonly socket: Socket) {
    socket.on('print:job', (job: PrintJobDelivery, ack?: (r: unknown) => void) => {
      this.deliveries.push(job);
      if (this.ackMode === 'silent') return;
      const state = this.journal.get(job.id) ?? 'accepted';
      this.journal.set(job.id, state);
      ack?.({ ok: true, data: { jobId: job.id, state } });
    });
  }

  static async connect(
    url: string,
    id: { licenseKey: string; branchId: string; deviceId: string },
  ): Promise<WireAgent> {
    const agent = new WireAgent(agentSocket(url, id));
    await admitted(agent.socket);
    return agent;
  }

  async report(
    event: 'print:job:started' | 'print:job:completed' | 'print:job:failed' | 'print:job:unconfirmed',
    payload: Record<string, unknown>,
  ) {
    const state = {
      'print:job:started': 'printing',
      'print:job:completed': 'completed',
      'print:job:failed': 'failed',
      'print:job:unconfirmed': 'unconfirmed',
    }[event];
    this.journal.set(String(payload.jobId), state);
    return this.socket.timeout(5_000).emitWithAck(event, { timestamp: new Date().toISOString(), ...payload });
  }

  close(): void {
    this.socket.close();
  }
}
