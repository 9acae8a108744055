import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { runRequest, runUserRequest } from '../core/tenant-scope.js';

/*
 * Row-level security (decision 0007): each handler runs in a tenant scope of its own, which
 * `requireUser` narrows to the caller's company. Handlers are wrapped, rather than scoped from a
 * hook, so that the scope cannot be lost between a hook and the handler (body parsing runs in
 * the connection's async context).
 */

/** Every route registered on `app` from now on: its handler runs as the gateway until it authenticates a user. */
export function scopeRequests(app: FastifyInstance): void {
  wrapHandlers(app, runRequest);
}

/**
 * Web users' routes registered on `app` from now on: the handler sees no company's rows until
 * `requireUser` has authenticated the caller, then the caller's company only.
 */
export function scopeRoutesToUsers(app: FastifyInstance): void {
  wrapHandlers(app, runUserRequest);
}

function wrapHandlers(app: FastifyInstance, run: <T>(fn: () => T) => T): void {
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function scopedHandler(this: FastifyInstance, request, reply) {
      return run(() => handler.call(this, request, reply));
    };
  });
}
