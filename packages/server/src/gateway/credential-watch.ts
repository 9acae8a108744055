import { type AuthRefreshReply, AuthRefreshRequestSchema, checkPayload } from '@printermaster/protocol';
import type { Clock, Timer } from '../core/clock.js';
import { GatewayError } from '../core/gateway-error.js';
import type { LicenseService } from '../core/license-service.js';
import type { Logger } from '../core/ports/logger.js';
import type { UserPrincipal } from '../core/principal.js';
import type { AgentSocket, WebClientSocket } from './gateway-sockets.js';

/** Agents checked at once after a notice that any licence may have changed. */
const RECHECK_CHUNK = 200;
/** How long before its token expires a web socket is told (`auth:expiring`), at most, ms. */
const EXPIRY_WARNING_MS = 60_000;

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

interface WatchedWeb {
  log: Logger;
  /** The session of the socket's token, closed when it is revoked. */
  sessionId: string | undefined;
  /** The API key the socket was admitted with, closed when it is revoked. */
  apiKeyId: string | undefined;
  expiry: Timer | undefined;
  warning: Timer | undefined;
}

export type CredentialWatchDeps = {
  licenses: Pick<LicenseService, 'onLicenceChange' | 'stillValid'>;
  clock: Clock;
  /** Revoked web sessions (logout, refresh token reuse): their open sockets are closed at once. */
  sessions?: { onRevoked(listener: (sessionId: string) => void): void };
  /** API key changes: the sockets of a key revoked (on any process) are closed at once. */
  apiKeys?: {
    onKeyChange(listener: (apiKeyId: string | undefined) => void): void;
    stillValid(apiKeyId: string): Promise<boolean>;
  };
  /** Verifies the token of an `auth:refresh` (JwtService.verify); without it, `auth:refresh` is refused. */
  verify?: (token: string) => Promise<UserPrincipal>;
};

/**
 * Keeps open sockets within their credentials, so that taking one back works at once and not
 * at the next handshake. An agent is checked again whenever the database announces a change to
 * its licence (on every gateway process, since each listens) and when the licence's expiry
 * time comes; one no longer valid has its transport closed, and its reconnect is refused at
 * the handshake. A web socket is told `auth:expiring` a minute before its token expires, may send
 * `auth:refresh` with a new token of the same user to go on (web-reauth.ts), and is otherwise
 * closed when the token expires, after `auth:expired`; so is one whose session is revoked.
 */
export class CredentialWatch {
  private readonly agents = new Map<AgentSocket, WatchedAgent>();
  private readonly byHash = new Map<string, Set<AgentSocket>>();
  private readonly web = new Map<WebClientSocket, WatchedWeb>();
  private readonly webBySession = new Map<string, Set<WebClientSocket>>();
  private readonly webByApiKey = new Map<string, Set<WebClientSocket>>();
  private closed = false;

