import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

/** Every `import … from '…'` and `export … from '…'` of the server's source, by file (relative to src). */
function imports(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)';/gms)].map((m) => m[1] ?? '');
        found.set(relative(SRC, path), specifiers);
      }
    }
  };
  walk(SRC);
  return found;
}

/** Where a relative specifier of `file` lands, relative to src. */
function target(file: string, specifier: string): string {
  return relative(SRC, join(SRC, file, '..', specifier));
}

describe('the import rules of the server', () => {
  const all = imports();

  it('keeps the core free of frameworks, drivers and the environment', () => {
    // Node's own primitives (ids, request-scoped context) are not frameworks; its network and files are.
    const allowedPackages = new Set(['@printermaster/protocol', 'node:crypto', 'node:async_hooks']);
    const offences: string[] = [];
    for (const [file, specifiers] of all) {
      if (!file.startsWith('core/')) continue;
      for (const s of specifiers) {
        if (s.startsWith('.')) {
          if (!target(file, s).startsWith('core/')) offences.push(`${file} imports ${s} from outside the core`);
        } else if (!allowedPackages.has(s)) offences.push(`${file} imports the package ${s}`);
      }
      if (
        /process\.env|setTimeout\(|setInterval\(/.test(
          readFileSync(join(SRC, file), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''),
        )
      )
        offences.push(`${file} reads process.env or starts a raw timer`);
    }
    expect(offences).toEqual([]);
  });

  it('keeps the ports a leaf: they import only other ports and the protocol', () => {
    const offences: string[] = [];
    for (const [file, specifiers] of all) {
      if (!file.startsWith('core/ports/')) continue;
      for (const s of specifiers) {
        const ok = s.startsWith('.') ? target(file, s).startsWith('core/ports/') : s === '@printermaster/protocol';
        if (!ok) offences.push(`${file} imports ${s}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('keeps the adapters (store, cluster) and the edges (gateway, http) from importing the composition root', () => {
    const root = new Set(['start-gateway.ts', 'gateway-edge.ts', 'housekeeping-part.ts', 'topology.ts']);
    const offences: string[] = [];
    for (const [file, specifiers] of all) {
      if (!/^(store|cluster|gateway|http|metrics|health)\//.test(file)) continue;
      for (const s of specifiers)
        if (s.startsWith('.') && root.has(target(file, s))) offences.push(`${file} imports ${s}`);
    }
    expect(offences).toEqual([]);
  });
});
