import type { Clock, Timer } from '../core/clock.js';
import type { LicenseService } from '../core/license-service.js';
import type { Logger } from '../core/ports/logger.js';
import type { AgentSocket, WebClientSocket } from './gateway-sockets.js';

/** Agents checked at once after a notice that any licence may have changed. */
const RECHECK_CHUNK = 200;

/** What an agent was admitted with, to check again. */
export interface AgentCredential {
  keyHash: string;
  deviceId: string;
  branchId: string;
  /** Unix ms when the licence expires; `undefined` for none. */
  expiresAt: number | undefined;
}

interface WatchedAgent extends AgentCredential {
  log: Logger;
  timer: Timer | undefined;
}

export type CredentialWatchDeps = {
  licenses: Pick<LicenseService, 'onLicenceChange' | 'stillValid'>;
  clock: Clock;
};

/**
 * Keeps open sockets within their credentials, so that taking one back works at once and not
 * at the next handshake. An agent is checked again whenever the database announces a change to
 * its licence (on every gateway process, since each listens) and when the licence's expiry
 * time comes; one no longer valid has its transport closed, and its reconnect is refused at
 * the handshake. A web socket is closed when its JWT expires, after `auth:expired`.
 */
export class CredentialWatch {
  private readonly agents = new Map<AgentSocket, WatchedAgent>();
  private readonly byHash = new Map<string, Set<AgentSocket>>();
  private readonly webTimers = new Map<WebClientSocket, Timer>();
  private closed = false;

  constructor(private readonly deps: CredentialWatchDeps) {
    deps.licenses.onLicenceChange((keyHash) => {
      void this.recheck(keyHash);
    });
  }

  get watchedAgents(): number {
    return this.agents.size;
  }

  watchAgent(socket: AgentSocket, credential: AgentCredential, log: Logger): void {
    const watched: WatchedAgent = { ...credential, log, timer: undefined };
    this.agents.set(socket, watched);
    let sockets = this.byHash.get(credential.keyHash);
    if (!sockets) {
      sockets = new Set();
      this.byHash.set(credential.keyHash, sockets);
    }
    sockets.add(socket);
    this.armExpiry(socket, watched);
  }

  /** Closes the socket when `expiresAt` (Unix ms) comes. */
  watchWeb(socket: WebClientSocket, expiresAt: number, log: Logger): void {
    const wait = expiresAt - this.deps.clock.now();
    const fire = () => {
      this.webTimers.delete(socket);
      if (expiresAt > this.deps.clock.now()) {
        this.watchWeb(socket, expiresAt, log);
        return;
      }
      log.info({ kind: 'web' }, 'web socket closed: its token expired');
      socket.emit('auth:expired', { code: 'AUTH_FAILED', message: 'token has expired; connect again with a new one' });
      socket.disconnect(true);
    };
    this.webTimers.set(socket, this.deps.clock.setTimer(wait, fire));
  }

  /** Stops watching an agent's socket (it disconnected). */
  forgetAgent(socket: AgentSocket): void {
    const watched = this.agents.get(socket);
    if (!watched) return;
    watched.timer?.cancel();
    this.agents.delete(socket);
    const sockets = this.byHash.get(watched.keyHash);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.byHash.delete(watched.keyHash);
  }

  /** Stops watching a web client's socket (it disconnected). */
  forgetWeb(socket: WebClientSocket): void {
    this.webTimers.get(socket)?.cancel();
    this.webTimers.delete(socket);
  }

  close(): void {
    this.closed = true;
    for (const w of this.agents.values()) w.timer?.cancel();
    for (const t of this.webTimers.values()) t.cancel();
    this.agents.clear();
    this.byHash.clear();
    this.webTimers.clear();
  }

  /** Checks the agents of `keyHash` (every agent for `undefined`) and closes those no longer valid. */
  async recheck(keyHash: string | undefined): Promise<void> {
    if (this.closed) return;
    const sockets = keyHash === undefined ? [...this.agents.keys()] : [...(this.byHash.get(keyHash) ?? [])];
    for (let i = 0; i < sockets.length; i += RECHECK_CHUNK) {
      await Promise.all(sockets.slice(i, i + RECHECK_CHUNK).map((s) => this.check(s)));
    }
  }

  private async check(socket: AgentSocket): Promise<void> {
    const watched = this.agents.get(socket);
    if (!watched) return;
    let verdict: Awaited<ReturnType<CredentialWatchDeps['licenses']['stillValid']>>;
    try {
      verdict = await this.deps.licenses.stillValid(watched.keyHash, watched.deviceId, watched.branchId);
    } catch (err) {
      // The store could not answer: the agent stays, and the next notice or expiry checks again.
      watched.log.error({ err }, 'checking the agent licence again failed');
      return;
    }
    if (this.agents.get(socket) !== watched) return;
    if (!verdict.valid) {
      watched.log.warn({ reason: verdict.reason }, 'agent disconnected: its licence is no longer valid');
      this.forgetAgent(socket);
      // The transport only, as a drain does: the client reconnects, and the handshake refuses it.
      socket.conn.close();
      return;
    }
    watched.expiresAt = verdict.expiresAt?.getTime();
    this.armExpiry(socket, watched);
  }

  private armExpiry(socket: AgentSocket, watched: WatchedAgent): void {
    watched.timer?.cancel();
    watched.timer = undefined;
    if (watched.expiresAt === undefined) return;
    watched.timer = this.deps.clock.setTimer(watched.expiresAt - this.deps.clock.now(), () => {
      watched.timer = undefined;
      void this.check(socket);
    });
  }
}
