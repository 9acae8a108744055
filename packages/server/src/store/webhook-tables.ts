import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from './column-types.js';

/** The event outbox (migration 008). `id` is a bigint, read as a string. */
export interface EventTable {
  id: Generated<string>;
  seq: ColumnType<string | null, string | number | null | undefined, string | number | null>; // by the sequencer
  companyId: string;
  branchId: string | null;
  type: string;
  subjectId: string;
  data: Json<Record<string, unknown>>;
  createdAt: Timestamp;
}

export interface WebhookEndpointTable {
  id: string;
  companyId: string;
  branchId: string | null;
  url: string;
  description: string | null;
  events: ColumnType<string[], string[], string[]>;
  secret: string;
  previousSecret: ColumnType<string | null, string | null | undefined, string | null>;
  previousSecretUntil: NullableTimestamp;
  status: ColumnType<string, string | undefined, string>;
  disabledReason: ColumnType<string | null, string | null | undefined, string | null>;
  consecutiveFailures: ColumnType<number, number | undefined, number>;
  failingSince: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface WebhookDeliveryTable {
  id: Generated<string>;
  endpointId: string;
  companyId: string;
  eventId: string;
  seq: string;
  orderingKey: string;
  state: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  nextAttemptAt: Timestamp;
  lockedUntil: NullableTimestamp;
  firstAttemptAt: NullableTimestamp;
  deliveredAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface WebhookAttemptTable {
  id: Generated<string>;
  deliveryId: string;
  endpointId: string;
  companyId: string;
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseSnippet: string | null;
  gatewayInstance: string;
  createdAt: Timestamp;
}
