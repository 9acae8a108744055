import type { AuditLog } from '../core/ports/audit-log.js';
import type { DeviceStore } from '../core/ports/device-store.js';
import type { HealthStore } from '../core/ports/health-store.js';
import type { LicenseStore } from '../core/ports/license-store.js';
import type { MetaStore } from '../core/ports/meta-store.js';
import type { PrintJobStore } from '../core/ports/print-job-store.js';
import type { PrinterStore } from '../core/ports/printer-store.js';
import type { TenantStore } from '../core/ports/tenant-store.js';
import type { Database } from './database.js';
import { PgAuditLog } from './pg-audit-log.js';
import { PgDeviceStore } from './pg-device-store.js';
import { PgHealthStore } from './pg-health-store.js';
import { PgLicenseStore } from './pg-license-store.js';
import { PgMetaStore } from './pg-meta-store.js';
import { PgPrintJobStore } from './pg-print-job-store.js';
import { PgPrinterStore } from './pg-printer-store.js';
import { PgTenantStore } from './pg-tenant-store.js';

/** Every store port, implemented on one database (PostgreSQL or PGlite). */
export interface Stores {
  tenants: TenantStore;
  licenses: LicenseStore;
  devices: DeviceStore;
  printers: PrinterStore;
  jobs: PrintJobStore;
  health: HealthStore;
  audit: AuditLog;
  meta: MetaStore;
  /** Sends the statements still gathering for a group commit and waits for them; before the database closes. */
  flush(): Promise<void>;
}

export function createStores(database: Database, onAuditError: (err: unknown) => void): Stores {
  const { db } = database;
  const devices = new PgDeviceStore(db);
  const jobs = new PgPrintJobStore(db);
  return {
    tenants: new PgTenantStore(db),
    licenses: new PgLicenseStore(db),
    devices,
    printers: new PgPrinterStore(db),
    jobs,
    health: new PgHealthStore(db),
    audit: new PgAuditLog(db, onAuditError),
    meta: new PgMetaStore(db),
    flush: async () => {
      await Promise.all([devices.flush(), jobs.flush()]);
    },
  };
}
