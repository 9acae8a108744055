/** Gateway-wide facts (for example, whether the first-start bootstrap has run). */
export interface MetaStore {
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` only if `key` is not set; returns whether it was stored. */
  putIfAbsent(key: string, value: unknown): Promise<boolean>;
}
