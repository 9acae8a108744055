import type { AgentHealthTracker } from '../core/agent-health-tracker.js';
import type { Clock } from '../core/clock.js';
import type { AgentSession } from './gateway-sockets.js';

export interface PingLatencyDeps {
  tracker: Pick<AgentHealthTracker, 'sample'>;
  clock: Clock;
}

/**
 * Every agent's latency, legacy clients included, from Engine.IO's own ping and pong (sent every
 * `pingIntervalMs`): each pong is a sample of its round trip, and a ping still unanswered when
 * the next one goes out is a lost one (`null`).
 */
export class PingLatency {
  constructor(private readonly deps: PingLatencyDeps) {}

  pingSent(session: AgentSession): void {
    if (session.pingSentAt !== undefined) this.deps.tracker.sample(session.agent, null);
    session.pingSentAt = this.deps.clock.now();
  }

  pongReceived(session: AgentSession): void {
    if (session.pingSentAt === undefined) return;
    this.deps.tracker.sample(session.agent, this.deps.clock.now() - session.pingSentAt);
    session.pingSentAt = undefined;
  }
}
