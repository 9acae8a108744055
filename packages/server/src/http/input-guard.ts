import { findInputProblem } from '@printermaster/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../core/gateway-error.js';

const PARTS = ['params', 'querystring', 'body'] as const;

function partOf(request: FastifyRequest, part: (typeof PARTS)[number]): unknown {
  return part === 'params' ? request.params : part === 'querystring' ? request.query : request.body;
}

/**
 * Holds every request to the input rules (protocol input-rules.ts: no NUL or lone surrogate
 * in any string, bounded nesting), before the route's schema and whether or not it has one:
 * a value the store cannot hold is a `BAD_REQUEST` naming the field, e.g. `body/orderData/note`.
 */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    for (const part of PARTS) {
      const problem = findInputProblem(partOf(request, part));
      if (problem) {
        const path = `${part}${problem.path}`;
        done(new GatewayError('BAD_REQUEST', { message: `${path}: ${problem.message}`, details: { path } }));
        return;
      }
    }
    done();
  });
}
