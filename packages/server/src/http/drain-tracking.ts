import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../core/clock.js';

/** The requests an HTTP server is handling, and its drain. */
export interface DrainTracker {
  /** Requests whose response is not closed yet. */
  readonly inFlight: number;
  /** Requests received since start (service registry). */
  readonly requestCount: number;
  readonly draining: boolean;
  /**
   * From now on each answer closes its connection. Idle keep-alive connections are left to the
   * caller: closing one races with the request its client may be sending on it at that moment.
   */
  begin(): void;
  /** Resolves when no request is in flight, or at `deadline` (Unix ms on the plugin's clock), whichever comes first. */
  settled(deadline: number): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    drain: DrainTracker;
  }
}

const plugin: FastifyPluginCallback<{ clock: Clock }> = (app, { clock }, done) => {
  let inFlight = 0;
  let requestCount = 0;
  let draining = false;
  let idleWaiters: (() => void)[] = [];
  // A request counts until its response is closed: sent, or its client gone. Fastify's onResponse
  // never runs for a request whose client hung up first, and counting on it left one request
  // "in flight" for the life of the process, so every drain ran to its deadline. A handler still
  // working for a vanished client is not waited for: whatever it stored is stored, and its client
  // never saw an answer (an idempotency key makes the retry safe).
  const requestClosed = () => {
    inFlight--;
    // The answer said `Connection: close`, so its connection ends once it is out; the client's
    // next request opens a new one, which reaches a process that is not stopping. Other idle
    // connections are not closed here: under load a client's request may already be in the
    // socket's buffer, unread, and closing the "idle" connection would reset it.
    if (!draining) return;
    if (inFlight === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };
  // A callback hook, not an async one: an async hook costs every request a promise and a microtask turn.
  app.addHook('onRequest', (_request, reply, done) => {
    inFlight++;
    requestCount++;
    reply.raw.once('close', requestClosed);
    if (draining) void reply.header('connection', 'close');
    done();
  });
  app.decorate('drain', {
    get inFlight() {
      return inFlight;
    },
    get requestCount() {
      return requestCount;
    },
    get draining() {
      return draining;
    },
    begin() {
      draining = true;
    },
    settled(deadline: number): Promise<void> {
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = clock.setTimer(deadline - clock.now(), () => {
          idleWaiters = idleWaiters.filter((w) => w !== finish);
          resolve();
        });
        const finish = () => {
          timer.cancel();
          resolve();
        };
        idleWaiters.push(finish);
      });
    },
  } satisfies DrainTracker);
  done();
};

/** Counts requests in flight and drains them at stop (decision 0005). */
export const drainTracking = fp(plugin, { name: 'printermaster-drain-tracking', fastify: '5.x' });
