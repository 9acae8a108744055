import type pino from 'pino';
import type { JwtService } from './auth/jwt-service.js';
import type { BootstrapResult } from './bootstrap.js';
import type { Cluster } from './cluster/cluster.js';
import type { JobDispatcher } from './core/job-dispatcher.js';
import type { LicenseService } from './core/license-service.js';
import type { TenantService } from './core/tenant-service.js';
import type { Database } from './store/database.js';
import type { Stores } from './store/stores.js';

/** A started gateway, as its starter (the CLI, a test) holds it. */
export interface RunningGateway {
  /** The port it listens on (useful with PORT=0). */
  port: number;
  url: string;
  instanceId: string;
  logger: pino.Logger;
  database: Database;
  stores: Stores;
  cluster: Cluster;
  jwt: JwtService;
  licenses: LicenseService;
  tenants: TenantService;
  /** The job dispatcher's idle signal: a test waits on it before asserting that nothing was sent. */
  dispatcher: Pick<JobDispatcher, 'whenIdle'>;
  /** Set when this start created the default tenant. */
  bootstrap: BootstrapResult | undefined;
  /** Graceful stop (drain), bounded by PRINTERMASTER_SHUTDOWN_TIMEOUT_MS. Idempotent. */
  stop(reason?: string): Promise<void>;
}

export interface StartOptions {
  /** Log destination (tests capture logs); default stdout. */
  logDestination?: pino.DestinationStream;
  /** Where the one-time bootstrap message goes; default stdout. */
  announce?: (text: string) => void;
  /**
   * Called once the gateway has stopped because a successor asked for the embedded store
   * (decision 0010). The process should then stay until its process manager stops it: pm2
   * counts a worker that exits by itself as crashed and starts another.
   */
  onHandedOver?: () => void;
}
