import { EventEmitter } from 'node:events';
import type { ClusterTransport } from '../core/ports/cluster-bus.js';

/** The bus of a single process: delivers to this process's own subscribers, asynchronously like Redis would. */
export class MemoryClusterBus implements ClusterTransport {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: unknown): Promise<void> {
    // Structured clone: a subscriber must not share objects with the publisher, as over the network.
    const copy = structuredClone(message);
    setImmediate(() => this.emitter.emit(channel, copy));
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<void> {
    this.emitter.on(channel, handler);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
