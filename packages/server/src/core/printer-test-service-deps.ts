import type { Clock } from './clock.js';
import type { CorrelationIds } from './correlation-ids.js';
import type { MemoryBounds } from './memory-bounds.js';
import type { PendingRequests } from './pending-requests.js';
import type { AgentLink } from './ports/agent-link.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { Logger } from './ports/logger.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import type { TenantStore } from './ports/tenant-store.js';
import type { PrinterService } from './printer-service.js';
import type { PrinterTestReply } from './printer-test-reply.js';
import type { RemoteAgentLink } from './remote-agent-link.js';

/** What the printer-test service is built from (create-core.ts). */
export interface PrinterTestServiceDeps {
  printers: PrinterService;
  tenants: TenantStore;
  /** The agents of this process. */
  link: AgentLink;
  /** The agents of other processes. */
  remote: RemoteAgentLink;
  pending: PendingRequests<PrinterTestReply>;
  ids: CorrelationIds;
  limits: { branch: RateLimiter; printer: RateLimiter };
  broadcaster: Broadcaster;
  clock: Clock;
  logger: Logger;
  /** Deadline for the result, ms (docs/protocol.md#timeouts-and-intervals: 15 s). */
  timeoutMs: number;
  /** Branch names and legacy tests awaiting a late result kept at most; the defaults when not given. */
  bounds?: Pick<MemoryBounds, 'branchNameCache' | 'legacyTests'>;
}
