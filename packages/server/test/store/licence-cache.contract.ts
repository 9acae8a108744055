import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayError } from '../../src/core/gateway-error.js';
import { hashLicenseKey, LicenseService } from '../../src/core/license-service.js';
import type { LicenseChangeFeed } from '../../src/core/ports/license-change-feed.js';
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

/** Longest wait for a change notice, ms: a notice comes at commit, but a loaded machine is slow. */
const NOTICE_WAIT_MS = 15_000;

/**
 * The feed the service listens to, passed through: `told(match)` resolves once the service has
 * been told of a change matching `match` (its handler has run), the moment from which its next
 * validation must see the change. `told(match, since)` also counts notices since `heard.length`
 * was `since`.
 */
function observedFeed(inner: LicenseChangeFeed): LicenseChangeFeed & {
  readonly heard: (string | undefined)[];
  told(match: (keyHash: string | undefined) => boolean, since?: number): Promise<void>;
} {
  const waiters = new Set<{ match: (keyHash: string | undefined) => boolean; resolve: () => void }>();
  const heard: (string | undefined)[] = [];
  return {
    heard,
    get live() {
      return inner.live;
    },
    start: (onChange) =>
      inner.start((keyHash) => {
        onChange(keyHash);
        heard.push(keyHash);
        for (const w of [...waiters]) {
          if (!w.match(keyHash)) continue;
          waiters.delete(w);
          w.resolve();
        }
      }),
    stop: () => inner.stop(),
    told: (match, since = heard.length) =>
      new Promise((resolve, reject) => {
        if (heard.slice(since).some(match)) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no licence change notice within ${NOTICE_WAIT_MS} ms`));
        }, NOTICE_WAIT_MS);
        const waiter = {
          match,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.add(waiter);
      }),
  };
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
    let feed: ReturnType<typeof observedFeed>;
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
      feed = observedFeed(new DbLicenseChangeFeed(target.database));
      service = new LicenseService({ ...stores, licenses: reads, clock, changes: feed });
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
    /** Resolves once the service has been told that this key's licence changed. */
    const toldOf = (key: string) => feed.told((keyHash) => keyHash === hashLicenseKey(key));

    it('validates licences loaded at start-up without reading a licence row', async () => {
      const { key } = await issue();
      await service.startCache();
      const before = reads.reads;
      for (let i = 0; i < 5; i++) await service.validate(key);
      expect(reads.reads - before).toBe(0);
    });

    it('reads a licence issued after start-up once, then validates it from memory', async () => {
      const since = feed.heard.length;
      const { key } = await issue();
      // The new row is announced too: heard first, its notice cannot make the service forget the
      // licence it keeps meanwhile.
      await feed.told((keyHash) => keyHash === hashLicenseKey(key), since);
      const before = reads.reads;
      for (let i = 0; i < 5; i++) await service.validate(key);
      expect(reads.reads - before).toBe(1);
    });

    it('refuses a licence at its next validation once another writer revokes it', async () => {
      const { key, license } = await issue();
      await service.validate(key);
      const told = toldOf(key);
      await target.otherWriter(`UPDATE licenses SET status = 'revoked' WHERE id = '${license.id}'`);
      // The change is announced when it commits; the next validation after the notice refuses.
      await told;
      expect(await refused(key)).toBe('LICENSE_INVALID');
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
      const told = toldOf(key);
      await target.otherWriter(`UPDATE licenses SET bound_device_id = 'till-2' WHERE id = '${license.id}'`);
      await told;
      const code = await service.validate(key, 'till-1').then(
        () => undefined,
        (err: GatewayError) => err.code,
      );
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
      // A truncation is told as "any licence may have changed".
      const told = feed.told((keyHash) => keyHash === undefined);
      await target.otherWriter('TRUNCATE licenses CASCADE');
      await told;
      expect(await refused(key)).toBe('AUTH_FAILED');
    });
  });
}

/** How many licence notices `change` causes (heard by a feed of its own). */
async function countNotices(database: Database, change: () => Promise<unknown>): Promise<number> {
  const feed = observedFeed(new DbLicenseChangeFeed(database));
  const marker = randomUUID();
  let n = 0;
  await feed.start((hash) => {
    if (hash !== undefined && hash !== marker) n += 1;
  });
  await change();
  // A marker notice after it, on the same listening connection: once the marker is in, any
  // notice of `change` is too (notices keep their commit order).
  const markerSeen = feed.told((hash) => hash === marker);
  await sql`SELECT pg_notify('printermaster_licences', (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'licenses'::regclass) || ':' || ${marker}::text)`.execute(
    database.db,
  );
  try {
    await markerSeen;
  } finally {
    await feed.stop();
  }
  return n;
}
