import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER_FILE, StoreOwnership } from '../../src/store/store-ownership.js';

describe('StoreOwnership', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pm-owner-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('rewrites its file at each check, and finds the store replaced when the file comes back older or goes', () => {
    const pgdata = dir();
    const owner = join(pgdata, OWNER_FILE);
    const ownership = new StoreOwnership(pgdata);
    const first = readFileSync(owner, 'utf8');
    expect(ownership.check()).toBe(false);
    expect(readFileSync(owner, 'utf8')).not.toBe(first);
    writeFileSync(owner, first);
    expect(ownership.check()).toBe(true);
    expect(ownership.replaced).toBe(true);

    const other = dir();
    const gone = new StoreOwnership(other);
    rmSync(join(other, OWNER_FILE));
    expect(gone.check()).toBe(true);
  });

  it('takes a read or write that fails for a skipped check, not for a replaced store', () => {
    const pgdata = dir();
    const owner = join(pgdata, OWNER_FILE);
    const ownership = new StoreOwnership(pgdata);
    // The file written aside cannot be (a directory stands where it goes): the file keeps its content.
    const aside = `${owner}.${process.pid}.tmp`;
    mkdirSync(aside);
    const before = readFileSync(owner, 'utf8');
    expect(ownership.check()).toBe(false);
    expect(readFileSync(owner, 'utf8')).toBe(before);
    rmSync(aside, { recursive: true });
    expect(ownership.check()).toBe(false);
    // The file cannot be read (a directory where it was): skipped too.
    rmSync(owner);
    mkdirSync(owner);
    expect(ownership.check()).toBe(false);
    expect(ownership.replaced).toBe(false);
  });
});
