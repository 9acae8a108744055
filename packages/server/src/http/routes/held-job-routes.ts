import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { HeldJobs } from '../../core/held-jobs.js';
import { toPrintJobView } from '../../core/print-job-view.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const JobParams = Type.Object({ jobId: Id });
const BranchParams = Type.Object({ branchId: Id });

/**
 * docs/api.md#held-jobs: jobs held because they were too old to print when an agent could take
 * them, released (sent, whatever their age) or cancelled by a person. Registered under
 * `/printing` and `/api/v1/printing`; `GET /printing/jobs?state=held&branchId=` lists them.
 */
export async function heldJobRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; heldJobs: HeldJobs },
): Promise<void> {
  const { jwt, heldJobs } = opts;
  const tags = ['print jobs'];
  const security = USER_SECURITY;

  app.post('/jobs/:jobId/release', { schema: { tags, security, params: JobParams } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { jobId } = request.params as Static<typeof JobParams>;
    return { success: true, job: toPrintJobView(await heldJobs.release(user, jobId, { sourceAddress: request.ip })) };
  });

  for (const action of ['release', 'cancel'] as const) {
    app.post(
      `/branches/:branchId/held-jobs/${action}`,
      { schema: { tags, security, params: BranchParams } },
      async (request) => {
        const user = await requireUser(jwt, request);
        const { branchId } = request.params as Static<typeof BranchParams>;
        const { moved, more } = await heldJobs.all(user, branchId, action, { sourceAddress: request.ip });
        return { success: true, count: moved.length, more, jobs: moved.map((j) => toPrintJobView(j)) };
      },
    );
  }
}
