import type { AgentLeaseStore } from './agent-lease-store.js';
import type { ApiKeyStore } from './api-key-store.js';
import type { AuditLog } from './audit-log.js';
import type { DeviceStore } from './device-store.js';
import type { EventStore } from './event-store.js';
import type { HealthStore } from './health-store.js';
import type { LicenseStore } from './license-store.js';
import type { MetaStore } from './meta-store.js';
import type { PaperCheckStore } from './paper-check-store.js';
import type { PrintJobStore } from './print-job-store.js';
import type { PrinterStore } from './printer-store.js';
import type { RefreshTokenStore } from './refresh-token-store.js';
import type { RetentionStore } from './retention-store.js';
import type { StationStore } from './station-store.js';
import type { TenantStore } from './tenant-store.js';

/** Every store port, implemented on one database (PostgreSQL or PGlite). */
export interface Stores {
  tenants: TenantStore;
  licenses: LicenseStore;
  devices: DeviceStore;
  printers: PrinterStore;
  /** Stations with their ordered printers (issue 19). */
  stations: StationStore;
  /** Opening-shift paper checks (issue 19). */
  paperChecks: PaperCheckStore;
  /** The lease that makes one agent of a branch the active one (issue 19). */
  agentLeases: AgentLeaseStore;
  jobs: PrintJobStore;
  health: HealthStore;
  audit: AuditLog;
  meta: MetaStore;
  /** API keys of POS servers and integrations (issue 16). */
  apiKeys: ApiKeyStore;
  /** Web users' refresh tokens (issue 16). */
  refreshTokens: RefreshTokenStore;
  /** The event outbox: its sequencer and the feed (issue 16). */
  events: EventStore;
  /** Deletes rows past their retention, for the purge (core/retention-purge.ts). */
  retention: RetentionStore;
  /** Sends the statements still gathering for a group commit and waits for them; before the database closes. */
  flush(): Promise<void>;
}
