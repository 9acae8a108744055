/**
 * Tells a process when rows of one kind change, whoever changed them: this process, another
 * gateway, the admin CLI, or SQL typed by hand. It is what lets a gateway keep credentials in
 * memory without a revoked one outliving its revocation. Keys are what the table's trigger
 * announces (a key hash, a session family id).
 */
export interface ChangeFeed {
  /**
   * Starts listening. `onChange(key)` once a change to that row has committed; `onChange(undefined)`
   * when any row may have changed (the feed lost its connection and has it back, or the table was
   * emptied): forget everything held. Resolves once the first attempt to listen is over, whether
   * it succeeded (`live`) or not (it keeps trying).
   */
  start(onChange: (key: string | undefined) => void): Promise<void>;
  /** True while changes are being heard; while false, nothing held in memory may be trusted. */
  readonly live: boolean;
  stop(): Promise<void>;
}
