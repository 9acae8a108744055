import type { FastifyRequest } from 'fastify';
import type { JwtService } from '../auth/jwt-service.js';
import type { WriteTarget, WriteTargetLocator } from '../core/write-target-locator.js';
import { requireUser } from './authenticate.js';
import type { WriteIdentityResolver } from './write-rate-limit.js';

/**
 * A web user's write counts against the JWT's subject (within its company: two platforms'
 * tokens may reuse a subject) and against the branch it writes to: the token's own branch,
 * else the branch of the printer, job or branch the request names.
 */
export function userWriteIdentity(jwt: JwtService, targets: WriteTargetLocator): WriteIdentityResolver {
  return async (request) => {
    const user = await requireUser(jwt, request);
    return {
      credential: `user:${user.companyId ?? '*'}:${user.userId}`,
      branchId: await targets.branchOf(user, writeTarget(request)),
    };
  };
}

/** The target by the API's own names: `:printerId` or `:jobId` in the path, else `printerId` or `branchId` in the body. */
function writeTarget(request: FastifyRequest): WriteTarget {
  const params = fields(request.params);
  const body = fields(request.body);
  return {
    printerId: params.printerId ?? body.printerId,
    jobId: params.jobId,
    branchId: body.branchId,
  };
}

function fields(value: unknown): Record<string, string | undefined> {
  if (typeof value !== 'object' || value === null) return {};
  const out: Record<string, string | undefined> = {};
  for (const key of ['printerId', 'jobId', 'branchId']) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}
