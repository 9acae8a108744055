import { ERROR_SPECS, type ErrorCode, type WireError } from '@printermaster/protocol';

/**
 * The one error type of the gateway. Its code decides the HTTP status and the
 * socket error; anything else thrown is a bug and is reported as `INTERNAL`.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    readonly code: ErrorCode,
    opts: { message?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(opts.message ?? ERROR_SPECS[code].message, { cause: opts.cause });
    this.status = ERROR_SPECS[code].status;
    this.retryable = ERROR_SPECS[code].retryable;
    this.details = opts.details;
  }

  toWire(): WireError {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }

  /** `err` as a GatewayError; unknown errors become `INTERNAL` with a generic message. */
  static from(err: unknown): GatewayError {
    if (err instanceof GatewayError) return err;
    return new GatewayError('INTERNAL', { cause: err });
  }
}
