import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Gateways, PGlite and child processes are heavy: two files at a time on a 2-core machine.
    pool: 'forks',
    // New embedded stores start from one migrated backup made here (PRINTERMASTER_STORE_SEED).
    globalSetup: ['test/support/store-seed-setup.ts'],
    maxWorkers: 2,
    reporters: ['default'],
  },
});
