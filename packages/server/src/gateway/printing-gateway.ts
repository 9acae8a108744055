import { PRINTING_NAMESPACE } from '@printermaster/protocol';
import type { JwtService } from '../auth/jwt-service.js';
import type { AgentHealthTracker } from '../core/agent-health-tracker.js';
import type { AgentLeases } from '../core/agent-leases.js';
import type { Clock } from '../core/clock.js';
import type { CoreEvents } from '../core/core-events.js';
import type { HealthService } from '../core/health-service.js';
import type { JobDispatcher } from '../core/job-dispatcher.js';
import type { JobLifecycle } from '../core/job-lifecycle.js';
import type { LicenseService } from '../core/license-service.js';
import type { DeviceStore } from '../core/ports/device-store.js';
import type { Logger } from '../core/ports/logger.js';
import type { TenantStore } from '../core/ports/tenant-store.js';
import type { PrinterService } from '../core/printer-service.js';
import type { PrinterTestService } from '../core/printer-test-service.js';
import { AgentAuthentication } from './agent-authentication.js';
import { type AgentEventHandlers, AgentEventRouter } from './agent-event-router.js';
import { AgentSessions } from './agent-sessions.js';
import { type AttachSocketIoDeps, attachSocketIo } from './attach-socket-io.js';
import type { CredentialWatch } from './credential-watch.js';
import { type DeflateSharing, deflateSharingOfProcess } from './deflate-sharing.js';
import { EngineListeners } from './engine-listeners.js';
import type { GatewayServer, PrintingNamespace, WebClientSocket } from './gateway-sockets.js';
import { healthHandlers } from './health-handlers.js';
import { jobHandlers } from './job-handlers.js';
import { PingLatency } from './ping-latency.js';
import { printerHandlers } from './printer-handlers.js';
import { printerTestHandlers } from './printer-test-handlers.js';
import type { RoomBroadcaster } from './room-broadcaster.js';
import { sessionHandlers } from './session-handlers.js';
import type { SocketAgentLink } from './socket-agent-link.js';
import { socketHandshake } from './socket-handshake.js';
import { WebAuthentication } from './web-authentication.js';
import { WebClients } from './web-clients.js';

export interface PrintingGatewayDeps
  extends Pick<
    AttachSocketIoDeps,
    | 'httpServer'
    | 'corsOrigins'
    | 'maxMessageBytes'
    | 'perMessageDeflate'
    | 'adapter'
    | 'pingIntervalMs'
    | 'pingTimeoutMs'
  > {
  licenses: LicenseService;
  jwt: JwtService;
  printers: PrinterService;
  printerTests: PrinterTestService;
  lifecycle: JobLifecycle;
  dispatcher: JobDispatcher;
  /** One active agent per branch (agent-leases.ts). */
  leases: Pick<AgentLeases, 'connected' | 'disconnected'>;
  health: HealthService;
  tracker: AgentHealthTracker;
  devices: DeviceStore;
  /** Branches, for web clients' room subscriptions. */
  branches: Pick<TenantStore, 'findBranch'>;
  link: SocketAgentLink;
  broadcaster: RoomBroadcaster;
  /** The core's hub: agents' status reports are announced on it (printer canaries). */
  events: CoreEvents;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  /** Take clients' addresses from X-Forwarded-For (behind a proxy). */
  trustProxy: boolean;
  /** Observes connections (metrics); `durationMs` on disconnect. */
  onConnectionChange?: (kind: 'agent' | 'web', delta: 1 | -1, reason?: string, durationMs?: number) => void;
  /** Closes sockets whose licence is taken back or whose token expires. */
  credentials: CredentialWatch;
  /** A browser connection refused for its Origin (CORS_ORIGINS); `address` is the peer's IP. */
  onOriginRefused?: (origin: string, address: string | undefined) => void;
  /** A socket's handshake refused: its kind and the error code behind it. */
  onHandshakeRefused?: (kind: 'agent' | 'web', code: string) => void;
}

/**
 * The Socket.IO namespace `/printing-ws` (docs/protocol.md), put together from its parts:
 * Socket.IO on the HTTP server (attach-socket-io.ts), the handshake that admits agents by licence
 * (agent-authentication.ts) and web clients by JWT (web-authentication.ts), agent sessions
 * (agent-sessions.ts) whose events are validated and routed to a handler per area (printers,
 * jobs, printer tests, health, session), and web clients in the rooms of their scope
 * (web-clients.ts, web-rooms.ts).
 */
export class PrintingGateway {
  readonly io: GatewayServer;
  readonly namespace: PrintingNamespace;
  /** The process's deflate sharing, when deflate is on and ws is the one it was written for. */
  readonly deflateSharing: DeflateSharing | undefined;
  private readonly webClients: WebClients;
  private readonly broadcaster: RoomBroadcaster;
  private draining = false;

  constructor(deps: PrintingGatewayDeps) {
    this.broadcaster = deps.broadcaster;
    const handlers: AgentEventHandlers = {
      ...sessionHandlers(deps),
      ...printerHandlers(deps),
      ...jobHandlers(deps),
      ...printerTestHandlers(deps),
      ...healthHandlers(deps),
    };
    const engine = new EngineListeners({ latency: new PingLatency(deps) });
    const agents = new AgentSessions({ ...deps, events: new AgentEventRouter(handlers), engine });
    this.webClients = new WebClients({ ...deps, engine });
    this.io = attachSocketIo({ ...deps, isDraining: () => this.draining });
    // A message broadcast to a room is deflated once for all its connections (deflate-sharing.ts).
    this.deflateSharing = deps.perMessageDeflate ? deflateSharingOfProcess() : undefined;
    if (deps.perMessageDeflate && !this.deflateSharing) {
      const message = 'ws is not the version deflate sharing was written for: each connection deflates for itself';
      deps.logger.warn({ component: 'socket' }, message);
    }
    this.namespace = this.io.of(PRINTING_NAMESPACE);
    this.broadcaster.attach(this.namespace);
    const admission = {
      agents: new AgentAuthentication(deps),
      web: new WebAuthentication(deps),
      logger: deps.logger,
      onRefused: deps.onHandshakeRefused,
    };
    this.namespace.use(socketHandshake(admission));
    this.namespace.on('connection', (socket) => {
      // The handshake decided the kind; from here on each kind has its own events.
      if (socket.data.kind === 'agent') agents.connected(socket.data);
      else this.webClients.connected(socket as WebClientSocket);
    });
  }

  get webClientCount(): number {
    return this.webClients.count;
  }

  get uniqueUserCount(): number {
    return this.webClients.uniqueUsers;
  }

  /** Refuse new connections from now on (the first step of a drain). */
  beginDrain(): void {
    this.draining = true;
  }

  /**
   * Drain: closes every transport so agents reconnect (to another process if
   * there is one). A transport close — not a namespace disconnect — because
   * legacy clients never come back after the latter.
   */
  async close(): Promise<void> {
    this.draining = true;
    this.broadcaster.flushStatus();
    for (const socket of this.namespace.sockets.values()) socket.conn.close();
    // The engine only: the HTTP server belongs to Fastify, which closes it after in-flight requests end.
    this.io.engine.close();
  }
}
