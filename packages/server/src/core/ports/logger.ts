/**
 * The logging the core does: pino's call shape (fields first, then a short
 * lowercase message). Fields use `correlationId`, `jobId`, `deviceId`, `branchId`.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
