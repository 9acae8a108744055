import { isoTime } from '@printermaster/protocol';
import type { AgentHealthTracker } from '../core/agent-health-tracker.js';
import type { Clock } from '../core/clock.js';
import type { HealthService } from '../core/health-service.js';
import type { AgentEventHandlers } from './agent-event-router.js';

export interface HealthHandlersDeps {
  health: Pick<HealthService, 'recordReport'>;
  tracker: Pick<AgentHealthTracker, 'report' | 'degraded' | 'journalDamaged'>;
  clock: Clock;
}

type HealthEvents = 'agent:ping' | 'desktop:health:report' | 'desktop:health:degraded' | 'agent:journal:damaged';

/**
 * What a v2 agent tells of its own health: application pings (their round trip is the agent's
 * latency sample), the five-minute health report, a degraded connection, and a journal found
 * damaged at start-up. The tracker turns these into alerts for the tenant's admins. Engine.IO's
 * own ping/pong, which legacy clients answer too, is sampled by PingLatency.
 */
export function healthHandlers(deps: HealthHandlersDeps): Pick<AgentEventHandlers, HealthEvents> {
  const { health, tracker, clock } = deps;
  return {
    'agent:ping': () => ({ serverTime: isoTime(clock.now()) }),

    'desktop:health:report': async (s, p) => {
      const quality = await health.recordReport(s.principal, p);
      tracker.report(s.agent, p);
      s.log.info(
        {
          averageLatency: p.averageLatency,
          packetLossRate: p.packetLossRate,
          connectionQuality: quality,
          reconnectionCount: p.reconnectionCount,
        },
        'desktop health report received',
      );
      const reply = { received: true as const, timestamp: isoTime(clock.now()), connectionQuality: quality };
      s.socket.emit('desktop:health:acknowledged', reply);
      return reply;
    },

    'desktop:health:degraded': (s, p) => {
      s.log.warn({ reason: p.reason }, 'agent reports degraded connection');
      tracker.degraded(s.agent, p.reason);
      return { received: true };
    },

    'agent:journal:damaged': (s, p) => {
      s.log.error(
        {
          file: p.file,
          damagedLines: p.damagedLines,
          recoveredEntries: p.recoveredEntries,
          unconfirmedJobIds: p.unconfirmedJobIds,
        },
        'agent journal damaged',
      );
      tracker.journalDamaged(s.agent, p);
      return { received: true };
    },
  };
}
