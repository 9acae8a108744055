import { TicketDocumentSchema } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { ShownPreview, TicketPreviews } from '../../ticket-previews.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Params = Type.Object({ jobId: Type.String({ minLength: 1, maxLength: 128 }) });
const PreviewBody = Type.Object(
  {
    /** Raw ESC/POS bytes, base64 (as `POST /printing/jobs` takes them). */
    content: Type.Optional(Type.String({ minLength: 1, contentEncoding: 'base64' })),
    document: Type.Optional(TicketDocumentSchema),
  },
  { additionalProperties: false },
);
const PngResponse = { 200: { description: 'image/png: the ticket as it prints', type: 'string', format: 'binary' } };

function sendPng(request: FastifyRequest, reply: FastifyReply, preview: ShownPreview, cacheable: boolean) {
  void reply.header('etag', preview.etag);
  void reply.header('x-preview-truncated', String(preview.truncated));
  // A job's bytes never change: the browser may keep its picture; a one-off preview is not kept.
  void reply.header('cache-control', cacheable ? 'private, max-age=86400' : 'no-store');
  if (cacheable && request.headers['if-none-match'] === preview.etag) return reply.status(304).send();
  return reply.type('image/png').send(Buffer.from(preview.png.buffer, preview.png.byteOffset, preview.png.byteLength));
}

/**
 * Ticket previews (docs/api.md#ticket-previews). Registered under `/printing` and `/api/v1/printing`.
 */
export async function ticketPreviewRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; previews: TicketPreviews },
): Promise<void> {
  const { jwt, previews } = opts;
  const tags = ['print jobs'];
  const security = USER_SECURITY;

  app.get(
    '/jobs/:jobId/preview.png',
    { schema: { tags, security, params: Params, response: PngResponse } },
    async (request, reply) => {
      const user = await requireUser(jwt, request);
      const { jobId } = request.params as Static<typeof Params>;
      return sendPng(request, reply, await previews.ofJob(user, jobId), true);
    },
  );

  app.post(
    '/preview',
    { schema: { tags, security, body: PreviewBody, response: PngResponse } },
    async (request, reply) => {
      await requireUser(jwt, request);
      return sendPng(request, reply, await previews.ofRequest(request.body as Static<typeof PreviewBody>), false);
    },
  );
}
