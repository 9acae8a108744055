import type { Role } from '@printermaster/protocol';

/** An API key of a POS server or an integration (migration 008). The key itself is never stored. */
export interface ApiKey {
  id: string;
  /** `null` for a platform key (role `super_admin`). */
  companyId: string | null;
  /** `null` for a company-wide key. */
  branchId: string | null;
  name: string;
  role: Role;
  /** The visible start of the key (`pm_` and 8 hex characters), to tell keys apart. */
  prefix: string;
  /** `null`: never expires. */
  expiresAt: Date | null;
  /** When a request last used it; written at most once a minute per key per process. */
  lastUsedAt: Date | null;
  /** `null` while the key is valid. */
  revokedAt: Date | null;
  /** The actor who created it (`user:<id>`, `apikey:<id>`, `cli`). */
  createdBy: string;
  createdAt: Date;
}

/** API keys, looked up by the SHA-256 of the key (hex). */
export interface ApiKeyStore {
  /** Inserts a new key; `CONFLICT` if the id or hash is taken. */
  insert(key: Omit<ApiKey, 'lastUsedAt' | 'revokedAt' | 'createdAt'> & { keyHash: string }): Promise<ApiKey>;
  /** The key of that hash, revoked or expired ones included; `undefined` when there is none. */
  findByHash(keyHash: string): Promise<{ apiKey: ApiKey; keyHash: string } | undefined>;
  findById(id: string): Promise<ApiKey | undefined>;
  /**
   * Keys newest first. `companyId: null` lists platform keys only; absent lists every company's.
   * Revoked keys only with `includeRevoked`.
   */
  list(filter: { companyId?: string | null; branchId?: string; includeRevoked?: boolean }): Promise<ApiKey[]>;
  /** Sets `revoked_at` unless already set; the key as it is afterwards, `undefined` if it does not exist. */
  revoke(id: string, at: Date): Promise<ApiKey | undefined>;
  /** Records a use; never fails the caller's request (a lost write only makes `lastUsedAt` older). */
  touch(id: string, at: Date): Promise<void>;
}
