/** What the gateway's REST API and socket hand the dashboard (docs/api.md, docs/protocol.md). */

export type Role = 'super_admin' | 'company_owner' | 'branch_manager' | 'cashier';

export interface User {
  userId: string;
  role: Role;
  email?: string;
  companyId?: string;
  branchId?: string;
}

export interface Me {
  user: User;
  /** ISO 8601: when the access cookie's token expires. */
  expiresAt?: string;
}

export type PrinterStatus = 'online' | 'offline' | 'busy' | 'error' | 'unknown';

export interface Printer {
  id: string;
  companyId: string;
  branchId: string;
  name: string;
  type: string;
  connection: string;
  status: PrinterStatus;
  statusReason?: string;
  ip?: string;
  port?: number;
  model?: string;
  location?: string;
  deviceId?: string;
  lastSeen?: string;
  updatedAt: string;
}

export const JOB_STATES = [
  'queued',
  'sent',
  'accepted',
  'printing',
  'completed',
  'failed',
  'cancelled',
  'expired',
  'unconfirmed',
] as const;
export type JobState = (typeof JOB_STATES)[number];
export const WAITING_STATES: readonly JobState[] = ['queued', 'sent', 'accepted', 'printing'];

export interface JobEvent {
  state: JobState;
  fromState?: JobState;
  actor: string;
  reason?: string;
  timestamp: string;
}

export interface Job {
  id: string;
  companyId: string;
  branchId: string;
  printerId: string;
  state: JobState;
  type: string;
  priority: number;
  copies: number;
  byteLength: number;
  reprintOf?: string;
  deviceId?: string;
  reason?: string;
  attempts: number;
  usefulUntil: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  events?: JobEvent[];
}

export interface AgentHealth {
  deviceId: string;
  branchId: string;
  averageLatency: number;
  packetLossRate: number;
  connectionQuality: 'excellent' | 'good' | 'fair' | 'poor';
  lastHeartbeat?: string;
  lastHealthReport?: string;
  protocol?: string;
}

export interface Branch {
  id: string;
  companyId: string;
  name: string;
  status: string;
}

export interface PrinterStatusEntry {
  printerId: string;
  status: PrinterStatus;
  /** Why, from agents that say (absent for a ready printer). */
  reason?: string;
  branchId: string;
  lastSeen: string;
}

export interface PrinterTestOutcome {
  success: boolean;
  outcome?: 'printed' | 'failed' | 'unconfirmed';
  message?: string;
  error?: string;
  processingTime?: number;
}
