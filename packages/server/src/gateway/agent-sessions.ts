import type { DisconnectReason } from 'socket.io';
import type { AgentHealthTracker } from '../core/agent-health-tracker.js';
import type { AgentLeases } from '../core/agent-leases.js';
import type { Clock } from '../core/clock.js';
import type { JobDispatcher } from '../core/job-dispatcher.js';
import type { DeviceStore } from '../core/ports/device-store.js';
import type { AgentEventRouter } from './agent-event-router.js';
import type { CredentialWatch } from './credential-watch.js';
import type { EngineListeners } from './engine-listeners.js';
import type { AgentSession, AgentSocket } from './gateway-sockets.js';
import type { SocketAgentLink } from './socket-agent-link.js';
import { SOCKET_LOG_COMPONENT } from './socket-log-component.js';

export interface AgentSessionsDeps {
  link: SocketAgentLink;
  credentials: CredentialWatch;
  tracker: Pick<AgentHealthTracker, 'connected' | 'disconnected'>;
  devices: Pick<DeviceStore, 'upsert' | 'openSession' | 'closeSession'>;
  dispatcher: Pick<JobDispatcher, 'agentConnected'>;
  /** The branch's active-agent lease: claimed on connect, let go on disconnect. */
  leases: Pick<AgentLeases, 'connected' | 'disconnected'>;
  events: AgentEventRouter;
  engine: EngineListeners;
  clock: Clock;
  /** This process, recorded on each device session. */
  instanceId: string;
  /** Observes connections (metrics); `durationMs` on disconnect. */
  onConnectionChange?: (kind: 'agent', delta: 1 | -1, reason?: string, durationMs?: number) => void;
}

/**
 * An admitted agent from connect to disconnect: it becomes the device's socket in the agent link
 * (an older socket of the same device has its transport closed), its licence is watched, its
 * events are routed, and its device and session rows are written. A v2 agent is then sent the
 * branch's waiting jobs.
 */
export class AgentSessions {
  // Shared by every agent socket; Socket.IO calls it with the socket as `this`.
  private readonly onDisconnect: (this: AgentSocket, reason: DisconnectReason) => void;

  constructor(private readonly deps: AgentSessionsDeps) {
    const sessions = this;
    this.onDisconnect = function (this: AgentSocket, reason: DisconnectReason) {
      sessions.closed(this.data, reason);
    };
  }

  connected(session: AgentSession): void {
    const { agent, socket, log, auth } = session;
    const { link, devices } = this.deps;
    // Agents join no rooms: every broadcast is for web clients, and the link holds each agent's socket.
    const replaced = link.add(agent, socket);
    this.deps.credentials.watchAgent(socket, session.credential, log);
    // An older socket of the same device is dead or about to be: close its transport only.
    if (replaced && replaced !== socket) replaced.conn.close();
    this.deps.onConnectionChange?.('agent', 1);
    this.deps.tracker.connected(agent, auth.appVersion?.slice(0, 64));
    this.deps.engine.watchAgent(session);
    socket.onAny(this.deps.events.listener);
    socket.on('disconnect', this.onDisconnect);
    log.info(
      {
        ...SOCKET_LOG_COMPONENT,
        protocol: agent.protocol,
        address: socket.handshake.address,
        agents: link.size,
        transport: socket.conn.transport.name,
      },
      'Client connected',
    );
    // Bookkeeping the handshake does not wait for: these rows are gathered into group writes.
    void devices
      .upsert({
        companyId: agent.companyId,
        branchId: agent.branchId,
        deviceId: agent.deviceId,
        licenseId: agent.licenseId,
        kind: agent.protocol,
        appVersion: auth.appVersion ?? null,
        protocolVersion: auth.protocolVersion ?? null,
        capabilities: agent.capabilities,
        lastAddress: agent.address,
      })
      .catch((err: unknown) => log.error({ err }, 'recording the agent device failed'));
    void devices
      .openSession({
        id: session.sessionId,
        companyId: agent.companyId,
        branchId: agent.branchId,
        deviceId: agent.deviceId,
        gatewayInstance: this.deps.instanceId,
        remoteAddress: socket.handshake.address,
        protocolVersion: agent.protocol === 'v2' ? 2 : null,
        appVersion: auth.appVersion ?? null,
      })
      .catch((err: unknown) => log.error({ err }, 'recording the agent session failed'));
    if (agent.protocol === 'v2') {
      // The lease first: a standby agent must not be sent the branch's jobs.
      this.deps.leases
        .connected(agent)
        .catch((err: unknown) => log.error({ err }, 'claiming the branch lease failed'))
        .then(() => this.deps.dispatcher.agentConnected(agent.branchId))
        .catch((err: unknown) => log.error({ err }, 'print job dispatch on connect failed'));
    }
  }

  private closed(session: AgentSession, reason: DisconnectReason): void {
    const { agent, socket, log } = session;
    const { link, clock } = this.deps;
    // False when a newer socket of the device replaced this one: the device is still connected.
    const removed = link.remove(agent, socket);
    this.deps.credentials.forgetAgent(socket);
    if (removed) {
      this.deps.tracker.disconnected(agent, reason);
      void this.deps.leases
        .disconnected(agent)
        .catch((err: unknown) => log.error({ err }, 'letting the branch lease go failed'));
    }
    this.deps.onConnectionChange?.('agent', -1, reason, clock.now() - agent.connectedAt);
    log.info(
      {
        ...SOCKET_LOG_COMPONENT,
        reason,
        durationMs: clock.now() - agent.connectedAt,
        agents: link.size,
        replaced: !removed,
      },
      'Client disconnected',
    );
    void this.deps.devices
      .closeSession(session.sessionId, reason)
      .catch((err: unknown) => log.error({ err }, 'closing the agent session failed'));
  }
}
