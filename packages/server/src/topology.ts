import type { createAdapter } from '@socket.io/redis-adapter';
import { adminSocketPath } from './admin/admin-socket.js';
import type { Cluster } from './cluster/cluster.js';
import type { GatewayConfig } from './config.js';
import type { Database } from './store/database.js';

export type SocketAdapterFactory = ReturnType<typeof createAdapter>;

/**
 * What the chosen store and cluster mean for this process: every decision that depends on
 * "embedded or PostgreSQL" and "one process or several" is taken here, once.
 */
export interface Topology {
  /** Other gateway processes may exist and share state through Redis. */
  manyProcesses: boolean;
  /** Socket.IO room broadcasts across processes (Redis), or undefined for one process. */
  socketAdapter: SocketAdapterFactory | undefined;
  /** The Redis ping for the health checks, when there is Redis. */
  pingRedis: (() => Promise<number>) | undefined;
  /**
   * Whose device sessions left open by a previous run are closed at start: every session on
   * the embedded store (one process holds it), only this process's own on PostgreSQL.
   */
  orphanSessionsOf: string | undefined;
  /**
   * Sessions of a process that crashed are closed once it is missing from the instance
   * registry: only on PostgreSQL with Redis. Without Redis this process sees no other and could
   * not tell a crashed process from one in the middle of a rolling reload.
   */
  sweepGoneSessions: boolean;
  /**
   * The embedded store is locked by this process; `printermaster admin` reaches it through
   * this socket. Undefined on PostgreSQL and for an in-memory store.
   */
  adminSocketPath: string | undefined;
}

export function topologyOf(config: GatewayConfig, database: Database, cluster: Cluster): Topology {
  const embedded = database.kind === 'pglite';
  const redis = cluster.kind === 'redis';
  return {
    manyProcesses: redis,
    socketAdapter: cluster.socketAdapter(),
    pingRedis: redis ? () => cluster.ping() : undefined,
    orphanSessionsOf: embedded ? undefined : config.instanceId,
    sweepGoneSessions: !embedded && redis,
    adminSocketPath:
      embedded && config.database.dataDir !== 'memory' ? adminSocketPath(config.database.dataDir) : undefined,
  };
}
