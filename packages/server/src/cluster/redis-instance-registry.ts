import type { Redis } from 'ioredis';
import type { GatewayInstance, InstanceRegistry } from '../core/ports/instance-registry.js';

export class RedisInstanceRegistry implements InstanceRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  private get key(): string {
    return `${this.keyPrefix}instances`;
  }

  async heartbeat(instance: GatewayInstance, ttlMs: number): Promise<void> {
    await this.redis.hset(this.key, instance.id, JSON.stringify({ instance, expiresAt: this.now() + ttlMs }));
  }

  async remove(id: string): Promise<void> {
    await this.redis.hdel(this.key, id);
  }

  async list(): Promise<GatewayInstance[]> {
    const all = await this.redis.hgetall(this.key);
    const now = this.now();
    const out: GatewayInstance[] = [];
    const stale: string[] = [];
    for (const [id, raw] of Object.entries(all)) {
      const e = JSON.parse(raw) as { instance: GatewayInstance; expiresAt: number };
      if (e.expiresAt > now) out.push(e.instance);
      else stale.push(id);
    }
    if (stale.length > 0) await this.redis.hdel(this.key, ...stale);
    return out;
  }
}
