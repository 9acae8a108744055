import type { PrinterTestRequest } from '@printermaster/protocol';
import { isoTime } from '@printermaster/protocol';
import type { BranchAndCompanyNames } from './branch-names.js';
import type { Printer } from './ports/printer-store.js';

/**
 * The `printer:test` payload for an agent. Optional fields are set one by one rather than
 * spread in: object spread takes V8's slow path when shapes vary, and this runs for every
 * test (docs/benchmarks.md).
 */
export function printerTestRequest(
  printer: Printer,
  names: BranchAndCompanyNames,
  correlationId: string,
  /** Unix ms. */
  startedAt: number,
  /** The deadline the agent is told, ms. */
  timeoutMs: number,
  body: { testType?: string; content?: string },
): PrinterTestRequest {
  const request: PrinterTestRequest = {
    printerId: printer.id,
    printerName: printer.name,
    correlationId,
    requestTimestamp: isoTime(startedAt),
    branchId: printer.branchId,
    branchName: names.branchName,
    companyName: names.companyName,
    type: printer.type,
    connection: printer.connection,
    capabilities: printer.capabilities,
    metadata: { requestSource: 'backend_gateway', expectedResponseEvent: 'printer:test:result', timeout: timeoutMs },
  };
  if (printer.ip) request.ip = printer.ip;
  if (printer.port) request.port = printer.port;
  if (body.testType) request.testType = body.testType;
  if (body.content) request.content = body.content;
  return request;
}
