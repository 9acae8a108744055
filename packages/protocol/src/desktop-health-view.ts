import type { ConnectionQuality } from './agent-events.js';

/** What an agent found when its journal was damaged at start-up (`agent:journal:damaged`). */
export interface JournalDamageNotice {
  /** ISO 8601 time the agent found it. */
  at: string;
  /** The damaged file, kept beside the agent's new journal. */
  file: string;
  damagedLines: number;
  recoveredEntries: number;
  /** Jobs made `unconfirmed` because entries of theirs were lost. */
  unconfirmedJobIds: string[];
}

/** One connected agent in `GET /printing/desktop-health` (docs/api.md#desktop-health-and-service-registry). */
export interface DesktopHealthEntry {
  /** `<branchId>:<deviceId>`. */
  clientId: string;
  branchId: string;
  companyId: string;
  deviceId: string;
  protocol: 'v2' | 'legacy';
  appVersion?: string;
  /** The gateway process the agent is connected to. */
  instanceId: string;
  /** Seconds connected. */
  uptime: number;
  /**
   * Reconnections the agent reported since it started (its own count, survives gateway restarts).
   * For an agent that has not reported (a legacy client): its connections to this gateway process
   * minus one, counted while it is connected or was connected within the last 15 minutes.
   */
  reconnectionCount: number;
  /** Milliseconds, over the last 20 pings. */
  averageLatency: number;
  /** Percent, 0–100, over the last 20 pings. */
  packetLossRate: number;
  connectionQuality: ConnectionQuality;
  /** ISO 8601; null before the first. */
  lastHeartbeat: string | null;
  lastHealthReport: string | null;
  /** Journal damage the agent reported at start-up, since it connected (absent if none). */
  journalDamage?: JournalDamageNotice;
}

/** `GET /printing/desktop-health`: served from a cache up to 60 s old (runbooks). */
export interface DesktopHealthSummary {
  timestamp: string;
  totalClients: number;
  healthMetrics: DesktopHealthEntry[];
  /** Agents per quality. */
  summary: Record<ConnectionQuality, number>;
}

/** One ping of an agent, oldest first in `metricsHistory` (the last 100 are kept). */
export interface HealthHistoryEntry {
  /** ISO 8601. */
  timestamp: string;
  /** Milliseconds; null for a ping that got no pong (counts as loss). */
  latency: number | null;
  quality: ConnectionQuality;
}

/** `GET /printing/desktop-health/:deviceId`: one agent, live, with its ping history. */
export interface DesktopHealthDetail extends DesktopHealthEntry {
  timestamp: string;
  metricsHistory: HealthHistoryEntry[];
}
