import pino from 'pino';
import type { Logger } from './core/ports/logger.js';

/**
 * The process logger: pino JSON on stdout. Secrets and print bytes never reach a
 * log line; the redaction list is a second wall for fields that slip through.
 */
export function createLogger(options: {
  level: string;
  instanceId: string;
  destination?: pino.DestinationStream;
}): pino.Logger & Logger {
  return pino(
    {
      level: options.level,
      base: { instanceId: options.instanceId },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'licenseKey',
          '*.licenseKey',
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'req.headers.authorization',
          'content',
          '*.content',
          'password',
          'secret',
        ],
        censor: '[redacted]',
      },
      serializers: { err: pino.stdSerializers.err },
      // The numeric level for tools, and its name for people: `grep ERROR` and `grep WARN` over
      // `pm2 logs` find what they say (docs/operations.md).
      formatters: { level: (label, level) => ({ level, severity: label.toUpperCase() }) },
    },
    options.destination,
  );
}
