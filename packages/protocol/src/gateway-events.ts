import type { ConnectionQuality, PrinterStatus } from './agent-events.js';
import type { AckResponse, WireError } from './errors.js';
import type { JobState, JobType, PrintJobView } from './print-job.js';

/** `printer:test` to the agent. Legacy clients need `printerId` and `printerName`. */
export interface PrinterTestRequest {
  printerId: string;
  printerName: string;
  correlationId: string;
  /** ISO 8601. */
  requestTimestamp: string;
  branchId: string;
  branchName: string;
  companyName: string;
  type: string;
  connection: string;
  ip?: string;
  port?: number;
  capabilities: string[];
  /** Optional test content: the test type and, for `custom`, the text to print. */
  testType?: string;
  content?: string;
  metadata: {
    requestSource: 'backend_gateway';
    expectedResponseEvent: 'printer:test:result';
    /** Milliseconds the gateway waits for the result. */
    timeout: number;
  };
}

/**
 * `print:job` to a v2 agent. The agent answers through the Socket.IO
 * acknowledgement once the job is in its journal, with its current state for
 * the job (a duplicate delivery gets the state it already has).
 */
export interface PrintJobDelivery {
  id: string;
  printerId: string;
  printerName: string;
  /** Raw ESC/POS bytes, base64. */
  content: string;
  encoding: 'base64';
  type: JobType;
  /** 1–10, higher first. */
  priority: number;
  copies: number;
  orderData?: Record<string, unknown>;
  /** ISO 8601; the agent never starts printing after this time. */
  usefulUntil: string;
  /** ISO 8601 creation time. */
  timestamp: string;
  /**
   * Which send this is, from 1. Above 1 the job went to this agent before and may be in its
   * journal already; an agent whose journal lost entries since `timestamp` must not print an
   * unknown job sent again, and answers `unconfirmed` instead.
   */
  attempt?: number;
  /** How the agent reaches the printer, as the gateway knows it. */
  printer: { connection: string; ip?: string; port?: number; systemName?: string };
}

/** The agent's answer to `print:job`: the state the job has in its journal. */
export type PrintJobDeliveryAck = AckResponse<{
  jobId: string;
  state: Extract<JobState, 'accepted' | 'printing' | 'completed' | 'failed' | 'unconfirmed'>;
  reason?: string;
}>;

export interface PrinterStatusRequest {
  action: 'status_update';
  printerIds?: string[];
  timestamp: string;
  branchId: string;
}

export interface PrinterHeartbeat {
  action: 'heartbeat';
  printerIds: string[];
  timestamp: string;
  branchId: string;
}

/** A printer as the REST API and web clients see it. */
export interface PrinterView {
  id: string;
  companyId: string;
  branchId: string;
  name: string;
  type: string;
  connection: string;
  /** As last reported; `offline` when no connected agent can reach the printer (see `statusReason`). */
  status: PrinterStatus;
  /** Why the status is what it is, when the gateway knows better than the last report: `agent_disconnected`. */
  statusReason?: 'agent_disconnected';
  ip?: string;
  port?: number;
  manufacturer?: string;
  model?: string;
  location?: string;
  paperWidth?: number;
  assignedTo?: string;
  isDefault: boolean;
  capabilities: string[];
  discoveredBy?: string;
  discoveryMethod?: string;
  deviceId?: string;
  lastSeen?: string;
  createdAt: string;
  updatedAt: string;
}

export interface PrinterUpdateEvent {
  action: 'discovered' | 'updated' | 'status_updated' | 'created' | 'deleted';
  printer: PrinterView;
  branchId: string;
  companyId: string;
  timestamp: string;
}

export interface PrinterStatusEntry {
  printerId: string;
  name?: string;
  status: PrinterStatus;
  branchId: string;
  companyId: string;
  /** ISO 8601 time the agent saw this status. */
  lastSeen: string;
}

export interface PrinterTestCompletedEvent {
  printerId: string;
  correlationId: string;
  success: boolean;
  error?: string;
  message?: string;
  timestamp: string;
  processingTime?: number;
  /** ISO 8601 time the gateway received the result. */
  receivedAt: string;
  /** `v2_agent` or `legacy_client`. */
  sourceClient: string;
  /** For legacy clients: `unconfirmed` when the client's own report cannot be trusted (PROTOCOL.md section 9). */
  outcome?: 'printed' | 'failed' | 'unconfirmed';
}

export interface DesktopHealthAlertEvent {
  severity: 'critical' | 'high' | 'medium' | 'low';
  /** `journal_damaged`: the agent found its journal damaged at start-up (`reason` says what it did). */
  type: 'poor_connection_quality' | 'high_latency' | 'connection_degraded' | 'recovered' | 'journal_damaged';
  deviceId?: string;
  branchId?: string;
  reason?: string;
  metrics?: { averageLatency?: number; packetLossRate?: number; connectionQuality?: ConnectionQuality };
  timestamp: string;
}

/** `printJobUpdate` to the branch's web clients on every state change. */
export interface PrintJobUpdateEvent {
  action: 'created' | 'state_changed';
  job: PrintJobView;
  fromState?: JobState;
  branchId: string;
  companyId: string;
  timestamp: string;
}

/** Event a socket receives when one of its events was rejected. */
export interface SocketErrorEvent extends WireError {
  /** The event that was rejected. */
  event: string;
}

/** Names of events the gateway emits. */
export const GATEWAY_EVENTS = {
  branchJoined: 'branch:joined',
  desktopStatusAcknowledged: 'desktop:status:acknowledged',
  printerDiscoveryAcknowledged: 'printer:discovery:acknowledged',
  printerDiscoveryError: 'printer:discovery:error',
  printerStatusAcknowledged: 'printer:status:acknowledged',
  desktopHealthAcknowledged: 'desktop:health:acknowledged',
  printerTest: 'printer:test',
  printJob: 'print:job',
  printerStatusRequest: 'printer:status:request',
  printerHeartbeat: 'printer:heartbeat',
  printerUpdate: 'printerUpdate',
  printerStatusUpdate: 'printerStatusUpdate',
  printerTestCompleted: 'printer:test:completed',
  desktopHealthAlert: 'desktop:health:alert',
  printJobUpdate: 'printJobUpdate',
  error: 'error:event',
} as const;
