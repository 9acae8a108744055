import { afterEach } from 'vitest';
import { createVirtualPrinter, type VirtualPrinter, type VirtualPrinterOptions } from '../src/index.js';
import { TempDirs } from './temp-dirs.js';

/** The printers and temporary directories of one test file. */
export interface PrinterFixture {
  dirs: TempDirs;
  /** Starts a printer on a free port (unless `options.port` says otherwise), closed after the test. */
  start(options?: VirtualPrinterOptions): Promise<VirtualPrinter>;
}

/** Call at the top level of a test file: after each test, its printers are closed and its directories removed. */
export function usePrinterFixture(): PrinterFixture {
  const dirs = new TempDirs();
  const printers: VirtualPrinter[] = [];
  afterEach(async () => {
    await Promise.all(printers.splice(0).map((printer) => printer.close()));
    dirs.removeAll();
  });
  return {
    dirs,
    async start(options = {}) {
      const printer = await createVirtualPrinter({ port: 0, ...options });
      printers.push(printer);
      return printer;
    },
  };
}
