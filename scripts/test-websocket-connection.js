#!/usr/bin/env node
// `node scripts/test-websocket-connection.js [options]`, as operators' runbooks call it: the
// gateway's own websocket check (`printermaster health websocket`), with the same options and
// exit code. --target defaults to this host's gateway, http://127.0.0.1:${PORT:-3001}; without
// --token the check takes PRINTERMASTER_TOKEN or mints a short-lived super_admin token
// (docs/operations.md, "Smoke and health commands").
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(`websocket FAILED: ${cli} is missing: build first (npm run build)\n`);
  process.exit(2);
}
const args = process.argv.slice(2);
const hasTarget = args.some((arg) => arg === '--target' || arg.startsWith('--target='));
const target = hasTarget ? [] : [`--target=http://127.0.0.1:${process.env.PORT || 3001}`];
const run = spawnSync(process.execPath, [cli, 'health', 'websocket', ...target, ...args], { stdio: 'inherit' });
if (run.error) {
  process.stderr.write(`websocket FAILED: ${run.error.message}\n`);
  process.exit(2);
}
// Killed by a signal: the shell's convention, 128 + its number.
process.exit(run.status ?? 128 + (run.signal === 'SIGKILL' ? 9 : 15));
