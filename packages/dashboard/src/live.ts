import { io, type Socket } from 'socket.io-client';
import { refreshSession } from './api.js';
import type { GatewayToWebEvents, WebToGatewayEvents } from './types.js';

/** The live connection's state, as the banner shows it. */
export type LiveState = 'connecting' | 'live' | 'lost' | 'restored';

/** The gateway's events the views listen to, typed by the protocol package. */
const RELAYED = ['printerStatusUpdate', 'printerUpdate', 'printJobUpdate', 'desktop:health:alert'] as const;
export type LiveEvents = Pick<GatewayToWebEvents, (typeof RELAYED)[number]>;

type Listener<K extends keyof LiveEvents> = LiveEvents[K];

/**
 * The gateway's web socket (`/printing-ws`), admitted by the session cookie. The gateway puts
 * the socket in the rooms of the user's scope, so it hears exactly what the user may see. A
 * refresh of the session reconnects it (the handshake is where the cookie is read); that planned
 * reconnect is not shown as a loss.
 */
export class LiveConnection {
  private socket: Socket<GatewayToWebEvents, WebToGatewayEvents> | undefined;
  private state: LiveState = 'connecting';
  private wasLive = false;
  private planned = false;
  private readonly stateListeners = new Set<(s: LiveState) => void>();
  private readonly listeners = new Map<keyof LiveEvents, Set<(...args: never[]) => void>>();
  private restoredTimer: ReturnType<typeof setTimeout> | undefined;
  /** Wait before a new handshake after a refused one; doubles up to 10 s, reset by a connection. */
  private retryMs = 500;

  constructor(private readonly onSessionEnded: () => void) {}

  start(): void {
    const socket: Socket<GatewayToWebEvents, WebToGatewayEvents> = io('/printing-ws', {
      transports: ['websocket', 'polling'],
      withCredentials: true,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.retryMs = 500;
      if (this.wasLive && !this.planned) {
        this.setState('restored');
        this.restoredTimer = setTimeout(() => this.setState('live'), 5_000);
      } else this.setState('live');
      this.wasLive = true;
      this.planned = false;
    });
    socket.on('disconnect', (reason) => {
      if (this.planned) return;
      this.setState('lost');
      // A disconnect by the server is not retried by socket.io itself.
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1_000);
    });
    socket.on('connect_error', () => {
      if (this.wasLive) this.setState('lost');
      // A refusal by the gateway (an access cookie that expired while it was away, most often)
      // is not retried by socket.io itself: new cookies, then a new handshake.
      if (!socket.active) void this.retryAfterRefusal();
    });
    socket.on('auth:expiring', () => void this.renew());
    socket.on('auth:expired', () => void this.renew());
    for (const event of RELAYED) {
      const relay = (payload: unknown) => {
        for (const listener of this.listeners.get(event) ?? []) (listener as (p: unknown) => void)(payload);
      };
      socket.on(event, relay);
    }
  }

  stop(): void {
    clearTimeout(this.restoredTimer);
    this.socket?.close();
  }

  get current(): LiveState {
    return this.state;
  }

  onState(listener: (s: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  on<K extends keyof LiveEvents>(event: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as (...args: never[]) => void);
    return () => set.delete(listener as (...args: never[]) => void);
  }

  private async retryAfterRefusal(): Promise<void> {
    if (!(await refreshSession())) {
      const me = await fetch('/auth/web/me').catch(() => undefined);
      if (me?.status === 401) {
        this.onSessionEnded();
        return;
      }
    }
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    setTimeout(() => this.socket?.connect(), this.retryMs);
  }

  /** New session cookies, then a new handshake that carries them. */
  private async renew(): Promise<void> {
    if (!(await refreshSession())) {
      this.onSessionEnded();
      return;
    }
    this.planned = true;
    this.socket?.disconnect().connect();
  }

  private setState(state: LiveState): void {
    if (state !== 'restored') clearTimeout(this.restoredTimer);
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
