import { type ConnectionQuality, connectionQuality, type DesktopHealthReport } from '@printermaster/protocol';
import type { HealthSample, HealthStore } from './ports/health-store.js';
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
    );
    return quality;
  }

  history(branchId: string, deviceId: string, limit = HEALTH_HISTORY_SIZE): Promise<HealthSample[]> {
    return this.store.history(branchId, deviceId, limit);
  }
}
