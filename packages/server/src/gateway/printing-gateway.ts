import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import {
  type AckResponse,
  AGENT_EVENT_SCHEMAS,
  AgentAuthSchema,
  type AgentEventName,
  type AgentEventPayload,
  PRINTING_NAMESPACE,
  type SocketErrorEvent,
  WebAuthSchema,
} from '@printermaster/protocol';
import { type Namespace, Server, type Socket } from 'socket.io';
import type { JwtService } from '../auth/jwt-service.js';
import { clientAddress } from '../client-address.js';
import type { AgentHealthTracker } from '../core/agent-health-tracker.js';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/gateway-error.js';
import type { HealthService } from '../core/health-service.js';
import type { JobDispatcher } from '../core/job-dispatcher.js';
import type { JobLifecycle } from '../core/job-lifecycle.js';
import { hashLicenseKey, type LicenseService } from '../core/license-service.js';
import type { ConnectedAgent } from '../core/ports/agent-link.js';
import type { DeviceStore } from '../core/ports/device-store.js';
import type { Logger } from '../core/ports/logger.js';
import type { AgentPrincipal, UserPrincipal } from '../core/principal.js';
import type { PrinterService } from '../core/printer-service.js';
import { fromDiscovered } from '../core/printer-service.js';
import type { PrinterTestService } from '../core/printer-test-service.js';
import type { AgentCredential, CredentialWatch } from './credential-watch.js';
import { FieldsLogger } from './fields-logger.js';
import { validatePayload } from './payload-validator.js';
import type { RoomBroadcaster } from './room-broadcaster.js';
import { rooms } from './rooms.js';
import type { SocketAgentLink } from './socket-agent-link.js';
import { WriteCoalescer } from './write-coalescer.js';

export interface PrintingGatewayDeps {
  licenses: LicenseService;
  jwt: JwtService;
  printers: PrinterService;
  printerTests: PrinterTestService;
  lifecycle: JobLifecycle;
  dispatcher: JobDispatcher;
  health: HealthService;
  tracker: AgentHealthTracker;
  devices: DeviceStore;
  link: SocketAgentLink;
  broadcaster: RoomBroadcaster;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  corsOrigins: string[];
  trustProxy: boolean;
  maxMessageBytes: number;
  /** Per-message deflate for messages over 1 KB. */
  perMessageDeflate: boolean;
  /** Socket.IO adapter for broadcasts across processes (Redis); default in-memory. */
  adapter?: ReturnType<typeof import('@socket.io/redis-adapter').createAdapter>;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Observes connections (metrics); `durationMs` on disconnect. */
  onConnectionChange?: (kind: 'agent' | 'web', delta: 1 | -1, reason?: string, durationMs?: number) => void;
  /** Closes sockets whose licence is taken back or whose token expires. */
  credentials: CredentialWatch;
  /** A browser connection refused for its Origin (CORS_ORIGINS); `address` is the peer's IP. */
  onOriginRefused?: (origin: string, address: string | undefined) => void;
}

type AgentSocketData = {
  kind: 'agent';
  principal: AgentPrincipal;
  agent: ConnectedAgent;
  sessionId: string;
  credential: AgentCredential;
};
/** A connected agent's state, kept as its socket's `data`; the shared listeners find it there. */
type AgentSession = AgentSocketData & { socket: Socket; log: Logger; pingSentAt: number | undefined };
type AgentHandler = (session: AgentSession, raw: unknown) => Promise<unknown> | unknown;
/** Engine.IO connections of agents, for the shared ping/pong listeners (which get only the connection). */
const sessionsByConn = new WeakMap<object, AgentSession>();
type WebSocketData = { kind: 'web'; principal: UserPrincipal; connectedAt: number };
type SocketData = AgentSocketData | WebSocketData;
type Ack = (response: AckResponse<unknown>) => void;

/**
 * The Socket.IO namespace `/printing-ws` (PROTOCOL.md sections 1–7 and 9).
 * Agents authenticate by licence, web clients by JWT; every agent event is
 * validated, and a rejected event gets an `error:event` (and an error ack when
 * the sender asked for one) without closing the socket.
 */