  constructor(private readonly deps: CredentialWatchDeps) {
    deps.licenses.onLicenceChange((keyHash) => {
      void this.recheck(keyHash);
    });
    deps.sessions?.onRevoked((sessionId) => this.sessionRevoked(sessionId));
    deps.apiKeys?.onKeyChange((apiKeyId) => {
      void this.apiKeyChanged(apiKeyId);
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

  /**
   * Warns the socket before `expiresAt` (Unix ms) and closes it then, unless `auth:refresh` gives it
   * a later one; closes it at once when its token's session is revoked.
   */
  watchWeb(socket: WebClientSocket, expiresAt: number | undefined, log: Logger): void {
    this.forgetWeb(socket);
    const { sessionId, apiKeyId } = socket.data.principal;
    const watched: WatchedWeb = { log, sessionId, apiKeyId, expiry: undefined, warning: undefined };
    this.web.set(socket, watched);
    if (sessionId !== undefined) addTo(this.webBySession, sessionId, socket);
    if (apiKeyId !== undefined) addTo(this.webByApiKey, apiKeyId, socket);
    if (expiresAt === undefined) return;
    const now = this.deps.clock.now();
    const lead = Math.min(EXPIRY_WARNING_MS, Math.max(0, (expiresAt - now) / 2));
    watched.warning = this.deps.clock.setTimer(expiresAt - lead - now, () => {
      watched.warning = undefined;
      socket.emit('auth:expiring', { expiresAt: new Date(expiresAt).toISOString() });
    });
    const fire = () => {
      watched.expiry = undefined;
      // A timer may fire a little early; wait for the real instant.
      if (expiresAt > this.deps.clock.now()) {
        watched.expiry = this.deps.clock.setTimer(expiresAt - this.deps.clock.now(), fire);
        return;
      }
      this.closeWeb(socket, 'token has expired; connect again with a new one', 'web socket closed: its token expired');
    };
    watched.expiry = this.deps.clock.setTimer(expiresAt - now, fire);
  }

  /**
   * `auth:refresh`: a new token for an open socket. It must verify and name the same user, role
   * and scope (`FORBIDDEN` otherwise: the socket keeps its token and expires with it); the socket
   * then goes on until the new token expires.
   */
  async reauthenticate(socket: WebClientSocket, payload: unknown): Promise<AuthRefreshReply> {
    const checked = checkPayload(AuthRefreshRequestSchema, payload);
    if (!checked.ok) {
      throw new GatewayError('BAD_REQUEST', {
        message: `auth:refresh: ${checked.problem.message}`,
        details: { path: checked.problem.path },
      });
    }
    if (!this.deps.verify) throw new GatewayError('BAD_REQUEST', { message: 'auth:refresh is not accepted here' });
    const next = await this.deps.verify(checked.value.token);
    const current = socket.data.principal;
    const same =
      next.userId === current.userId &&
      next.role === current.role &&
      next.companyId === current.companyId &&
      next.branchId === current.branchId;
    if (!same) {
      throw new GatewayError('FORBIDDEN', { message: 'auth:refresh needs a token of the same user, role and scope' });
    }
    const watched = this.web.get(socket);
    if (!watched || !socket.connected) throw new GatewayError('AUTH_FAILED', { message: 'the socket is closing' });
    socket.data.principal = next;
    this.watchWeb(socket, next.expiresAt, watched.log);
    watched.log.info({ kind: 'web', expiresAt: next.expiresAt }, 'web socket token renewed');
    return { expiresAt: next.expiresAt === undefined ? null : new Date(next.expiresAt).toISOString() };
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
    const watched = this.web.get(socket);
    if (!watched) return;
    watched.expiry?.cancel();
    watched.warning?.cancel();
    this.web.delete(socket);
    if (watched.sessionId !== undefined) removeFrom(this.webBySession, watched.sessionId, socket);
    if (watched.apiKeyId !== undefined) removeFrom(this.webByApiKey, watched.apiKeyId, socket);
  }

  close(): void {
    this.closed = true;
    for (const w of this.agents.values()) w.timer?.cancel();
    for (const w of this.web.values()) {
      w.expiry?.cancel();
      w.warning?.cancel();
    }
    this.agents.clear();
    this.byHash.clear();
    this.web.clear();
    this.webBySession.clear();
    this.webByApiKey.clear();
  }

  /** Checks the sockets of `apiKeyId` (every API key's for `undefined`) and closes those whose key is no longer valid. */
  private async apiKeyChanged(apiKeyId: string | undefined): Promise<void> {
    if (this.closed || !this.deps.apiKeys) return;
    const ids = apiKeyId === undefined ? [...this.webByApiKey.keys()] : [apiKeyId];
    for (const id of ids) {
      if (!this.webByApiKey.has(id)) continue;
      let valid: boolean;
      try {
        valid = await this.deps.apiKeys.stillValid(id);
      } catch {
        // The store could not answer: the sockets stay, and the next notice checks again.
        continue;
      }
      if (valid) continue;
      for (const socket of [...(this.webByApiKey.get(id) ?? [])]) {
        this.closeWeb(socket, 'API key is no longer valid', 'web socket closed: its API key was revoked');
      }
    }
  }

  private sessionRevoked(sessionId: string): void {
    if (this.closed) return;
    for (const socket of [...(this.webBySession.get(sessionId) ?? [])]) {
      this.closeWeb(socket, 'session has ended; sign in again', 'web socket closed: its session was revoked');
    }
  }

  private closeWeb(socket: WebClientSocket, message: string, logMessage: string): void {
    const watched = this.web.get(socket);
    this.forgetWeb(socket);
    watched?.log.info({ kind: 'web' }, logMessage);
    socket.emit('auth:expired', { code: 'AUTH_FAILED', message });
    socket.disconnect(true);
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

function addTo(index: Map<string, Set<WebClientSocket>>, key: string, socket: WebClientSocket): void {
  let sockets = index.get(key);
  if (!sockets) {
    sockets = new Set();
    index.set(key, sockets);
  }
  sockets.add(socket);
}

function removeFrom(index: Map<string, Set<WebClientSocket>>, key: string, socket: WebClientSocket): void {
  const sockets = index.get(key);
  sockets?.delete(socket);
  if (sockets?.size === 0) index.delete(key);
}
