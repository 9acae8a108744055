export const LICENSE_STATUSES = ['active', 'suspended', 'revoked', 'expired'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

/** Changes to a licence, each written to the event outbox as `licence.<change>` in the change's transaction. */
export const LICENCE_CHANGES = [
  'issued',
  'revoked',
  'rotated',
  'bound',
  'unbound',
  'suspended',
  'activated',
  'expired',
] as const;
export type LicenceChange = (typeof LICENCE_CHANGES)[number];

/** A licence as stored; the key itself is never stored, only its SHA-256. */
export interface License {
  id: string;
  companyId: string;
  branchId: string;
  /** Last 4 characters of the key, for operators telling keys apart. */
  keyHint: string;
  status: LicenseStatus;
  expiresAt: Date | null;
  /** Once set, only this device may use the licence. */
  boundDeviceId: string | null;
  maxPrinters: number;
  features: string[];
  lastValidatedAt: Date | null;
  createdAt: Date;
  /**
   * SHA-256 of the key the last rotation replaced, or null. That key is accepted until
   * `previousKeyValidUntil` (the grace period); never shown to clients.
   */
  previousKeyHash: string | null;
  /** End of the grace period of the replaced key; null when there is none. */
  previousKeyValidUntil: Date | null;
}

/** What a new licence is stored with. */
export type NewLicense = Omit<
  License,
  'lastValidatedAt' | 'createdAt' | 'previousKeyHash' | 'previousKeyValidUntil'
> & {
  keyHash: string;
};

/**
 * Licences. Every method that changes one and takes a `change` also writes the outbox event
 * `licence.<change>` (core/licence-event.ts) in the same transaction, so the event exists if
 * and only if the change committed.
 */
export interface LicenseStore {
  /** Throws `CONFLICT` on a duplicate key hash (practically impossible with UUID v4 keys). Writes `licence.issued`. */
  insert(license: NewLicense): Promise<License>;
  /**
   * The licence whose current key, or whose replaced key (`previousKeyHash`, whatever its grace
   * period: the caller compares `previousKeyValidUntil` with its clock), has this hash.
   */
  findByKeyHash(keyHash: string): Promise<License | undefined>;
  /**
   * Up to `limit` licences with their key hashes, the most recently validated first (never
   * validated last): what a gateway loads into memory at start-up. A licence with a replaced key
   * comes twice, once per hash.
   */
  listWithKeyHashes(limit: number): Promise<{ keyHash: string; license: License }[]>;
  findById(id: string): Promise<License | undefined>;
  list(filter: { companyId?: string; branchId?: string }): Promise<License[]>;
  /** Sets the status, writing `licence.<change>` when `change` is given. `undefined` when there is no such licence. */
  setStatus(id: string, status: LicenseStatus, change?: LicenceChange): Promise<License | undefined>;
  /**
   * Replaces the key: the current key hash becomes the previous one, valid until
   * `previousKeyValidUntil` (null: not at all), and the key before it is forgotten. Writes
   * `licence.rotated`. `undefined` when there is no such licence.
   */
  rotateKey(
    id: string,
    key: { keyHash: string; keyHint: string; previousKeyValidUntil: Date | null },
  ): Promise<License | undefined>;
  /**
   * Binds the licence to `deviceId` if it is unbound; returns the licence as it is afterwards.
   * With `change` (`bound`), the event is written only when this call bound it.
   */
  bindDevice(id: string, deviceId: string, change?: 'bound'): Promise<License | undefined>;
  /** Unbinds the licence from its device, writing `licence.unbound` if it was bound. `undefined` when there is no such licence. */
  unbindDevice(id: string): Promise<License | undefined>;
  touchValidated(id: string, at: Date): Promise<void>;
  /** Key hashes (current and previous) of every licence of a branch, or of a company when `branchId` is absent. */
  keyHashesOf(scope: { companyId?: string; branchId?: string }): Promise<string[]>;
}
