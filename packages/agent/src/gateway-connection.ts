import {
  type AckResponse,
  AGENT_CAPABILITIES,
  AGENT_EVENT_ACK_SCHEMAS,
  type AgentAuth,
  type AgentEventName,
  type AgentEventPayload,
  type AgentEventReply,
  type AgentToGatewayEvents,
  checkPayload,
  type GatewayToAgentEvents,
  isoTime,
  PRINTING_NAMESPACE,
} from '@printermaster/protocol';
import { io, type Socket } from 'socket.io-client';
import type { AgentLogger } from './agent-logger.js';
import { backoffDelay } from './backoff.js';

/** The agent's socket, typed with the wire contract: it hears the gateway's events and emits the agent's. */
export type AgentSocket = Socket<GatewayToAgentEvents, AgentToGatewayEvents>;

interface UntypedAckEmitter {
  emitWithAck(event: string, payload: unknown): Promise<unknown>;
}

export interface GatewayConnectionDeps {
  serverUrl: string;
  licenseKey: string;
  /** Stable per machine. */
  deviceId: string;
  appVersion: string;
  /** Sent as the capability `standby-group:<name>`: one agent of the group prints, the others stand by. */
  standbyGroup?: string;
  /** Reconnection backoff: first delay and cap, ms (jittered; never gives up). */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  logger: AgentLogger;
  now: () => number;
  /** Aborted when the agent stops: no reconnecting after that. */
  stopped: AbortSignal;
  /** Registers the listeners for the gateway's events on the socket, before it first connects. */
  attachListeners: (socket: AgentSocket) => void;
  /** Every (re)connection, once `join:branch` and `desktop:status` are sent. */
  onConnected: () => void;
}

/**
 * The agent's one Socket.IO connection to the gateway: the v2 handshake, `join:branch` and
 * `desktop:status` on every connection, and reconnecting forever with backoff, also where the
 * client library gives up (a refused handshake, a server-side disconnect). Everything the
 * agent sends goes through `send` and `request`.
 */
export class GatewayConnection {
  private socket: AgentSocket | undefined;
  private branch = '';
  private everConnected = false;
  private reconnections = 0;
  private connectedSince: number | undefined;
  private manualReconnectAttempt = 0;
  /**
   * The pending retry after a refused handshake. Deliberately not `unref`ed: while the gateway
   * refuses (a deactivated branch, a suspended licence) it is the only thing that keeps the
   * agent's process alive, and an agent that exits is one nobody restarts in a branch.
   */
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: GatewayConnectionDeps) {}

  get connected(): boolean {
    return this.socket?.connected === true;
  }

  /** The branch the licence belongs to; empty until `open`. */
  get branchId(): string {
    return this.branch;
  }

  /** Connections after the first. */
  get reconnectionCount(): number {
    return this.reconnections;
  }

  /** Unix ms the current (or last) connection was made, or undefined before the first. */
  get connectionStartTime(): number | undefined {
    return this.connectedSince;
  }

  /** Connects as an agent of `branchId` (the licence's branch) and stays connected until `close`. */
  open(branchId: string): void {
    const { deps } = this;
    this.branch = branchId;
    const auth: AgentAuth = {
      userRole: 'desktop_app',
      licenseKey: deps.licenseKey,
      branchId,
      deviceId: deps.deviceId,
      instanceId: `${deps.deviceId}-${process.pid}`,
      appVersion: deps.appVersion,
      protocolVersion: 2,
      capabilities: [...AGENT_CAPABILITIES, ...(deps.standbyGroup ? [`standby-group:${deps.standbyGroup}`] : [])],
    };
    const socket: AgentSocket = io(`${deps.serverUrl}${PRINTING_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: true,
      reconnectionAttempts: Number.POSITIVE_INFINITY,
      reconnectionDelay: deps.reconnectBaseMs,
      reconnectionDelayMax: deps.reconnectMaxMs,
      randomizationFactor: 0.5,
      auth,
    });
    this.socket = socket;
    socket.on('connect', () => this.connectedNow(socket));
    socket.on('disconnect', (reason) => {
      deps.logger.warn({ reason }, 'disconnected from the gateway');
      // The client library does not come back by itself after a server-side namespace disconnect.
      if (reason === 'io server disconnect') this.reconnectManually();
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string; reason?: string } }) => {
      // `reason` is the gateway's own error code behind a refused handshake (BRANCH_INACTIVE, LICENSE_INVALID, …).
      deps.logger.warn(
        { err: err.message, code: err.data?.code, reason: err.data?.reason },
        'connection to the gateway failed',
      );
      // A handshake the gateway refused is not retried by the library: retry ourselves, forever.
      if (!socket.active) this.reconnectManually();
    });
    deps.attachListeners(socket);
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.socket?.close();
  }

  /** Emits an event. While disconnected, Socket.IO keeps it and sends it once connected again. */
  send<E extends AgentEventName>(event: E, ...args: Parameters<AgentToGatewayEvents[E]>): void {
    this.socket?.emit(event, ...args);
  }

  /**
   * Emits an event asking for the gateway's acknowledgement, and resolves with it once checked
   * against its schema; `undefined` when none came within `timeoutMs` or it was malformed (logged).
   */
  async request<E extends AgentEventName>(
    event: E,
    payload: AgentEventPayload<E>,
    timeoutMs: number,
  ): Promise<AckResponse<AgentEventReply<E>> | undefined> {
    const socket = this.socket;
    if (!socket) return undefined;
    // Socket.IO's types cannot follow a generic event name; this method's signature types the payload.
    const emitter = socket.timeout(timeoutMs) as unknown as UntypedAckEmitter;
    let answer: unknown;
    try {
      answer = await emitter.emitWithAck(event, payload);
    } catch {
      return undefined;
    }
    const checked = checkPayload(AGENT_EVENT_ACK_SCHEMAS[event], answer);
    if (checked.ok) return checked.value as AckResponse<AgentEventReply<E>>;
    const { path, message } = checked.problem;
    this.deps.logger.warn({ event, path, message }, 'the gateway answered with a malformed acknowledgement');
    return undefined;
  }

  private connectedNow(socket: AgentSocket): void {
    const { deps } = this;
    if (this.everConnected) this.reconnections++;
    this.everConnected = true;
    this.manualReconnectAttempt = 0;
    this.connectedSince = deps.now();
    deps.logger.info({ branchId: this.branch, reconnections: this.reconnections }, 'connected to the gateway');
    socket.emit('join:branch', { branchId: this.branch });
    socket.emit('desktop:status', {
      status: 'ready',
      timestamp: isoTime(deps.now()),
      version: deps.appVersion,
    });
    deps.onConnected();
  }

  private reconnectManually(): void {
    const { deps } = this;
    if (deps.stopped.aborted) return;
    const delay = backoffDelay(this.manualReconnectAttempt++, deps.reconnectBaseMs, deps.reconnectMaxMs);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!deps.stopped.aborted && this.socket && !this.socket.connected) this.socket.connect();
    }, delay);
  }
}
