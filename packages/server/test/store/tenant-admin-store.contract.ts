import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { License } from '../../src/core/ports/license-store.js';
import type { Database } from '../../src/store/database.js';
import { DbLicenseChangeFeed } from '../../src/store/db-license-change-feed.js';
import { migrate } from '../../src/store/migrator.js';
import { createStores, type Stores } from '../../src/store/stores.js';

/** Longest wait for a change notice, ms: a notice comes at commit, but a loaded machine is slow. */
const NOTICE_WAIT_MS = 15_000;

/**
 * The tenant and licence store changes of the admin API (issue 16), run against every database:
 * status changes, renames, key rotation with a previous key, binding, and the outbox event each
 * licence change writes in its own transaction.
 */
export function describeTenantAdminStore(
  label: string,
  open: () => Promise<{ database: Database; teardown: () => Promise<void> }>,
) {
  describe(`tenant and licence admin store (${label})`, () => {
    let database: Database;
    let teardown: () => Promise<void>;
    let stores: Stores;
    let companyId: string;
    let branchId: string;

    beforeAll(async () => {
      ({ database, teardown } = await open());
      await migrate(database);
      stores = createStores(database, (err) => {
        throw err;
      });
      companyId = randomUUID();
      branchId = randomUUID();
      await stores.tenants.createCompany({ id: companyId, name: 'Acme' });
      await stores.tenants.createBranch({ id: branchId, companyId, name: 'Downtown' });
    });
    afterAll(async () => {
      await database.close();
      await teardown();
    });

    const issue = (overrides: Partial<Parameters<Stores['licenses']['insert']>[0]> = {}) => {
      const id = randomUUID();
      return stores.licenses.insert({
        id,
        companyId,
        branchId,
        keyHash: `hash-${id}`,
        keyHint: id.slice(-4),
        status: 'active',
        expiresAt: null,
        boundDeviceId: null,
        maxPrinters: 3,
        features: ['printing'],
        ...overrides,
      });
    };

    const eventsOf = async (subjectId: string) =>
      database.db
        .selectFrom('events')
        .select(['type', 'companyId', 'branchId', 'data'])
        .where('subjectId', '=', subjectId)
        .orderBy('id')
        .execute();

    it('refuses a company or branch id that exists, and a branch renamed to a name taken', async () => {
      await expect(stores.tenants.createCompany({ id: companyId, name: 'Again' })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await expect(stores.tenants.createBranch({ id: branchId, companyId, name: 'Other' })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('id'),
      });
      const second = await stores.tenants.createBranch({ id: randomUUID(), companyId, name: 'Uptown' });
      await expect(stores.tenants.updateBranch(second.id, { name: 'Downtown' })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('Downtown'),
      });
      expect((await stores.tenants.updateBranch(second.id, { name: 'Midtown' }))?.name).toBe('Midtown');
      expect((await stores.tenants.updateCompany(companyId, { name: 'Acme Foods' }))?.name).toBe('Acme Foods');
      expect(await stores.tenants.updateBranch('no-such-branch', { name: 'X' })).toBeUndefined();
    });

    it('deactivates and activates branches and companies', async () => {
      const branch = await stores.tenants.createBranch({ id: randomUUID(), companyId, name: `S-${randomUUID()}` });
      expect(branch.status).toBe('active');
      expect((await stores.tenants.setBranchStatus(branch.id, 'suspended'))?.status).toBe('suspended');
      expect((await stores.tenants.findBranch(branch.id))?.status).toBe('suspended');
      expect((await stores.tenants.setBranchStatus(branch.id, 'active'))?.status).toBe('active');
      const company = await stores.tenants.createCompany({ id: randomUUID(), name: 'Paused' });
      expect((await stores.tenants.setCompanyStatus(company.id, 'suspended'))?.status).toBe('suspended');
      expect((await stores.tenants.findCompany(company.id))?.status).toBe('suspended');
      expect(await stores.tenants.setBranchStatus('no-such-branch', 'active')).toBeUndefined();
      expect(await stores.tenants.setCompanyStatus('no-such-company', 'active')).toBeUndefined();
    });

    it('writes licence.issued with the licence and never its key hash', async () => {
      const license = await issue();
      const events = await eventsOf(license.id);
      expect(events).toEqual([
        {
          type: 'licence.issued',
          companyId,
          branchId,
          data: expect.objectContaining({ licenceId: license.id, status: 'active', keyHint: license.keyHint }),
        },
      ]);
      expect(JSON.stringify(events)).not.toContain('hash-');
    });

    it('finds a rotated licence by its new key and by the key it replaced, until the next rotation', async () => {
      const license = await issue();
      const until = new Date(Date.now() + 3_600_000);
      const rotated = await stores.licenses.rotateKey(license.id, {
        keyHash: `new-${license.id}`,
        keyHint: 'abcd',
        previousKeyValidUntil: until,
      });
      expect(rotated).toMatchObject({ keyHint: 'abcd', previousKeyHash: `hash-${license.id}` });
      expect(rotated?.previousKeyValidUntil?.getTime()).toBe(until.getTime());
      const [byNew, byOld] = await Promise.all([
        stores.licenses.findByKeyHash(`new-${license.id}`),
        stores.licenses.findByKeyHash(`hash-${license.id}`),
      ]);
      expect(byNew?.id).toBe(license.id);
      expect(byOld?.id).toBe(license.id);
      expect(await stores.licenses.keyHashesOf({ branchId })).toEqual(
        expect.arrayContaining([`new-${license.id}`, `hash-${license.id}`]),
      );
      const loaded = await stores.licenses.listWithKeyHashes(100_000);
      expect(loaded.filter((l) => l.license.id === license.id).map((l) => l.keyHash)).toEqual(
        expect.arrayContaining([`new-${license.id}`, `hash-${license.id}`]),
      );

      // A second rotation without grace: only the newest key is known.
      await stores.licenses.rotateKey(license.id, {
        keyHash: `third-${license.id}`,
        keyHint: 'efgh',
        previousKeyValidUntil: null,
      });
      expect(await stores.licenses.findByKeyHash(`hash-${license.id}`)).toBeUndefined();
      expect(await stores.licenses.findByKeyHash(`new-${license.id}`)).toBeUndefined();
      expect((await stores.licenses.findByKeyHash(`third-${license.id}`))?.previousKeyHash).toBeNull();
      expect((await eventsOf(license.id)).map((e) => e.type)).toEqual([
        'licence.issued',
        'licence.rotated',
        'licence.rotated',
      ]);
      expect(
        await stores.licenses.rotateKey('no-such-licence', { keyHash: 'x', keyHint: 'x', previousKeyValidUntil: null }),
      ).toBeUndefined();
    });

    it('binds and unbinds a device, writing an event only for a change', async () => {
      const license = await issue();
      expect((await stores.licenses.bindDevice(license.id, 'till-1', 'bound'))?.boundDeviceId).toBe('till-1');
      expect((await stores.licenses.bindDevice(license.id, 'till-2', 'bound'))?.boundDeviceId).toBe('till-1');
      expect((await stores.licenses.unbindDevice(license.id))?.boundDeviceId).toBeNull();
      expect((await stores.licenses.unbindDevice(license.id))?.boundDeviceId).toBeNull();
      const events = await eventsOf(license.id);
      expect(events.map((e) => [e.type, (e.data as { boundDeviceId: string | null }).boundDeviceId])).toEqual([
        ['licence.issued', null],
        ['licence.bound', 'till-1'],
        ['licence.unbound', null],
      ]);
      expect(await stores.licenses.unbindDevice('no-such-licence')).toBeUndefined();
    });

    it('writes a status change and its event together, or neither', async () => {
      const license: License = await issue();
      expect((await stores.licenses.setStatus(license.id, 'suspended', 'suspended'))?.status).toBe('suspended');
      // Without a change named (the store's own bookkeeping), no event.
      await stores.licenses.setStatus(license.id, 'suspended');
      expect((await eventsOf(license.id)).map((e) => [e.type, (e.data as { status: string }).status])).toEqual([
        ['licence.issued', 'active'],
        ['licence.suspended', 'suspended'],
      ]);
      // A status the table refuses fails the change, and no event is left behind.
      await expect(stores.licenses.setStatus(license.id, 'bogus' as never, 'revoked')).rejects.toThrow();
      expect((await stores.licenses.findById(license.id))?.status).toBe('suspended');
      expect((await eventsOf(license.id)).length).toBe(2);
    });

    it('announces a branch status change, then the key hashes of its licences, on the licence channel', async () => {
      const branch = await stores.tenants.createBranch({ id: randomUUID(), companyId, name: `N-${randomUUID()}` });
      const license = await issue({ branchId: branch.id });
      await stores.licenses.rotateKey(license.id, {
        keyHash: `rotated-${license.id}`,
        keyHint: 'zzzz',
        previousKeyValidUntil: new Date(Date.now() + 60_000),
      });
      const heard: (string | undefined)[] = [];
      const feed = new DbLicenseChangeFeed(database);
      let resolveDone: () => void = () => {};
      const done = new Promise<void>((resolve) => {
        resolveDone = resolve;
      });
      await feed.start((notice) => {
        heard.push(notice);
        if (notice === `company:${companyId}`) resolveDone();
      });
      try {
        await stores.tenants.setBranchStatus(branch.id, 'suspended');
        // Unchanged: nothing announced.
        await stores.tenants.setBranchStatus(branch.id, 'suspended');
        await stores.tenants.setCompanyStatus(companyId, 'suspended');
        await stores.tenants.setCompanyStatus(companyId, 'active');
        const timeout = new Promise((_, reject) =>
          setTimeout(() => reject(new Error('no notice in time')), NOTICE_WAIT_MS).unref(),
        );
        await Promise.race([done, timeout]);
        const branchNotices = heard.slice(0, heard.indexOf(`company:${companyId}`));
        expect(branchNotices[0]).toBe(`branch:${branch.id}`);
        expect(branchNotices.slice(1)).toEqual(expect.arrayContaining([`rotated-${license.id}`, `hash-${license.id}`]));
        expect(branchNotices.filter((n) => n === `branch:${branch.id}`)).toHaveLength(1);
      } finally {
        await feed.stop();
      }
    });
  });
}
