import { type Static, Type } from '@sinclair/typebox';
import { TicketDocumentSchema } from './ticket-document.js';

/**
 * Print job states (docs/protocol.md#job-states). `queued` and `sent` are re-sent to the
 * branch's agent; `accepted` and `printing` belong to the agent; `held` waits for a person (a
 * ticket too old to print when it could be sent: docs/api.md#held-jobs); the rest are final.
 */
export const JOB_STATES = [
  'queued',
  'held',
  'sent',
  'accepted',
  'printing',
  'completed',
  'failed',
  'unconfirmed',
  'expired',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];
export const JobStateSchema = Type.Union(JOB_STATES.map((s) => Type.Literal(s)));

export const FINAL_JOB_STATES: readonly JobState[] = ['completed', 'failed', 'unconfirmed', 'expired', 'cancelled'];
/** The states a job can still leave: the rest of {@link JOB_STATES} are final. */
export const OPEN_JOB_STATES = [
  'queued',
  'held',
  'sent',
  'accepted',
  'printing',
] as const satisfies readonly JobState[];
export type OpenJobState = (typeof OPEN_JOB_STATES)[number];

export function isFinalJobState(state: JobState): boolean {
  return FINAL_JOB_STATES.includes(state);
}

export const JOB_TYPES = ['receipt', 'kitchen', 'label', 'test'] as const;
export type JobType = (typeof JOB_TYPES)[number];
export const JobTypeSchema = Type.Union(JOB_TYPES.map((t) => Type.Literal(t)));

/** Default priority; 1 is lowest, 10 highest. Higher priorities are sent first. */
export const DEFAULT_JOB_PRIORITY = 5;

/**
 * Body of `POST /printing/jobs`. Exactly one of `content` (raw ESC/POS, base64)
 * or `document` (rendered by the gateway) is required.
 */
export const CreatePrintJobBodySchema = Type.Object(
  {
    /** The printer; or give `stationId` instead. */
    printerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** A station of the branch: the job goes to its first ready printer, and moves on if that one stops being ready. */
    stationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    type: Type.Optional(JobTypeSchema),
    /** 1–10, higher first; default 5. */
    priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    /** Copies the agent prints; 1–10, default 1. */
    copies: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    /** Raw ESC/POS bytes, base64. At most `PRINTERMASTER_MAX_JOB_BYTES` once decoded. */
    content: Type.Optional(Type.String({ minLength: 1, contentEncoding: 'base64' })),
    document: Type.Optional(TicketDocumentSchema),
    /** ISO 8601 time after which the job must not be printed; default now + the configured TTL. */
    usefulUntil: Type.Optional(Type.String({ format: 'date-time' })),
    /** Opaque order data passed to the agent (at most 16 KB as JSON). */
    orderData: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type CreatePrintJobBody = Static<typeof CreatePrintJobBodySchema>;

export const PrintJobEventViewSchema = Type.Object({
  state: JobStateSchema,
  /** The state before, absent for the creation event. */
  fromState: Type.Optional(JobStateSchema),
  /** Who moved it: `api`, `gateway`, `agent:<deviceId>`. */
  actor: Type.String(),
  reason: Type.Optional(Type.String()),
  timestamp: Type.String({ format: 'date-time' }),
});
export type PrintJobEventView = Static<typeof PrintJobEventViewSchema>;

/** A print job as the REST API and the dashboard see it (no content bytes). */
export const PrintJobViewSchema = Type.Object({
  id: Type.String(),
  companyId: Type.String(),
  branchId: Type.String(),
  printerId: Type.String(),
  state: JobStateSchema,
  type: JobTypeSchema,
  priority: Type.Integer(),
  copies: Type.Integer(),
  /** Size of the ESC/POS content in bytes. */
  byteLength: Type.Integer(),
  /** The job this one reprints, if it is a reprint. */
  reprintOf: Type.Optional(Type.String()),
  /** The station it was sent to; `printerId` is the station's printer it is on now. */
  stationId: Type.Optional(Type.String()),
  idempotencyKey: Type.Optional(Type.String()),
  /** The agent the job was sent to, once sent. */
  deviceId: Type.Optional(Type.String()),
  /** Why it failed, expired or is unconfirmed. */
  reason: Type.Optional(Type.String()),
  attempts: Type.Integer(),
  usefulUntil: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Optional(Type.String({ format: 'date-time' })),
  events: Type.Optional(Type.Array(PrintJobEventViewSchema)),
});
export type PrintJobView = Static<typeof PrintJobViewSchema>;