export class PrintingGateway {
  readonly io: Server;
  readonly namespace: Namespace;
  private webClients = 0;
  private readonly usersConnected = new Map<string, number>();
  private readonly agentHandlers: Map<string, AgentHandler>;
  // Listeners shared by every agent socket; Socket.IO and Engine.IO call them with the emitter as `this`.
  private readonly onAgentEvent: (this: Socket, event: string, ...args: unknown[]) => void;
  private readonly onAgentDisconnect: (this: Socket, reason: string) => void;
  private readonly onAgentPacketCreate: (this: object, packet: { type: string }) => void;
  private readonly onAgentPacket: (this: object, packet: { type: string }) => void;
  // Frames to one client in one loop turn share writes (WriteCoalescer); shared by every connection.
  private readonly onWebPacketCreate: (this: object) => void;
  private readonly onConnFlush: (this: object, packets: unknown[]) => void;
  private readonly onConnDrain: (this: object) => void;
  private readonly coalescer = new WriteCoalescer();
  private draining = false;

  constructor(
    httpServer: HttpServer,
    private readonly deps: PrintingGatewayDeps,
  ) {
    const anyOrigin = deps.corsOrigins.includes('*');
    this.agentHandlers = this.buildAgentHandlers();
    const gateway = this;
    this.onAgentEvent = function (this: Socket, event: string, ...args: unknown[]) {
      gateway.dispatchAgentEvent(this.data as AgentSession, event, args);
    };
    this.onAgentDisconnect = function (this: Socket, reason: string) {
      gateway.agentClosed(this.data as AgentSession, reason);
    };
    this.onAgentPacketCreate = function (this: object, packet: { type: string }) {
      gateway.coalescer.packetCreated(this);
      const session = packet.type === 'ping' ? sessionsByConn.get(this) : undefined;
      if (session) gateway.pingSent(session);
    };
    this.onWebPacketCreate = function (this: object) {
      gateway.coalescer.packetCreated(this);
    };
    this.onConnFlush = function (this: object, packets: unknown[]) {
      gateway.coalescer.flushStarts(this, packets.length);
    };
    this.onConnDrain = function (this: object) {
      gateway.coalescer.flushEnded(this);
    };
    this.onAgentPacket = function (this: object, packet: { type: string }) {
      const session = packet.type === 'pong' ? sessionsByConn.get(this) : undefined;
      if (session) gateway.pongReceived(session);
    };
    this.io = new Server(httpServer, {
      path: '/socket.io/',
      serveClient: false,
      maxHttpBufferSize: deps.maxMessageBytes,
      pingInterval: deps.pingIntervalMs,
      pingTimeout: deps.pingTimeoutMs,
      // Deflate for messages over 1 KB (PROTOCOL.md). ws honours the threshold only without
      // context takeover; with it, every message is compressed and each connection keeps its
      // zlib windows (~230 KiB) for life. A smaller window and memLevel bound the state a
      // connection keeps once it has sent a large message (docs/decisions/0004).
      perMessageDeflate: deps.perMessageDeflate
        ? {
            threshold: 1024,
            serverNoContextTakeover: true,
            clientNoContextTakeover: true,
            serverMaxWindowBits: 13,
            zlibDeflateOptions: { memLevel: 6 },
            // ws runs at most this many zlib calls at once, for all connections together (default
            // 10). Each call waits a loop turn for its thread-pool result, so 10 allowed about
            // 3,000 compressions a second: a status batch to 500 dashboards ten times a second
            // queued for seconds (docs/benchmarks.md, fan-out).
            concurrencyLimit: 64,
          }
        : false,
      ...(deps.adapter ? { adapter: deps.adapter } : {}),
      cors: { origin: anyOrigin ? true : deps.corsOrigins, credentials: true },
      // Browsers send an Origin; agents and servers do not. Only a foreign browser origin is refused.
      allowRequest: (req, callback) => {
        // While draining, new connections are refused so that clients go to another process.
        if (this.draining) return callback(null, false);
        const origin = req.headers.origin;
        const allowed = anyOrigin || origin === undefined || deps.corsOrigins.includes(origin);
        if (!allowed) deps.onOriginRefused?.(origin, req.socket.remoteAddress);
        callback(null, allowed);
      },
    });
    this.namespace = this.io.of(PRINTING_NAMESPACE);
    deps.broadcaster.attach(this.namespace);
    this.namespace.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (err: unknown) => {
          const e = GatewayError.from(err);
          const reason = e.code === 'INTERNAL' ? 'authentication could not be checked' : e.message;
          if (e.code === 'INTERNAL') deps.logger.error({ err }, 'handshake check failed');
          else deps.logger.info({ code: e.code, reason, address: socket.handshake.address }, 'handshake rejected');
          const error = new Error(reason) as Error & { data: unknown };
          error.data = { code: 'AUTH_FAILED', message: reason, reason: e.code };
          next(error);
        },
      );
    });
    this.namespace.on('connection', (socket) => {
      const data = socket.data as SocketData;
      if (data.kind === 'agent') this.onAgent(socket, data);
      else this.onWeb(socket, data);
    });
  }

  get agentCount(): number {
    return this.deps.link.size;
  }

  get webClientCount(): number {
    return this.webClients;
  }

  get uniqueUserCount(): number {
    return this.usersConnected.size;
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
    this.deps.broadcaster.flushStatus();
    for (const socket of this.namespace.sockets.values()) socket.conn.close();
    // The engine only: the HTTP server belongs to Fastify, which closes it after in-flight requests end.
    this.io.engine.close();
  }

  private async authenticate(socket: Socket): Promise<void> {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    if (auth.userRole === 'desktop_app' || auth.licenseKey !== undefined) {
      const agentAuth = validatePayload(AgentAuthSchema, auth, 'agent handshake');
      const principal = await this.deps.licenses.authenticateAgent(agentAuth);
      const protocol = agentAuth.protocolVersion !== undefined && agentAuth.protocolVersion >= 2 ? 'v2' : 'legacy';
      const data: AgentSocketData = {
        kind: 'agent',
        principal: {
          kind: 'agent',
          deviceId: principal.deviceId,
          companyId: principal.companyId,
          branchId: principal.branchId,
          licenseId: principal.licenseId,
        },
        agent: {
          deviceId: principal.deviceId,
          companyId: principal.companyId,
          branchId: principal.branchId,
          licenseId: principal.licenseId,
          address: clientAddress(socket.handshake.headers, socket.handshake.address, this.deps.trustProxy),
          protocol,
          capabilities: agentAuth.capabilities ?? [],
          connectedAt: this.deps.clock.now(),
        },
        sessionId: randomUUID(),
        credential: {
          keyHash: hashLicenseKey(agentAuth.licenseKey),
          deviceId: principal.deviceId,
          branchId: principal.branchId,
          expiresAt: principal.license.expiresAt?.getTime(),
        },
      };
      socket.data = data;
      return;
    }
    const header = socket.handshake.headers.authorization;
    const token =
      typeof auth.token === 'string' ? auth.token : header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (token === undefined)
      throw new GatewayError('AUTH_FAILED', { message: 'a JWT (auth.token) or a licence key is required' });
    validatePayload(WebAuthSchema, { ...auth, token }, 'web handshake');
    const principal = await this.deps.jwt.verify(token);
    const data: WebSocketData = { kind: 'web', principal, connectedAt: this.deps.clock.now() };
    socket.data = data;
  }

  private onAgent(socket: Socket, data: AgentSocketData): void {
    const { agent } = data;
    const { logger, link } = this.deps;
    // Agents join no rooms: every broadcast is for web clients, and the link holds each agent's socket.
    const session: AgentSession = Object.assign(data, {
      socket,
      log: new FieldsLogger(logger, { deviceId: agent.deviceId, branchId: agent.branchId, socketId: socket.id }),
      pingSentAt: undefined,
    });
    const { log } = session;
    const replaced = link.add(agent, socket);
    this.deps.credentials.watchAgent(socket, data.credential, log);
    // An older socket of the same device is dead or about to be: close its transport only.
    if (replaced && replaced !== socket) replaced.conn.close();
    this.deps.onConnectionChange?.('agent', 1);
    const appVersion = (socket.handshake.auth as { appVersion?: unknown }).appVersion;
    this.deps.tracker.connected(agent, typeof appVersion === 'string' ? appVersion.slice(0, 64) : undefined);
    // Latency of every agent, legacy ones included, from Engine.IO's own ping/pong.
    sessionsByConn.set(socket.conn, session);
    socket.conn.on('packetCreate', this.onAgentPacketCreate);
    socket.conn.on('packet', this.onAgentPacket);
    socket.conn.on('flush', this.onConnFlush);
    socket.conn.on('drain', this.onConnDrain);
    socket.onAny(this.onAgentEvent);
    socket.on('disconnect', this.onAgentDisconnect);
    log.info(
      {
        protocol: agent.protocol,
        address: socket.handshake.address,
        agents: link.size,
        transport: socket.conn.transport.name,
      },
      'Client connected',
    );
    // Bookkeeping the handshake does not wait for: these rows are gathered into group writes.
    void this.deps.devices
      .upsert({
        companyId: agent.companyId,
        branchId: agent.branchId,
        deviceId: agent.deviceId,
        licenseId: agent.licenseId,
        kind: agent.protocol,
        // The handshake's auth passed AgentAuthSchema: these are a string and a number when present.
        appVersion: typeof appVersion === 'string' ? appVersion : null,
        protocolVersion: (socket.handshake.auth as { protocolVersion?: number }).protocolVersion ?? null,
        capabilities: agent.capabilities,
        lastAddress: agent.address,
      })
      .catch((err: unknown) => log.error({ err }, 'recording the agent device failed'));
    void this.deps.devices
      .openSession({
        id: data.sessionId,
        companyId: agent.companyId,
        branchId: agent.branchId,
        deviceId: agent.deviceId,
        gatewayInstance: this.deps.instanceId,
        remoteAddress: socket.handshake.address,
        protocolVersion: agent.protocol === 'v2' ? 2 : null,
      })
      .catch((err: unknown) => log.error({ err }, 'recording the agent session failed'));
    if (agent.protocol === 'v2') {
      this.deps.dispatcher
        .agentConnected(agent.branchId)
        .catch((err: unknown) => log.error({ err }, 'print job dispatch on connect failed'));
    }
  }

  /** Every agent event: validated, handled, acknowledged (or rejected with `error:event`). */
  private dispatchAgentEvent(session: AgentSession, event: string, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    const handler = this.agentHandlers.get(event);
    if (!handler) {
      this.reject(
        session.socket,
        event,
        new GatewayError('BAD_REQUEST', { message: `unknown event "${event}"` }),
        ack,
        session.log,
      );
      return;
    }
    const raw = args.length > 0 && typeof args[0] !== 'function' ? args[0] : undefined;
    let result: unknown;
    try {
      result = handler(session, raw);
    } catch (err) {
      this.reject(session.socket, event, err, ack, session.log);
      return;
    }
    // Most handlers answer synchronously (a result, a test reply, a status): no promise for those.
    if (!isThenable(result)) {
      ack?.({ ok: true, data: result ?? null });
      return;
    }
    result.then(
      (value) => ack?.({ ok: true, data: value ?? null }),
      (err: unknown) => this.reject(session.socket, event, err, ack, session.log),
    );
  }

  private agentClosed(session: AgentSession, reason: string): void {
    const { agent, socket, log } = session;
    const { link } = this.deps;
    const removed = link.remove(agent, socket);
    this.deps.credentials.forget(socket);
    if (removed) this.deps.tracker.disconnected(agent);
    this.deps.onConnectionChange?.('agent', -1, reason, this.deps.clock.now() - agent.connectedAt);
    log.info(
      { reason, durationMs: this.deps.clock.now() - agent.connectedAt, agents: link.size, replaced: !removed },
      'Client disconnected',
    );
    void this.deps.devices
      .closeSession(session.sessionId, reason)
      .catch((err: unknown) => log.error({ err }, 'closing the agent session failed'));
  }

  private pingSent(session: AgentSession): void {
    if (session.pingSentAt !== undefined) this.deps.tracker.sample(session.agent, null);
    session.pingSentAt = this.deps.clock.now();
  }

  private pongReceived(session: AgentSession): void {
    if (session.pingSentAt === undefined) return;
    this.deps.tracker.sample(session.agent, this.deps.clock.now() - session.pingSentAt);
    session.pingSentAt = undefined;
  }

  /**
   * The agent events, registered once per gateway rather than as closures per socket:
   * each connected agent then costs one session object and a few listeners (memory per
   * idle agent, docs/benchmarks.md).
   */
  private buildAgentHandlers(): Map<string, AgentHandler> {
    const handlers = new Map<string, AgentHandler>();
    const handle = <E extends AgentEventName>(
      event: E,
      handler: (s: AgentSession, payload: AgentEventPayload<E>) => Promise<unknown> | unknown,
    ): void => {
      const schema = AGENT_EVENT_SCHEMAS[event];
      handlers.set(event, (s, raw) => handler(s, validatePayload(schema, raw, event) as AgentEventPayload<E>));
    };

    handle('join:branch', (s, p) => {
      if (p.branchId !== s.agent.branchId) {
        throw new GatewayError('FORBIDDEN', { message: 'an agent may only join its licence’s branch' });
      }
      const reply = { branchId: s.agent.branchId, timestamp: this.now() };
      s.socket.emit('branch:joined', reply);
      return reply;
    });

    handle('desktop:status', (s, p) => {
      s.log.debug({ status: p.status, version: p.version }, 'desktop status');
      const reply = { status: 'received', timestamp: this.now() };
      s.socket.emit('desktop:status:acknowledged', reply);
      if (p.status === 'ready' || p.status === 'connected') {
        s.socket.emit('printer:status:request', {
          action: 'status_update',
          timestamp: this.now(),
          branchId: s.agent.branchId,
        });
      }
      return reply;
    });

    handle('printer:discovered', async (s, p) => {
      try {
        const { printer, created } = await this.deps.printers.upsertReported(s.principal, fromDiscovered(p));
        this.deps.printers.announce(printer, created ? 'discovered' : 'updated');
        const reply = { printerId: printer.id, status: 'saved', timestamp: this.now() };
        s.socket.emit('printer:discovery:acknowledged', reply);
        return reply;
      } catch (err) {
        const e = GatewayError.from(err);
        s.socket.emit('printer:discovery:error', { printerId: p.id ?? null, error: e.message, code: e.code });
        throw err;
      }
    });

    handle('printer:status:update', async (s, p) => {
      const seen = new Date(this.deps.clock.now());
      const updates = p.printerIds.map((e) => ({ id: e.id, status: e.status, seenAt: toDate(e.lastSeen) ?? seen }));
      await this.deps.printers.recordStatuses(s.principal, updates);
      const reply = { printerCount: updates.length, branchId: s.agent.branchId, timestamp: this.now() };
      s.socket.emit('printer:status:acknowledged', reply);
      return reply;
    });

    handle('desktop:health:report', async (s, p) => {
      const quality = await this.deps.health.recordReport(s.principal, p);
      this.deps.tracker.report(s.agent, p);
      s.log.info(
        {
          averageLatency: p.averageLatency,
          packetLossRate: p.packetLossRate,
          connectionQuality: quality,
          reconnectionCount: p.reconnectionCount,
        },
        'desktop health report received',
      );
      const reply = { received: true, timestamp: this.now(), connectionQuality: quality };
      s.socket.emit('desktop:health:acknowledged', reply);
      return reply;
    });

    handle('desktop:health:degraded', (s, p) => {
      s.log.warn({ reason: p.reason }, 'agent reports degraded connection');
      this.deps.tracker.degraded(s.agent, p.reason);
      return { received: true };
    });

    handle('printer:test:ack', (s, p) => {
      this.deps.printerTests.handleAck(s.principal, p);
      return { received: true };
    });

    handle('printer:test:result', (s, p) => {
      this.deps.printerTests.handleResult(s.principal, p, s.agent.protocol === 'legacy');
      return { received: true };
    });

    const report = (
      s: AgentSession,
      outcome: 'printing' | 'completed' | 'failed' | 'unconfirmed',
      jobId: string,
      reason?: string,
    ) => {
      if (s.agent.protocol === 'legacy') {
        // Legacy clients are never sent jobs; a report from one is about nothing we sent.
        s.log.info({ jobId, outcome }, 'legacy client job report ignored');
        return { jobId, ignored: true };
      }
      return this.deps.lifecycle
        .applyAgentReport(s.principal, jobId, outcome, reason)
        .then((job) => ({ jobId, state: job.state }));
    };
    handle('print:job:started', (s, p) => report(s, 'printing', p.jobId));
    handle('print:job:completed', (s, p) =>
      p.success === false
        ? report(s, 'failed', p.jobId, 'agent reported success: false')
        : report(s, 'completed', p.jobId),
    );
    handle('print:job:failed', (s, p) => report(s, 'failed', p.jobId, errorText(p.error)));
    handle('print:job:unconfirmed', (s, p) => report(s, 'unconfirmed', p.jobId, p.reason));

    handle('agent:ping', () => ({ serverTime: this.now() }));

    handle('agent:journal:damaged', (s, p) => {
      s.log.error(
        {
          file: p.file,
          damagedLines: p.damagedLines,
          recoveredEntries: p.recoveredEntries,
          unconfirmedJobIds: p.unconfirmedJobIds,
        },
        'agent journal damaged',
      );
      this.deps.tracker.journalDamaged(s.agent, p);
      return { received: true };
    });

    handle('printer:sync:success', () => ({ received: true }));
    handle('printer:sync:batch-completed', (s, p) => {
      s.log.debug({ results: p.results }, 'legacy printer sync completed');
      return { received: true };
    });
    handle('printer:sync:error', (s, p) => {
      s.log.warn({ error: errorText(p.error) }, 'legacy printer sync reported an error');
      return { received: true };
    });

    return handlers;
  }

  private onWeb(socket: Socket, data: WebSocketData): void {
    const user = data.principal;
    const targets: string[] = [];
    if (user.role === 'super_admin') targets.push(rooms.superAdmin);
    else if (user.role === 'company_owner' && user.companyId) {
      targets.push(rooms.company(user.companyId), rooms.companyAdmins(user.companyId));
    } else if (user.branchId) {
      targets.push(rooms.branch(user.branchId));
      if (user.role === 'branch_manager') targets.push(rooms.branchAdmins(user.branchId));
    }
    socket.join(targets);
    // A branch's dashboards get every job update: many frames a turn under load.
    socket.conn.on('packetCreate', this.onWebPacketCreate);
    socket.conn.on('flush', this.onConnFlush);
    socket.conn.on('drain', this.onConnDrain);
    this.webClients++;
    this.usersConnected.set(user.userId, (this.usersConnected.get(user.userId) ?? 0) + 1);
    this.deps.onConnectionChange?.('web', 1);
    const log = this.deps.logger.child({ userId: user.userId, role: user.role, socketId: socket.id });
    log.info({ kind: 'web', rooms: targets, webClients: this.webClients }, 'Client connected');
    if (user.expiresAt !== undefined) this.deps.credentials.watchWeb(socket, user.expiresAt, log);
    socket.onAny((event: string, ...args: unknown[]) => {
      const last = args[args.length - 1];
      this.reject(
        socket,
        event,
        new GatewayError('BAD_REQUEST', { message: `web clients send no "${event}" events; use the REST API` }),
        typeof last === 'function' ? (last as Ack) : undefined,
        log,
      );
    });
    socket.on('disconnect', (reason) => {
      this.deps.credentials.forget(socket);
      this.webClients--;
      const left = (this.usersConnected.get(user.userId) ?? 1) - 1;
      if (left <= 0) this.usersConnected.delete(user.userId);
      else this.usersConnected.set(user.userId, left);
      this.deps.onConnectionChange?.('web', -1, reason, this.deps.clock.now() - data.connectedAt);
      log.info({ kind: 'web', reason, durationMs: this.deps.clock.now() - data.connectedAt }, 'Client disconnected');
    });
  }

  private reject(socket: Socket, event: string, err: unknown, ack: Ack | undefined, log: Logger): void {
    const e = GatewayError.from(err);
    if (e.code === 'INTERNAL') log.error({ err, event }, 'event handler failed');
    else log.warn({ event, code: e.code, message: e.message }, 'event rejected');
    const wire: SocketErrorEvent = { ...e.toWire(), event };
    socket.emit('error:event', wire);
    ack?.({ ok: false, error: e.toWire() });
  }

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }
}

function toDate(value: string | number | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error.slice(0, 2048);
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message.slice(0, 2048);
  }
  return error === undefined ? 'the agent reported a failure' : JSON.stringify(error).slice(0, 2048);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
