import { hostname } from 'node:os';
import type { Clock } from './core/clock.js';
import type { InstanceRegistry } from './core/ports/instance-registry.js';
import { VERSION } from './version.js';

export interface InstanceHeartbeatDeps {
  instances: InstanceRegistry;
  instanceId: string;
  /** Unix ms. */
  startedAt: number;
  /** How long the entry lives without a refresh, ms. */
  ttlMs: number;
  clock: Clock;
  port(): number;
  connections(): number;
  requests(): number;
  ready(): boolean;
}

/** This process's entry in the instance registry (the service registry's view), refreshed on each call. */
export function instanceHeartbeat(deps: InstanceHeartbeatDeps): () => Promise<void> {
  return () =>
    deps.instances.heartbeat(
      {
        id: deps.instanceId,
        host: hostname(),
        port: deps.port(),
        version: VERSION,
        startedAt: deps.startedAt,
        lastSeen: deps.clock.now(),
        connectionCount: deps.connections(),
        requestCount: deps.requests(),
        ready: deps.ready(),
      },
      deps.ttlMs,
    );
}
