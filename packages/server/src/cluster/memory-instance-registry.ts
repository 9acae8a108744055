import type { GatewayInstance, InstanceRegistry } from '../core/ports/instance-registry.js';

export class MemoryInstanceRegistry implements InstanceRegistry {
  private readonly entries = new Map<string, { instance: GatewayInstance; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async heartbeat(instance: GatewayInstance, ttlMs: number): Promise<void> {
    this.entries.set(instance.id, { instance, expiresAt: this.now() + ttlMs });
  }

  async remove(id: string): Promise<void> {
    this.entries.delete(id);
  }

  async list(): Promise<GatewayInstance[]> {
    const now = this.now();
    return [...this.entries.values()].filter((e) => e.expiresAt > now).map((e) => e.instance);
  }
}
