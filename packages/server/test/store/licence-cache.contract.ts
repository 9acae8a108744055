import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayError } from '../../src/core/gateway-error.js';
import { LicenseService } from '../../src/core/license-service.js';
import type { LicenseStore } from '../../src/core/ports/license-store.js';
import type { Database } from '../../src/store/database.js';
import { DbLicenseChangeFeed } from '../../src/store/db-license-change-feed.js';
import { migrate } from '../../src/store/migrator.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { systemClock } from '../../src/system-clock.js';

/** The store's licence port, with a count of the licence rows read by key (what a handshake costs the store). */
function countingReads(store: LicenseStore): LicenseStore & { reads: number } {
  const counted = Object.create(store) as LicenseStore & { reads: number };
  counted.reads = 0;
  counted.findByKeyHash = (keyHash) => {
    counted.reads += 1;
    return store.findByKeyHash(keyHash);
  };
  return counted;
}

export interface LicenceCacheTarget {
  database: Database;
  /** Runs SQL as another writer would: another connection where the database has several. */
  otherWriter: (text: string) => Promise<void>;
  teardown: () => Promise<void>;
}

/**
 * The gateway's licences in memory, run against every database: validations read no rows,
 * and a change made by anyone is seen at the next validation (migration 004's notices).
 */
export function describeLicenceCache(label: string, open: () => Promise<LicenceCacheTarget>) {
  describe(`licences in memory (${label})`, () => {
    let target: LicenceCacheTarget;
    let stores: Stores;
    let reads: LicenseStore & { reads: number };
    let service: LicenseService;
    let companyId: string;
    let branchId: string;
    const clock = systemClock;

    beforeAll(async () => {
      target = await open();
      await migrate(target.database);
      stores = createStores(target.database, (err) => {
        throw err;
      });
      companyId = randomUUID();
      branchId = randomUUID();
      await stores.tenants.createCompany({ id: companyId, name: 'Acme' });
      await stores.tenants.createBranch({ id: branchId, companyId, name: 'Downtown' });
      reads = countingReads(stores.licenses);
      service = new LicenseService(
        reads,
        stores.tenants,
        stores.audit,
        clock,
        new DbLicenseChangeFeed(target.database),
      );
    });
    afterAll(async () => {
      await service.stopCache();
      await target.database.close();
      await target.teardown();
    });

    const issue = () => service.issue({ companyId, branchId, actor: 'test' });
    const refused = async (key: string): Promise<string | undefined> => {
      try {
        await service.validate(key);
        return undefined;
      } catch (err) {
        return (err as GatewayError).code;
      }
    };
    /** Validates until the licence is refused; the time that took, ms (the notice's delay), or undefined. */
    const refusedWithin = async (key: string, ms: number): Promise<number | undefined> => {
      const start = Date.now();
      while (Date.now() - start < ms) {
        if ((await refused(key)) === 'LICENSE_INVALID') return Date.now() - start;
        await new Promise((r) => setTimeout(r, 10));
      }
      return undefined;
    };

    it('validates licences loaded at start-up without reading a licence row', async () => {
      const { key } = await issue();
      await service.startCache();
      const before = reads.reads;
      for (let i = 0; i < 5; i++) await service.validate(key);
      expect(reads.reads - before).toBe(0);
    });

    it('reads a licence issued after start-up once, then validates it from memory', async () => {
      const { key } = await issue();
      const before = reads.reads;
      for (let i = 0; i < 5; i++) await service.validate(key);
      expect(reads.reads - before).toBe(1);
    });

    it('refuses a licence at its next validation once another writer revokes it', async () => {
      const { key, license } = await issue();
      await service.validate(key);
      await target.otherWriter(`UPDATE licenses SET status = 'revoked' WHERE id = '${license.id}'`);
      // The change is announced when it commits; the next validation after the notice refuses.
      expect(await refusedWithin(key, 2_000)).toBeDefined();
    });

    it('refuses a licence revoked through the service at once, without waiting for the notice', async () => {
      const { key, license } = await issue();
      await service.validate(key);
      await service.setStatus(license.id, 'suspended', 'test');
      expect(await refused(key)).toBe('LICENSE_INVALID');
    });

    it('sees a licence bound to another device by another writer', async () => {
      const { key, license } = await issue();
      await service.validate(key, 'till-1');
      await target.otherWriter(`UPDATE licenses SET bound_device_id = 'till-2' WHERE id = '${license.id}'`);
      const start = Date.now();
      let code: string | undefined;
      while (Date.now() - start < 2_000) {
        code = await service.validate(key, 'till-1').then(
          () => undefined,
          (err: GatewayError) => err.code,
        );
        if (code) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(code).toBe('LICENSE_INVALID');
      // Touching last_validated_at (every handshake, at most once a minute) announces nothing.
      const notices = await countNotices(target.database, () =>
        sql`UPDATE licenses SET last_validated_at = now() WHERE id = ${license.id}`.execute(target.database.db),
      );
      expect(notices).toBe(0);
    });

    it('forgets every licence when another writer empties the table', async () => {
      const { key } = await issue();
      await service.validate(key);
      await target.otherWriter('TRUNCATE licenses CASCADE');
      const start = Date.now();
      let code: string | undefined;
      while (Date.now() - start < 2_000) {
        code = await refused(key);
        if (code) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(code).toBe('AUTH_FAILED');
    });
  });
}

/** How many licence notices `change` causes (heard by a feed of its own). */
async function countNotices(database: Database, change: () => Promise<unknown>): Promise<number> {
  const feed = new DbLicenseChangeFeed(database);
  const marker = randomUUID();
  let n = 0;
  await feed.start((hash) => {
    if (hash !== undefined && hash !== marker) n += 1;
  });
  await change();
  // A marker notice after it: once the marker is in, any notice of `change` is too (notices keep their order).
  let markerSeen = false;
  const markerFeed = new DbLicenseChangeFeed(database);
  await markerFeed.start((hash) => {
    if (hash === marker) markerSeen = true;
  });
  await sql`SELECT pg_notify('printermaster_licences', (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'licenses'::regclass) || ':' || ${marker}::text)`.execute(
    database.db,
  );
  const start = Date.now();
  while (!markerSeen && Date.now() - start < 2_000) await new Promise((r) => setTimeout(r, 10));
  await feed.stop();
  await markerFeed.stop();
  expect(markerSeen).toBe(true);
  return n;
}
