import type { AgentHealthTracker } from '../core/agent-health-tracker.js';
import type { Clock } from '../core/clock.js';
import type { AgentSession } from './gateway-sockets.js';

export interface PingLatencyDeps {
  tracker: Pick<AgentHealthTracker, 'sample'>;
  clock: Clock;
}

/**
 * Every agent's latency, legacy clients included, from Engine.IO's own ping and pong (sent every
 * `pingIntervalMs`): each pong is a sample of its round trip. Engine.IO sends the next ping only
 * after a pong, and closes a connection whose ping got none within `pingTimeoutMs`: that drop is
 * the lost ping, which the health tracker records when the agent disconnects. (A ping still
 * unanswered when another goes out would count as lost too; Engine.IO 6 never does that.)
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
