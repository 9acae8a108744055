import { type CreatePrintJobBody, CreatePrintJobBodySchema, INSTANT_FORMAT } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { PrintJobService } from '../../core/print-job-service.js';
import { toPrintJobView } from '../../core/print-job-view.js';
import type { ExportTracker } from '../../metrics/export-tracker.js';
import { requireUser } from '../authenticate.js';
import { sendCsv, wantsCsv } from './csv-export.js';
import { printJobCsv } from './print-job-csv.js';
import { USER_SECURITY } from './user-security.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Params = Type.Object({ jobId: Id });
const ListQuery = Type.Object(
  {
    companyId: Type.Optional(Id),
    branchId: Type.Optional(Id),
    printerId: Type.Optional(Id),
    /** Comma-separated job states. */
    state: Type.Optional(Type.String({ maxLength: 200 })),
    /** Date-times (years 1–9999), ISO 8601 recommended. */
    createdAfter: Type.Optional(Type.String({ maxLength: 64, format: INSTANT_FORMAT })),
    createdBefore: Type.Optional(Type.String({ maxLength: 64, format: INSTANT_FORMAT })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    /** `csv` streams the whole filtered history as CSV (so does `Accept: text/csv`). */
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) });

function idempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
}

/** Print jobs (docs/architecture.md#a-print-job-end-to-end, docs/protocol.md#print-jobs). Registered under `/printing` and `/api/v1/printing`. */
export async function printJobRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; jobs: PrintJobService; exports?: ExportTracker },
): Promise<void> {
  const { jwt, jobs } = opts;
  const tags = ['print jobs'];
  const security = USER_SECURITY;

  app.post(
    '/jobs',
    // The answer (one job's view) is small; a POS may still send its ticket gzip-compressed.
    { schema: { tags, security, body: CreatePrintJobBodySchema, headers: IdempotencyHeaders }, compress: false },
    async (request, reply) => {
      const user = await requireUser(jwt, request);
      const { job, replayed } = await jobs.create(user, request.body as CreatePrintJobBody, idempotencyKey(request));
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(202).send({ success: true, replayed, job: toPrintJobView(job) });
    },
  );

  app.get('/jobs', { schema: { tags, security, querystring: ListQuery } }, async (request, reply) => {
    const user = await requireUser(jwt, request);
    const { format, ...query } = request.query as Static<typeof ListQuery>;
    if (wantsCsv(request, format)) {
      await sendCsv(reply, printJobCsv(jobs, user, query, opts.exports));
      return reply;
    }
    const { jobs: list, nextCursor } = await jobs.list(user, query);
    return {
      success: true,
      jobs: list.map((j) => toPrintJobView(j)),
      count: list.length,
      ...(nextCursor ? { nextCursor } : {}),
    };
  });

  app.get('/jobs/:jobId', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { jobId } = request.params as Static<typeof Params>;
    const { job, events } = await jobs.get(user, jobId);
    return { success: true, job: toPrintJobView(job, events) };
  });

  app.post('/jobs/:jobId/cancel', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { jobId } = request.params as Static<typeof Params>;
    return { success: true, job: toPrintJobView(await jobs.cancel(user, jobId, { sourceAddress: request.ip })) };
  });

  app.post(
    '/jobs/:jobId/reprint',
    { schema: { tags, security, params: Params, headers: IdempotencyHeaders } },
    async (request, reply) => {
      const user = await requireUser(jwt, request);
      const { jobId } = request.params as Static<typeof Params>;
      const { job, replayed } = await jobs.reprint(user, jobId, idempotencyKey(request), {
        sourceAddress: request.ip,
      });
      return reply.status(202).send({ success: true, replayed, job: toPrintJobView(job) });
    },
  );
}
