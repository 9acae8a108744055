#!/usr/bin/env node
// Committed launcher: the compiled CLI lives in dist/, which exists only after `npm run build`.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('printermaster: not built yet; run `npm run build` in the PrinterMaster checkout first\n');
  process.exit(1);
}
await import(main.href);
