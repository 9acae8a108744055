import { GatewayError } from '../core/gateway-error.js';
import type { Logger } from '../core/ports/logger.js';
import { type AgentAuthentication, isAgentHandshake } from './agent-authentication.js';
import type { AgentSocket, NamespaceSocket, SocketSession } from './gateway-sockets.js';
import { SOCKET_LOG_COMPONENT } from './socket-log-component.js';
import type { WebAuthentication } from './web-authentication.js';

export interface SocketHandshakeDeps {
  agents: AgentAuthentication;
  web: WebAuthentication;
  logger: Logger;
  /** Observes each refusal (metrics): the socket's kind and the error code behind it. */
  onRefused?: (kind: 'agent' | 'web', code: string) => void;
}

/** The `connect_error` a refused client gets: `data.reason` is the gateway's error code. */
type RefusedHandshake = Error & { data: { code: 'AUTH_FAILED'; message: string; reason: string } };

/**
 * The namespace middleware that admits each socket as an agent (licence key) or a web client
 * (JWT) and keeps its session as the socket's `data`. A refused handshake answers
 * `connect_error` with `AUTH_FAILED` and the reason; a check that failed for another reason
 * (the store) says only that it could not be made.
 */
export function socketHandshake(deps: SocketHandshakeDeps) {
  return (socket: NamespaceSocket, next: (err?: Error) => void): void => {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    // The kind decides which events the socket may send and receive from here on.
    const agent = isAgentHandshake(auth);
    const admitted: Promise<SocketSession> = agent
      ? deps.agents.admit(socket as AgentSocket, auth)
      : deps.web.admit(auth, socket.handshake.headers);
    admitted.then(
      (session) => {
        socket.data = session;
        next();
      },
      (err: unknown) => {
        const e = GatewayError.from(err);
        const reason = e.code === 'INTERNAL' ? 'authentication could not be checked' : e.message;
        if (e.code === 'INTERNAL') deps.logger.error({ ...SOCKET_LOG_COMPONENT, err }, 'handshake check failed');
        else
          deps.logger.info(
            { ...SOCKET_LOG_COMPONENT, code: e.code, reason, address: socket.handshake.address },
            'handshake rejected',
          );
        deps.onRefused?.(agent ? 'agent' : 'web', e.code);
        const error = new Error(reason) as RefusedHandshake;
        error.data = { code: 'AUTH_FAILED', message: reason, reason: e.code };
        next(error);
      },
    );
  };
}
