import type { PrinterProfile, ServiceHours } from '@printermaster/protocol';
import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableJson, NullableTimestamp, Timestamp } from './column-types.js';
import type { EventTable, WebhookAttemptTable, WebhookDeliveryTable, WebhookEndpointTable } from './webhook-tables.js';

export type { EventTable, WebhookAttemptTable, WebhookDeliveryTable, WebhookEndpointTable };

export interface CompanyTable {
  id: string;
  name: string;
  status: ColumnType<string, string | undefined, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface BranchTable {
  id: string;
  companyId: string;
  name: string;
  status: ColumnType<string, string | undefined, string>; // `active` or `suspended` (its agents and jobs refused)
  serviceHours: NullableJson<ServiceHours>; // 014: NULL: none set, always in service for alerts
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface LicenseTable {
  id: string;
  companyId: string;
  branchId: string;
  keyHash: string;
  keyHint: string;
  status: ColumnType<string, string | undefined, string>;
  expiresAt: NullableTimestamp;
  boundDeviceId: ColumnType<string | null, string | null | undefined, string | null>;
  maxPrinters: ColumnType<number, number | undefined, number>;
  features: Json<string[]>;
  lastValidatedAt: NullableTimestamp;
  /** The key replaced by the last rotation, valid until `previousKeyValidUntil`. */
  previousKeyHash: ColumnType<string | null, string | null | undefined, string | null>;
  previousKeyValidUntil: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface DeviceTable {
  companyId: string;
  branchId: string;
  deviceId: string;
  licenseId: string | null;
  kind: ColumnType<string, string | undefined, string>;
  hostname: string | null;
  platform: string | null;
  arch: string | null;
  appVersion: string | null;
  protocolVersion: number | null;
  capabilities: Json<string[]>;
  lastAddress: string | null;
  firstSeenAt: Timestamp;
  lastSeenAt: Timestamp;
}

export interface DeviceSessionTable {
  id: string;
  companyId: string;
  branchId: string;
  deviceId: string;
  gatewayInstance: string;
  remoteAddress: string | null;
  protocolVersion: number | null;
  connectedAt: Timestamp;
  disconnectedAt: NullableTimestamp;
  disconnectReason: string | null;
}

export interface PrinterTable {
  id: string;
  companyId: string;
  branchId: string;
  name: string;
  type: ColumnType<string, string | undefined, string>;
  connection: ColumnType<string, string | undefined, string>;
  status: ColumnType<string, string | undefined, string>;
  ip: string | null;
  port: number | null;
  systemName: string | null;
  manufacturer: string | null;
  model: string | null;
  location: string | null;
  paperWidth: number | null;
  assignedTo: string | null;
  isDefault: ColumnType<boolean, boolean | undefined, boolean>;
  capabilities: Json<string[]>;
  statusReason: string | null; // 012: a PrinterStatusReason as reported; NULL: nothing to say
  profile: NullableJson<PrinterProfile>; // 011: NULL is the default profile for the paper width
  discoveredBy: string | null;
  discoveryMethod: string | null;
  deviceId: string | null;
  lastSeenAt: NullableTimestamp;
  canaryAt: NullableTimestamp; // 013: the last canary; NULL before the first
  canaryOk: boolean | null;
  canaryMs: number | null;
  canaryReason: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface PrintJobTable {
  id: string;
  companyId: string;
  branchId: string;
  printerId: string;
  state: string;
  type: string;
  priority: number;
  copies: number;
  content: Uint8Array;
  byteLength: number;
  orderData: NullableJson<Record<string, unknown>>;
  idempotencyKey: string | null;
  reprintOf: string | null;
  deviceId: string | null;
  reason: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  usefulUntil: Timestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  completedAt: NullableTimestamp;
  stationId: ColumnType<string | null, string | null | undefined, string | null>; // 016
  movedFrom: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface StationTable {
  id: string;
  companyId: string;
  branchId: string;
  name: string;
  printerIds: Json<string[]>; // first choice first
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface PaperCheckTable {
  tokenHash: string;
  companyId: string;
  branchId: string;
  printerId: string;
  jobId: string;
  createdAt: Timestamp;
  confirmedAt: NullableTimestamp;
  confirmedBy: string | null;
}

export interface AgentLeaseTable {
  branchId: string;
  groupName: string;
  companyId: string;
  deviceId: string;
  instanceId: string;
  expiresAt: Timestamp;
  acquiredAt: Timestamp;
}

export interface PrintJobEventTable {
  id: Generated<string>;
  jobId: string;
  companyId: string;
  fromState: string | null;
  toState: string;
  actor: string;
  reason: string | null;
  createdAt: Timestamp;
}

export interface IdempotencyKeyTable {
  companyId: string;
  key: string;
  requestHash: string;
  jobId: string;
  createdAt: Timestamp;
}

export interface DeviceHealthReportTable {
  id: Generated<string>;
  companyId: string;
  branchId: string;
  deviceId: string;
  averageLatency: number | null;
  packetLossRate: number | null;
  connectionQuality: string | null;
  report: Json<Record<string, unknown>>;
  createdAt: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  companyId: string | null;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: NullableJson<Record<string, unknown>>;
  sourceAddress: string | null; // 009: where the action came from; null before, and for the gateway's own
  createdAt: Timestamp;
}

export interface GatewayMetaTable {
  key: string;
  value: Json<unknown>;
  updatedAt: Timestamp;
}

export interface ApiKeyTable {
  id: string;
  companyId: string | null; // null for a platform key (role `super_admin`)
  branchId: string | null;
  name: string;
  role: string;
  prefix: string;
  keyHash: string;
  expiresAt: NullableTimestamp;
  lastUsedAt: NullableTimestamp;
  revokedAt: NullableTimestamp;
  createdBy: string;
  createdAt: Timestamp;
}

export interface RefreshTokenTable {
  id: string;
  familyId: string;
  tokenHash: string;
  userId: string;
  email: string | null;
  role: string;
  companyId: string | null;
  branchId: string | null;
  expiresAt: Timestamp;
  usedAt: NullableTimestamp;
  revokedAt: NullableTimestamp;
  revokeReason: string | null;
  createdAt: Timestamp;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  checksum: string;
  appliedAt: Timestamp;
}

/** The schema as Kysely sees it, in camelCase (the CamelCasePlugin maps to snake_case). */
export interface DatabaseSchema {
  companies: CompanyTable;
  branches: BranchTable;
  licenses: LicenseTable;
  devices: DeviceTable;
  deviceSessions: DeviceSessionTable;
  printers: PrinterTable;
  printJobs: PrintJobTable;
  stations: StationTable;
  paperChecks: PaperCheckTable;
  agentLeases: AgentLeaseTable;
  printJobEvents: PrintJobEventTable;
  idempotencyKeys: IdempotencyKeyTable;
  deviceHealthReports: DeviceHealthReportTable;
  auditLog: AuditLogTable;
  gatewayMeta: GatewayMetaTable;
  apiKeys: ApiKeyTable;
  refreshTokens: RefreshTokenTable;
  events: EventTable;
  webhookEndpoints: WebhookEndpointTable;
  webhookDeliveries: WebhookDeliveryTable;
  webhookAttempts: WebhookAttemptTable;
  schemaMigrations: SchemaMigrationTable;
}
