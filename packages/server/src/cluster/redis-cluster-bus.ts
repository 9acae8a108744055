import type { Redis } from 'ioredis';
import type { ClusterTransport } from '../core/ports/cluster-bus.js';
import type { Logger } from '../core/ports/logger.js';

/** The cluster bus on Redis pub/sub: one connection publishes, a second (in subscriber mode) listens. */
export class RedisClusterBus implements ClusterTransport {
  private readonly handlers = new Map<string, ((message: unknown) => void)[]>();

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly keyPrefix: string,
    private readonly logger: Logger,
  ) {
    sub.on('message', (channel: string, raw: string) => {
      const list = this.handlers.get(channel);
      if (!list) return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        this.logger.warn({ channel }, 'unreadable cluster message dropped');
        return;
      }
      for (const h of list) h(message);
    });
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.pub.publish(`${this.keyPrefix}${channel}`, JSON.stringify(message));
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<void> {
    const full = `${this.keyPrefix}${channel}`;
    const list = this.handlers.get(full);
    if (list) {
      list.push(handler);
      return;
    }
    this.handlers.set(full, [handler]);
    await this.sub.subscribe(full);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await this.sub.quit().catch(() => {});
  }
}
