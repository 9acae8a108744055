import { type Ack, type BranchRoomReply, checkPayload, WEB_TO_GATEWAY_EVENT_SCHEMAS } from '@printermaster/protocol';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/gateway-error.js';
import type { Logger } from '../core/ports/logger.js';
import type { TenantStore } from '../core/ports/tenant-store.js';
import { canSee } from '../core/principal.js';
import type { CredentialWatch } from './credential-watch.js';
import type { EngineListeners } from './engine-listeners.js';
import type { WebClientSocket } from './gateway-sockets.js';
import { rejectEvent } from './reject-event.js';
import { rooms } from './rooms.js';
import { SOCKET_LOG_COMPONENT } from './socket-log-component.js';
import { handleWebReauth, WEB_REAUTH_EVENTS } from './web-reauth.js';
import { webRoomsOf } from './web-rooms.js';

export interface WebClientsDeps {
  credentials: CredentialWatch;
  engine: EngineListeners;
  /** Finds the branch a `subscribe` names, to check it against the token's scope. */
  branches: Pick<TenantStore, 'findBranch'>;
  clock: Clock;
  logger: Logger;
  /** Observes connections (metrics); `durationMs` on disconnect. */
  onConnectionChange?: (kind: 'web', delta: 1 | -1, reason?: string, durationMs?: number) => void;
}

/**
 * The web clients (dashboards) connected to this process, from connect to disconnect: each joins
 * the rooms of its scope and is closed when its token expires. Web clients mostly listen: they may
 * `subscribe` to and `unsubscribe` from the rooms of branches their token may see (`FORBIDDEN`
 * otherwise); anything else they emit is rejected with `BAD_REQUEST` (the REST API is where they act).
 */
export class WebClients {
  private clients = 0;
  /** Open sockets per user id. */
  private readonly users = new Map<string, number>();

  constructor(private readonly deps: WebClientsDeps) {}

  get count(): number {
    return this.clients;
  }

  /** Users with at least one socket open. */
  get uniqueUsers(): number {
    return this.users.size;
  }

  connected(socket: WebClientSocket): void {
    const { principal: user, connectedAt } = socket.data;
    const { credentials, clock } = this.deps;
    const targets = webRoomsOf(user);
    socket.join(targets);
    this.deps.engine.watchWeb(socket);
    this.clients++;
    this.users.set(user.userId, (this.users.get(user.userId) ?? 0) + 1);
    this.deps.onConnectionChange?.('web', 1);
    const log = this.deps.logger.child({ userId: user.userId, role: user.role, socketId: socket.id });
    log.info({ ...SOCKET_LOG_COMPONENT, kind: 'web', rooms: targets, webClients: this.clients }, 'Client connected');
    credentials.watchWeb(socket, user.expiresAt, log);
    handleWebReauth(socket, credentials, log); // auth:refresh (docs/credentials.md)
    socket.onAny((event: string, ...args: unknown[]) => {
      if (WEB_REAUTH_EVENTS.has(event)) return; // web-reauth.ts answers these
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as Ack<unknown>) : undefined;
      if (event === 'subscribe' || event === 'unsubscribe') {
        this.branchRoom(socket, event, args[0]).then(
          (data) => ack?.({ ok: true, data }),
          (err: unknown) => rejectEvent({ socket, event, err, ack, log }),
        );
        return;
      }
      const err = new GatewayError('BAD_REQUEST', {
        message: `web clients send no "${event}" events; use the REST API`,
      });
      rejectEvent({ socket, event, err, ack, log });
    });
    socket.on('disconnect', (reason) => {
      credentials.forgetWeb(socket);
      this.clients--;
      const left = (this.users.get(user.userId) ?? 1) - 1;
      if (left <= 0) this.users.delete(user.userId);
      else this.users.set(user.userId, left);
      this.deps.onConnectionChange?.('web', -1, reason, clock.now() - connectedAt);
      log.info(
        { ...SOCKET_LOG_COMPONENT, kind: 'web', reason, durationMs: clock.now() - connectedAt },
        'Client disconnected',
      );
    });
  }

  /**
   * Joins or leaves the room of the branch `payload` names, if the token may see it. An unknown
   * branch is `FORBIDDEN` like another company's: the answer says nothing of what exists elsewhere.
   */
  private async branchRoom(
    socket: WebClientSocket,
    event: 'subscribe' | 'unsubscribe',
    payload: unknown,
  ): Promise<BranchRoomReply> {
    const checked = checkPayload(WEB_TO_GATEWAY_EVENT_SCHEMAS[event], payload);
    if (!checked.ok) {
      throw new GatewayError('BAD_REQUEST', {
        message: `${event}: ${checked.problem.message}`,
        details: { path: checked.problem.path },
      });
    }
    const { branchId } = checked.value;
    const branch = await this.deps.branches.findBranch(branchId);
    if (!branch || !canSee(socket.data.principal, branch.companyId, branch.id)) {
      throw new GatewayError('FORBIDDEN', { message: 'that branch is outside your scope' });
    }
    if (event === 'subscribe') await socket.join(rooms.branch(branchId));
    else await socket.leave(rooms.branch(branchId));
    return { branchId, subscribed: event === 'subscribe' };
  }
}
