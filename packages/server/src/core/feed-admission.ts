import type { Clock, Timer } from './clock.js';
import { GatewayError } from './gateway-error.js';
import type { UserPrincipal } from './principal.js';

/** Why an admitted wait or stream was ended by its credential (the `reason` of its SSE `error` frame). */
export type FeedEndReason = 'AUTH_EXPIRED' | 'AUTH_REVOKED';

/** One admitted long-poll or stream: its slot in its credential's cap, until `release`. */
export interface FeedLease {
  /**
   * Aborts when the credential stops being valid: its token expires, its session is revoked
   * (logout, refresh token reuse) or its API key is revoked. `signal.reason` is then an
   * `AUTH_FAILED` GatewayError whose `details.reason` is a FeedEndReason.
   */
  readonly signal: AbortSignal;
  /** Frees the slot and stops watching the credential. Idempotent. */
  release(): void;
}

export interface FeedAdmissionDeps {
  clock: Clock;
  /** Long-polls and streams one credential may hold open at once on this process; undefined for no cap. */
  maxPerCredential: number | undefined;
  /** Revoked sessions, as SessionRevocations announces them (here and, by its notices, on other processes). */
  sessions?: { onRevoked(listener: (sessionId: string) => void): void };
  /** API key changes (on any process): a changed key is read again, and its leases end if it is no longer valid. */
  apiKeys?: {
    onKeyChange(listener: (apiKeyId: string | undefined) => void): void;
    stillValid(apiKeyId: string): Promise<boolean>;
  };
}

interface Held {
  user: UserPrincipal;
  controller: AbortController;
  expiry: Timer | undefined;
  key: string;
}

/**
 * Admits the event feed's waits and streams: at most `maxPerCredential` open per credential (an
 * API key, a session, or a user's other tokens), each ended when its credential is taken back.
 * A page without `wait` is not admitted: it is answered at once, like any request.
 */
export class FeedAdmission {
  private readonly byCredential = new Map<string, Set<Held>>();

  constructor(private readonly deps: FeedAdmissionDeps) {
    deps.sessions?.onRevoked((sessionId) => {
      this.endWhere((u) => u.sessionId === sessionId, 'AUTH_REVOKED', 'session has ended; sign in again');
    });
    deps.apiKeys?.onKeyChange((apiKeyId) => {
      void this.apiKeyChanged(apiKeyId);
    });
  }

  /** A slot for `user`'s wait or stream; `RATE_LIMIT_EXCEEDED` when its credential holds the most already. */
  admit(user: UserPrincipal): FeedLease {
    const key = credentialKey(user);
    const max = this.deps.maxPerCredential;
    let held = this.byCredential.get(key);
    if (max !== undefined && (held?.size ?? 0) >= max) {
      throw new GatewayError('RATE_LIMIT_EXCEEDED', {
        message: `at most ${max} long-polls and event streams may be open at once per credential; close one first`,
        details: { limit: max },
      });
    }
    if (!held) {
      held = new Set();
      this.byCredential.set(key, held);
    }
    const entry: Held = { user, controller: new AbortController(), expiry: undefined, key };
    held.add(entry);
    if (user.expiresAt !== undefined) this.armExpiry(entry, user.expiresAt);
    return { signal: entry.controller.signal, release: () => this.release(entry) };
  }

  private armExpiry(entry: Held, expiresAt: number): void {
    const fire = () => {
      // A timer may fire a little early; wait for the real instant.
      const left = expiresAt - this.deps.clock.now();
      if (left > 0) {
        entry.expiry = this.deps.clock.setTimer(left, fire);
        return;
      }
      entry.expiry = undefined;
      this.end(entry, 'AUTH_EXPIRED', 'token has expired; connect again with a new one');
    };
    entry.expiry = this.deps.clock.setTimer(Math.max(0, expiresAt - this.deps.clock.now()), fire);
  }

  private async apiKeyChanged(apiKeyId: string | undefined): Promise<void> {
    if (!this.deps.apiKeys) return;
    const ids = new Set<string>();
    for (const set of this.byCredential.values()) {
      for (const { user } of set) {
        if (user.apiKeyId !== undefined && (apiKeyId === undefined || user.apiKeyId === apiKeyId))
          ids.add(user.apiKeyId);
      }
    }
    for (const id of ids) {
      let valid: boolean;
      try {
        valid = await this.deps.apiKeys.stillValid(id);
      } catch {
        // The store could not answer: the streams stay, and the next notice checks again.
        continue;
      }
      if (!valid) this.endWhere((u) => u.apiKeyId === id, 'AUTH_REVOKED', 'API key is no longer valid');
    }
  }

  private endWhere(match: (user: UserPrincipal) => boolean, reason: FeedEndReason, message: string): void {
    for (const set of [...this.byCredential.values()]) {
      for (const entry of [...set]) if (match(entry.user)) this.end(entry, reason, message);
    }
  }

  /** Aborts the lease; its holder answers and then releases it. */
  private end(entry: Held, reason: FeedEndReason, message: string): void {
    entry.expiry?.cancel();
    entry.expiry = undefined;
    if (!entry.controller.signal.aborted) {
      entry.controller.abort(new GatewayError('AUTH_FAILED', { message, details: { reason } }));
    }
  }

  private release(entry: Held): void {
    entry.expiry?.cancel();
    entry.expiry = undefined;
    const set = this.byCredential.get(entry.key);
    if (!set?.delete(entry)) return;
    if (set.size === 0) this.byCredential.delete(entry.key);
  }
}

/**
 * What the cap counts by: the API key, else the session (each sign-in its own), else the user
 * within its scope (tokens the gateway or a platform signed carry no session).
 */
function credentialKey(user: UserPrincipal): string {
  if (user.apiKeyId !== undefined) return `apikey:${user.apiKeyId}`;
  if (user.sessionId !== undefined) return `session:${user.sessionId}`;
  return `user:${user.role}:${user.companyId ?? ''}:${user.branchId ?? ''}:${user.userId}`;
}
