import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

describe('the process logger', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text));
        cb();
      },
    });
    const logger = createLogger({ level: 'debug', instanceId: 'i-1', destination });
    return { logger, lines };
  }

  it('names each line’s level for people (`grep ERROR`) beside the number for tools', () => {
    const { logger, lines } = capture();
    logger.error({ jobId: 'j-1' }, 'printing failed');
    logger.warn('slow agent');
    logger.child({ deviceId: 'd-1' }).info('connected');
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, severity: 'ERROR', jobId: 'j-1', msg: 'printing failed' }),
      expect.objectContaining({ level: 40, severity: 'WARN', msg: 'slow agent' }),
      expect.objectContaining({ level: 30, severity: 'INFO', deviceId: 'd-1', msg: 'connected' }),
    ]);
  });

  it('keeps secrets out of lines', () => {
    const { logger, lines } = capture();
    logger.info({ licenseKey: 'k', authorization: 'Bearer t', content: 'ticket bytes' }, 'handshake');
    expect(lines[0]).toMatchObject({ licenseKey: '[redacted]', authorization: '[redacted]', content: '[redacted]' });
  });
});
