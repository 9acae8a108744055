import { readFile } from 'node:fs/promises';
import v8 from 'node:v8';
import type { PGliteOptions } from '@electric-sql/pglite';

type WasmModule = NonNullable<PGliteOptions['pgliteWasmModule']>;
/** Node's WebAssembly global, which the project's TypeScript libraries (no DOM) do not declare. */
const wasmApi = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule } })
  .WebAssembly;

/** PGlite's compiled WebAssembly and its file-system bundle, once `preloadPglite` has read them. */
let preloaded: Promise<Pick<PGliteOptions, 'pgliteWasmModule' | 'fsBundle'>> | undefined;

/**
 * Reads PGlite's file-system bundle and compiles its WebAssembly, every function of it, ahead of
 * the store's opening, which then uses them (`preloadedPgliteOptions`). A successor taking the
 * embedded store over (decision 0010) does this before it asks for the store: what it still has
 * to do once the old process has let go, while it holds every request, is then shorter. Compiled
 * lazily, as by default, each function would be compiled on its first call, in the middle of
 * PostgreSQL's start-up and first queries: a third of them (0.65 s → 0.44 s, median, at load 5 on the
 * 2-core machine).
 */
export function preloadPglite(): Promise<void> {
  preloaded ??= (async () => {
    const dist = import.meta.resolve('@electric-sql/pglite');
    const [wasm, bundle] = await Promise.all([
      readFile(new URL('./pglite.wasm', dist)),
      readFile(new URL('./pglite.data', dist)),
    ]);
    // V8 reads the flag while it compiles, so the compile is synchronous (a second or less, before
    // the process takes any request); it is set back at once, for any other module.
    v8.setFlagsFromString('--no-wasm-lazy-compilation');
    let module: WasmModule;
    try {
      module = new wasmApi.Module(wasm);
    } finally {
      v8.setFlagsFromString('--wasm-lazy-compilation');
    }
    return { pgliteWasmModule: module, fsBundle: new Blob([bundle]) };
  })();
  return preloaded.then(() => undefined);
}

/** What `preloadPglite` read, for `new PGlite`; nothing when it was not called (PGlite reads them itself). */
export async function preloadedPgliteOptions(): Promise<Pick<PGliteOptions, 'pgliteWasmModule' | 'fsBundle'>> {
  // A failed preload is not the opening's failure: PGlite reads the files itself then.
  return (await preloaded?.catch(() => undefined)) ?? {};
}
