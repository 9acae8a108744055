import type { Ack, AuthRefreshReply } from '@printermaster/protocol';
import type { Logger } from '../core/ports/logger.js';
import type { CredentialWatch } from './credential-watch.js';
import type { WebClientSocket } from './gateway-sockets.js';
import { rejectEvent } from './reject-event.js';

/** The events of this file; `WebClients` leaves them to it. */
export const WEB_REAUTH_EVENTS: ReadonlySet<string> = new Set(['auth:refresh']);

/**
 * Lets an open web socket renew its token (`auth:refresh`, docs/credentials.md#open-sockets):
 * answered with an acknowledgement, or `error:event` and an error acknowledgement, by the
 * CredentialWatch that will close the socket when its token expires.
 */
export function handleWebReauth(socket: WebClientSocket, credentials: CredentialWatch, log: Logger): void {
  socket.on('auth:refresh', (payload: unknown, ack?: Ack<AuthRefreshReply>) => {
    const answer = typeof ack === 'function' ? ack : undefined;
    credentials.reauthenticate(socket, payload).then(
      (data) => answer?.({ ok: true, data }),
      (err: unknown) =>
        rejectEvent({ socket, event: 'auth:refresh', err, ack: answer as Ack<unknown> | undefined, log }),
    );
  });
}
