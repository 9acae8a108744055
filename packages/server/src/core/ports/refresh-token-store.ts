import type { Role } from '@printermaster/protocol';

/** One refresh token of a web user's session (migration 008). A family is one sign-in. */
export interface RefreshToken {
  id: string;
  /** The session: every token rotated from the same sign-in, and the `sid` of its access tokens. */
  familyId: string;
  userId: string;
  email: string | null;
  role: Role;
  companyId: string | null;
  branchId: string | null;
  expiresAt: Date;
  /** Set when it was exchanged for a new pair; a second use is a reuse. */
  usedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

/** Refresh tokens, looked up by the SHA-256 of the token (hex). */
export interface RefreshTokenStore {
  insert(token: Omit<RefreshToken, 'usedAt' | 'revokedAt' | 'createdAt'> & { tokenHash: string }): Promise<void>;
  findByHash(tokenHash: string): Promise<RefreshToken | undefined>;
  /**
   * Marks token `usedId` used and stores `next` (of the same family) in one statement, only if
   * `usedId` was neither used nor revoked; false otherwise (a concurrent or repeated use, or a
   * revoked session), and then nothing is stored.
   */
  exchange(
    usedId: string,
    at: Date,
    next: Omit<RefreshToken, 'usedAt' | 'revokedAt' | 'createdAt'> & { tokenHash: string },
  ): Promise<boolean>;
  /**
   * Revokes every token of the family not yet revoked, including one an exchange stored while
   * this ran; how many it revoked.
   */
  revokeFamily(familyId: string, at: Date, reason: string): Promise<number>;
  /** Whether any token of the family is revoked (the family is then over). */
  isFamilyRevoked(familyId: string): Promise<boolean>;
  /** Families with a token revoked at or after `since`: what a process that missed notices must refuse. */
  revokedFamiliesSince(since: Date): Promise<string[]>;
  /** Deletes tokens that expired before `before`; how many. */
  deleteExpired(before: Date): Promise<number>;
}
