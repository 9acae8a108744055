import type { Stores } from '../core/ports/stores.js';
import type { Database } from './database.js';
import { PgAgentLeaseStore } from './pg-agent-lease-store.js';
import { PgApiKeyStore } from './pg-api-key-store.js';
import { PgAuditLog } from './pg-audit-log.js';
import { PgDeviceStore } from './pg-device-store.js';
import { PgEventStore } from './pg-event-store.js';
import { PgHealthStore } from './pg-health-store.js';
import { PgLicenseStore } from './pg-license-store.js';
import { PgMetaStore } from './pg-meta-store.js';
import { PgPaperCheckStore } from './pg-paper-check-store.js';
import { PgPrintJobStore } from './pg-print-job-store.js';
import { PgPrinterStore } from './pg-printer-store.js';
import { PgRefreshTokenStore } from './pg-refresh-token-store.js';
import { PgRetentionStore } from './pg-retention-store.js';
import { PgStationStore } from './pg-station-store.js';
import { PgTenantStore } from './pg-tenant-store.js';

export type { Stores } from '../core/ports/stores.js';

export function createStores(database: Database, onAuditError: (err: unknown) => void): Stores {
  const { db } = database;
  const devices = new PgDeviceStore(db);
  const jobs = new PgPrintJobStore(db);
  return {
    tenants: new PgTenantStore(db),
    licenses: new PgLicenseStore(db),
    devices,
    printers: new PgPrinterStore(db),
    stations: new PgStationStore(db),
    paperChecks: new PgPaperCheckStore(db),
    agentLeases: new PgAgentLeaseStore(db),
    jobs,
    health: new PgHealthStore(db),
    audit: new PgAuditLog(db, onAuditError),
    meta: new PgMetaStore(db),
    events: new PgEventStore(db),
    apiKeys: new PgApiKeyStore(db),
    refreshTokens: new PgRefreshTokenStore(db),
    retention: new PgRetentionStore(db),
    flush: async () => {
      await Promise.all([devices.flush(), jobs.flush()]);
    },
  };
}
