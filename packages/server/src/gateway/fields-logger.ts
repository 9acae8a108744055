import type { Logger } from '../core/ports/logger.js';

/**
 * Adds fixed fields (device, branch, socket) to every line. Lighter than a pino child
 * per connection, which costs a few hundred bytes for each of thousands of idle agents;
 * the fields are only merged when a line is written.
 */
export class FieldsLogger implements Logger {
  constructor(
    private readonly base: Logger,
    private readonly fields: Record<string, unknown>,
  ) {}

  debug(fields: Record<string, unknown>, msg: string): void {
    this.base.debug({ ...this.fields, ...fields }, msg);
  }

  info(fields: Record<string, unknown>, msg: string): void {
    this.base.info({ ...this.fields, ...fields }, msg);
  }

  warn(fields: Record<string, unknown>, msg: string): void {
    this.base.warn({ ...this.fields, ...fields }, msg);
  }

  error(fields: Record<string, unknown>, msg: string): void {
    this.base.error({ ...this.fields, ...fields }, msg);
  }

  child(bindings: Record<string, unknown>): Logger {
    return this.base.child({ ...this.fields, ...bindings });
  }
}
