import { randomFillSync } from 'node:crypto';
import { CORRELATION_COUNTER_LIMIT, formatCorrelationId } from '@printermaster/protocol';
import type { Clock } from './clock.js';

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Makes correlation IDs (docs/protocol.md#correlation-ids); the random part comes from the CSPRNG. */
export class CorrelationIds {
  private counter = 0;
  /** CSPRNG bytes drawn 4 KiB at a time: one call per several hundred IDs rather than seven per ID. */
  private readonly pool = Buffer.alloc(4096);
  private used = this.pool.length;

  constructor(private readonly clock: Clock) {}

  next(type: string): string {
    this.counter = (this.counter + 1) % CORRELATION_COUNTER_LIMIT;
    let random = '';
    while (random.length < 7) {
      if (this.used === this.pool.length) {
        randomFillSync(this.pool);
        this.used = 0;
      }
      const byte = this.pool[this.used++] as number;
      // 252 = 7 × 36: bytes above it are skipped so that every character is equally likely.
      if (byte < 252) random += BASE36[byte % 36];
    }
    return formatCorrelationId({ type, timestampMs: this.clock.now(), counter: this.counter, random });
  }
}
