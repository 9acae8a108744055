export const LICENSE_STATUSES = ['active', 'suspended', 'revoked', 'expired'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

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
}

export interface LicenseStore {
  /** Throws `CONFLICT` on a duplicate key hash (practically impossible with UUID v4 keys). */
  insert(license: Omit<License, 'lastValidatedAt' | 'createdAt'> & { keyHash: string }): Promise<License>;
  findByKeyHash(keyHash: string): Promise<License | undefined>;
  /**
   * Up to `limit` licences with their key hashes, the most recently validated first (never
   * validated last): what a gateway loads into memory at start-up.
   */
  listWithKeyHashes(limit: number): Promise<{ keyHash: string; license: License }[]>;
  findById(id: string): Promise<License | undefined>;
  list(filter: { companyId?: string; branchId?: string }): Promise<License[]>;
  setStatus(id: string, status: LicenseStatus): Promise<License | undefined>;
  /** Binds the licence to `deviceId` if it is unbound; returns the licence as it is afterwards. */
  bindDevice(id: string, deviceId: string): Promise<License | undefined>;
  touchValidated(id: string, at: Date): Promise<void>;
}
