import { PRINTER_STATUSES, PrinterProfileSchema, type PrinterStatusChangeView } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { PrinterPresence } from '../../core/printer-presence.js';
import type { PrinterService } from '../../core/printer-service.js';
import type { PrinterTestAnswer, PrinterTestService } from '../../core/printer-test-service.js';
import { toPrinterView } from '../../core/printer-view.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Status = Type.Union(PRINTER_STATUSES.map((s) => Type.Literal(s)));
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Text = (max: number) => Type.String({ maxLength: max });

const PrinterFieldsSchema = {
  type: Type.Optional(Text(64)),
  connection: Type.Optional(Text(64)),
  status: Type.Optional(Status),
  ip: Type.Optional(Text(255)),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  systemName: Type.Optional(Text(255)),
  manufacturer: Type.Optional(Text(128)),
  model: Type.Optional(Text(128)),
  location: Type.Optional(Text(128)),
  paperWidth: Type.Optional(Type.Integer({ minimum: 20, maximum: 120 })),
  assignedTo: Type.Optional(Text(128)),
  isDefault: Type.Optional(Type.Boolean()),
  capabilities: Type.Optional(Type.Array(Text(64), { maxItems: 64 })),
  /** What the printer can print; `null` goes back to the default for its paper width. */
  profile: Type.Optional(Type.Union([PrinterProfileSchema, Type.Null()])),
};

const CreatePrinterBody = Type.Object(
  { branchId: Id, name: Type.String({ minLength: 1, maxLength: 128 }), ...PrinterFieldsSchema },
  { additionalProperties: false },
);
const UpdatePrinterBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })), ...PrinterFieldsSchema },
  { additionalProperties: false, minProperties: 1 },
);
const ListQuery = Type.Object(
  { companyId: Type.Optional(Id), branchId: Type.Optional(Id), status: Type.Optional(Status) },
  { additionalProperties: false },
);
const Params = Type.Object({ printerId: Id });
const TestBody = Type.Union([
  Type.Object(
    {
      testType: Type.Optional(Type.String({ maxLength: 64 })),
      content: Type.Optional(Type.String({ maxLength: 4096 })),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

const HistoryQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
  { additionalProperties: false },
);

/** docs/protocol.md#printer-tests: printers and printer tests. Registered under `/printing` and `/api/v1/printing`. */
export async function printerRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; printers: PrinterService; printerTests: PrinterTestService; presence: PrinterPresence },
): Promise<void> {
  const { jwt, printers, printerTests, presence } = opts;
  const tags = ['printers'];
  const security = USER_SECURITY;

  app.get('/printers', { schema: { tags, security, querystring: ListQuery } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { status, ...scope } = request.query as Static<typeof ListQuery>;
    // The status shown may differ from the one stored (an agent gone): filter on the one shown.
    const views = await presence.views(await printers.list(user, scope));
    const list = status === undefined ? views : views.filter((v) => v.status === status);
    return { success: true, printers: list, total: list.length };
  });

  app.get('/printers/:printerId', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { printerId } = request.params as Static<typeof Params>;
    return { success: true, printer: await presence.view(await printers.get(user, printerId)) };
  });

  app.get(
    '/printers/:printerId/status-history',
    { schema: { tags, security, params: Params, querystring: HistoryQuery } },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { printerId } = request.params as Static<typeof Params>;
      const { limit } = request.query as Static<typeof HistoryQuery>;
      const changes = await printers.statusHistory(user, printerId, limit ?? 50);
      const history: PrinterStatusChangeView[] = changes.map((c) => ({ ...c, at: c.at.toISOString() }));
      return { success: true, history };
    },
  );

  app.post('/printers', { schema: { tags, security, body: CreatePrinterBody } }, async (request, reply) => {
    const user = await requireUser(jwt, request);
    const { branchId, ...fields } = request.body as Static<typeof CreatePrinterBody>;
    const printer = await printers.create(user, branchId, fields);
    return reply.status(201).send({ success: true, printer: toPrinterView(printer) });
  });

  const update = async (request: { params: unknown; body: unknown } & Parameters<typeof requireUser>[1]) => {
    const user = await requireUser(jwt, request);
    const { printerId } = request.params as Static<typeof Params>;
    const printer = await printers.update(user, printerId, request.body as Static<typeof UpdatePrinterBody>);
    return { success: true, printer: toPrinterView(printer) };
  };
  app.patch('/printers/:printerId', { schema: { tags, security, params: Params, body: UpdatePrinterBody } }, update);
  app.put('/printers/:printerId', { schema: { tags, security, params: Params, body: UpdatePrinterBody } }, update);

  app.delete('/printers/:printerId', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { printerId } = request.params as Static<typeof Params>;
    await printers.delete(user, printerId);
    return { success: true, message: 'printer deleted' };
  });

  app.post(
    '/printers/:printerId/test',
    // A few hundred bytes each way: nothing to compress, and this is the RPC hot path.
    { schema: { tags, security, params: Params, body: TestBody }, compress: false, decompress: false },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { printerId } = request.params as Static<typeof Params>;
      const body = (request.body ?? {}) as { testType?: string; content?: string };
      const answer = await printerTests.run(user, printerId, body);
      const response: Omit<PrinterTestAnswer, 'agentProcessingTime'> = {
        success: answer.success,
        message: answer.message,
        timestamp: answer.timestamp,
        correlationId: answer.correlationId,
        clientsAvailable: answer.clientsAvailable,
        processingTime: answer.processingTime,
        outcome: answer.outcome,
        delivered: answer.delivered,
        sourceClient: answer.sourceClient,
      };
      if (answer.error) response.error = answer.error;
      return response;
    },
  );
}
