import type { Clock } from './clock.js';
import type { MemoryBounds } from './memory-bounds.js';
import type { AgentDirectory } from './ports/agent-directory.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { Logger } from './ports/logger.js';

export interface AgentHealthTrackerOptions {
  instanceId: string;
  /** Directory entries live this long without a refresh, ms. */
  directoryTtlMs: number;
  /** Called with every latency sample, seconds (metrics). */
  onLatencySample?: (seconds: number) => void;
  /**
   * History kept per device for `GET /printing/desktop-health/:deviceId`, and how many devices
   * that left are remembered for how long; the defaults when not given.
   */
  bounds?: Pick<MemoryBounds, 'agentHealthSamples' | 'departedAgents' | 'departedAgentKeepMs'>;
}

/** What the health tracker is built from (create-core.ts). */
export interface AgentHealthTrackerDeps {
  directory: AgentDirectory;
  broadcaster: Broadcaster;
  clock: Clock;
  logger: Logger;
  options: AgentHealthTrackerOptions;
}
