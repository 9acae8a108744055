import {
  type ConnectionQuality,
  connectionQuality,
  type DesktopHealthReport,
  HIGH_LATENCY_MS,
} from '@printermaster/protocol';
import type { HealthSample, HealthStore } from './ports/health-store.js';
import type { OutboxEvent } from './ports/outbox-event.js';
import type { AgentPrincipal } from './principal.js';

/** How many health reports are kept per device. */
export const HEALTH_HISTORY_SIZE = 100;

/** Agents' own health reports (`desktop:health:report`), kept per device. */
export class HealthService {
  constructor(private readonly store: HealthStore) {}

  /**
   * Stores a report. The quality is recomputed from the reported latency and
   * loss rather than taken from the agent's claim, so every agent is judged alike.
   */
  async recordReport(agent: AgentPrincipal, report: DesktopHealthReport): Promise<ConnectionQuality> {
    const quality = connectionQuality(report.averageLatency, report.packetLossRate);
    await this.store.append(
      {
        companyId: agent.companyId,
        branchId: agent.branchId,
        deviceId: agent.deviceId,
        averageLatency: report.averageLatency,
        packetLossRate: report.packetLossRate,
        connectionQuality: quality,
        report: { ...report, branchId: agent.branchId, deviceId: agent.deviceId },
      },
      HEALTH_HISTORY_SIZE,
      healthAlert,
    );
    return quality;
  }

  history(branchId: string, deviceId: string, limit = HEALTH_HISTORY_SIZE): Promise<HealthSample[]> {
    return this.store.history(branchId, deviceId, limit);
  }
}

/**
 * The `agent.health_alert` a health report raises: `poor_connection_quality` when its quality is
 * poor, `high_latency` above HIGH_LATENCY_MS (the alerts the agent health tracker raises on pings).
 */
export function healthAlert(sample: Omit<HealthSample, 'createdAt'>): OutboxEvent | undefined {
  const alerts: string[] = [];
  if (sample.connectionQuality === 'poor') alerts.push('poor_connection_quality');
  if (sample.averageLatency !== null && sample.averageLatency > HIGH_LATENCY_MS) alerts.push('high_latency');
  if (alerts.length === 0) return undefined;
  return {
    companyId: sample.companyId,
    branchId: sample.branchId,
    type: 'agent.health_alert',
    subjectId: sample.deviceId,
    data: {
      deviceId: sample.deviceId,
      branchId: sample.branchId,
      alerts,
      connectionQuality: sample.connectionQuality,
      averageLatency: sample.averageLatency,
      packetLossRate: sample.packetLossRate,
    },
  };
}
