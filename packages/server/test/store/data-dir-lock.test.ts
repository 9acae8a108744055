import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { AdminCommands } from '../../src/admin/admin-commands.js';
import { listenAdminSocket, sendAdminCommand } from '../../src/admin/admin-socket.js';
import { DataDirLock, DataDirLockedError } from '../../src/store/data-dir-lock.js';

const root = mkdtempSync(join(tmpdir(), 'pm-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = (name: string) => join(root, name);

describe('the data-directory lock', () => {
  it('appears with its pid in it, and leaves no draft behind', () => {
    const lock = DataDirLock.acquire(dir('a'));
    expect(DataDirLock.ownerPid(dir('a'))).toBe(process.pid);
    expect(readdirSync(dir('a'))).toEqual(['printermaster.lock']);
    lock.release();
    expect(DataDirLock.isHeld(dir('a'))).toBe(false);
  });

  it('takes a lock file it cannot read as held while it is new (being written), and as stale once old', () => {
    DataDirLock.acquire(dir('b')).release();
    const path = join(dir('b'), 'printermaster.lock');
    writeFileSync(path, '');
    expect(DataDirLock.isHeld(dir('b'))).toBe(true);
    expect(() => DataDirLock.acquire(dir('b'))).toThrow(DataDirLockedError);
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    expect(DataDirLock.isHeld(dir('b'))).toBe(false);
    DataDirLock.acquire(dir('b')).release();
  });

  it('takes over a lock left by a process that is gone', () => {
    DataDirLock.acquire(dir('c')).release();
    // Pid 2^22 + 1 is above Linux's pid_max: no such process.
    writeFileSync(join(dir('c'), 'printermaster.lock'), String(4_194_305));
    const lock = DataDirLock.acquire(dir('c'));
    expect(DataDirLock.ownerPid(dir('c'))).toBe(process.pid);
    lock.release();
  });
});

describe('a handover request on the admin socket', () => {
  const logger = pino({ level: 'silent' });
  const commands = {} as AdminCommands;

  it('is refused with CONFLICT and its reason when the gateway says no, and agreed to otherwise', async () => {
    const asked: Record<string, unknown>[] = [];
    const path = join(root, 'admin.sock');
    const server = await listenAdminSocket(path, commands, logger, (args) => {
      asked.push(args);
      return args.slot === '0' ? undefined : 'only the worker of this pm2 slot (0) may take the store over, not 1';
    });
    try {
      await expect(sendAdminCommand(path, { command: 'handover', args: { slot: '1' } })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('slot (0)'),
      });
      await expect(sendAdminCommand(path, { command: 'handover', args: { slot: '0' } })).resolves.toEqual({
        pid: process.pid,
      });
      expect(asked).toEqual([{ slot: '1' }, { slot: '0' }]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('tells the notice of a coming handover from the handover itself', async () => {
    const steps: string[] = [];
    const path = join(root, 'admin-steps.sock');
    const server = await listenAdminSocket(path, commands, logger, (_args, step) => {
      steps.push(step);
      return undefined;
    });
    try {
      await sendAdminCommand(path, { command: 'handover-prepare', args: { slot: '0' } });
      await sendAdminCommand(path, { command: 'handover', args: { slot: '0' } });
      expect(steps).toEqual(['prepare', 'take']);
      // Any other command is the admin commands' (here none): not taken for a step of the handover.
      await expect(sendAdminCommand(path, { command: 'toString', args: {} })).rejects.toBeDefined();
      expect(steps).toEqual(['prepare', 'take']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
