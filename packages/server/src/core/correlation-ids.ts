import { randomInt } from 'node:crypto';
import { CORRELATION_COUNTER_LIMIT, formatCorrelationId } from '@printermaster/protocol';
import type { Clock } from './clock.js';

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Makes correlation IDs (PROTOCOL.md section 7); the random part comes from the CSPRNG. */
export class CorrelationIds {
  private counter = 0;

  constructor(private readonly clock: Clock) {}

  next(type: string): string {
    this.counter = (this.counter + 1) % CORRELATION_COUNTER_LIMIT;
    let random = '';
    for (let i = 0; i < 7; i++) random += BASE36[randomInt(36)];
    return formatCorrelationId({ type, timestampMs: this.clock.now(), counter: this.counter, random });
  }
}
