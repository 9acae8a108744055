import type { PaperCheckView } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { PaperCheckService } from '../../core/paper-check-service.js';
import type { PaperCheck } from '../../core/ports/paper-check-store.js';
import { toPrintJobView } from '../../core/print-job-view.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Params = Type.Object({ printerId: Type.String({ minLength: 1, maxLength: 128 }) });
const ConfirmBody = Type.Object(
  { token: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);

function toView(check: PaperCheck): PaperCheckView {
  return {
    printerId: check.printerId,
    branchId: check.branchId,
    jobId: check.jobId,
    printedAt: check.createdAt.toISOString(),
    confirmedAt: check.confirmedAt?.toISOString() ?? null,
    confirmedBy: check.confirmedBy,
  };
}

/**
 * docs/operations.md#paper-checks: a slip with a QR code printed on a printer, and its
 * confirmation when scanned. Registered under `/printing` and `/api/v1/printing`.
 */
export async function paperCheckRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; paperChecks: PaperCheckService },
): Promise<void> {
  const { jwt, paperChecks } = opts;
  const tags = ['printers'];
  const security = USER_SECURITY;

  app.post(
    '/printers/:printerId/paper-check',
    { schema: { tags, security, params: Params } },
    async (request, reply) => {
      const user = await requireUser(jwt, request);
      const { printerId } = request.params as Static<typeof Params>;
      const job = await paperChecks.print(user, printerId);
      return reply.status(202).send({ success: true, job: toPrintJobView(job) });
    },
  );

  app.get('/printers/:printerId/paper-check', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { printerId } = request.params as Static<typeof Params>;
    const check = await paperChecks.latest(user, printerId);
    return { success: true, paperCheck: check ? toView(check) : null };
  });

  app.post('/paper-checks/confirm', { schema: { tags, security, body: ConfirmBody } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { token } = request.body as Static<typeof ConfirmBody>;
    return { success: true, paperCheck: toView(await paperChecks.confirm(user, token)) };
  });
}
