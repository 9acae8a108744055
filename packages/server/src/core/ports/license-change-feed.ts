/**
 * Tells a process when licence rows change, whoever changed them: this process, another
 * gateway, the admin CLI, or SQL typed by hand. It is what lets a gateway keep the licences
 * it validates in memory without a revoked key outliving its revocation.
 */
export interface LicenseChangeFeed {
  /**
   * Starts listening. `onChange(keyHash)` once a change to that licence has committed;
   * `onChange(undefined)` when any licence may have changed (the feed lost its connection and
   * has it back, or the table was emptied): forget every licence. Resolves once the first attempt to listen is over,
   * whether it succeeded (`live`) or not (it keeps trying).
   */
  start(onChange: (keyHash: string | undefined) => void): Promise<void>;
  /** True while changes are being heard; while false, no licence held in memory may be trusted. */
  readonly live: boolean;
  stop(): Promise<void>;
}
