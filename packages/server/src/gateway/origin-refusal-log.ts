import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/ports/logger.js';
import { SOCKET_LOG_COMPONENT } from './socket-log-component.js';

/** How often one refused origin is logged, ms: a refused browser page retries every few seconds. */
const LOG_EVERY_MS = 60_000;

/** Logs a browser socket refused for its Origin, once a minute per origin. */
export class OriginRefusalLog {
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      allowed: string[];
      /** Most origins remembered; past it the memory starts over (a flood of made-up origins). */
      maxOrigins: number;
    },
  ) {}

  refused(origin: string, address: string | undefined): void {
    const now = this.deps.clock.now();
    if ((this.lastLogged.get(origin) ?? Number.NEGATIVE_INFINITY) > now - LOG_EVERY_MS) return;
    if (this.lastLogged.size >= this.deps.maxOrigins) this.lastLogged.clear();
    this.lastLogged.set(origin, now);
    this.deps.logger.warn(
      { ...SOCKET_LOG_COMPONENT, origin, address, allowed: this.deps.allowed },
      'socket connection refused: its origin is not in CORS_ORIGINS',
    );
  }
}
