import type { ConnectionQuality, JournalDamageNotice } from '@printermaster/protocol';

export type { JournalDamageNotice };

/** An agent's connection health as the gateway sees it. */
export interface AgentHealthSnapshot {
  /** ms; transport round trips measured by the gateway, combined with the agent's own report. */
  averageLatency: number;
  /** percent, 0–100. */
  packetLossRate: number;
  connectionQuality: ConnectionQuality;
  /** Reconnections reported by the agent (v2) or counted by the gateway. */
  reconnectionCount: number;
  /** ISO 8601 time of the last pong or report. */
  lastHeartbeat: string | undefined;
  /** ISO 8601 time of the last `desktop:health:report` (v2 agents only). */
  lastHealthReport: string | undefined;
  /** The last journal damage the agent reported since it connected (`agent:journal:damaged`); absent if none. */
  journalDamage?: JournalDamageNotice;
}

/** A connected agent, as every gateway process can see it. */
export interface AgentRecord {
  deviceId: string;
  branchId: string;
  companyId: string;
  /** The gateway process holding the agent's socket. */
  instanceId: string;
  protocol: 'v2' | 'legacy';
  /** Unix ms. */
  connectedAt: number;
  address: string;
  appVersion: string | undefined;
  health: AgentHealthSnapshot;
}

/**
 * Knows which gateway process holds each agent's socket, across processes.
 * Entries expire unless refreshed within `ttlMs`, so the agents of a crashed
 * process disappear without anyone removing them.
 */
export interface AgentDirectory {
  /** Records or refreshes an agent on `record.instanceId`. */
  put(record: AgentRecord, ttlMs: number): Promise<void>;
  /** Records or refreshes many at once (periodic refresh). */
  putMany(records: AgentRecord[], ttlMs: number): Promise<void>;
  /**
   * Removes the entry only if it still belongs to `instanceId`: a late
   * disconnect on one process must not erase a newer connection on another.
   */
  remove(branchId: string, deviceId: string, instanceId: string): Promise<void>;
  inBranch(branchId: string): Promise<AgentRecord[]>;
  find(branchId: string, deviceId: string): Promise<AgentRecord | undefined>;
  /** Every live agent, optionally within a company or branch. */
  list(filter?: { companyId?: string; branchId?: string }): Promise<AgentRecord[]>;
}
