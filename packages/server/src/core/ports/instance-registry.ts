/** A gateway process, as the service registry lists it. */
export interface GatewayInstance {
  id: string;
  host: string;
  port: number;
  version: string;
  /** Unix ms. */
  startedAt: number;
  /** Unix ms of the last heartbeat. */
  lastSeen: number;
  connectionCount: number;
  requestCount: number;
  ready: boolean;
}

/** Gateway processes that announce themselves; entries expire without a heartbeat. */
export interface InstanceRegistry {
  heartbeat(instance: GatewayInstance, ttlMs: number): Promise<void>;
  remove(id: string): Promise<void>;
  list(): Promise<GatewayInstance[]>;
}
