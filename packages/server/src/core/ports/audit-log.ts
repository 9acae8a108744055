/** Who changed what, for operators. Writing never fails the caller's action. */
export interface AuditLog {
  record(entry: {
    companyId: string | null;
    /** `user:<id>`, `agent:<deviceId>`, `cli`, `bootstrap`. */
    actor: string;
    action: string;
    targetType?: string;
    targetId?: string;
    details?: Record<string, unknown>;
    /** The client's address the action came from; absent for the gateway's own actions. */
    sourceAddress?: string;
  }): Promise<void>;

  /**
   * Entries matching `filter`, newest first (by `id`, which only grows), at most `filter.limit`.
   * Reads within the caller's tenant scope like any store read (row-level security, decision 0007).
   */
  list(filter: AuditLogFilter): Promise<AuditEntry[]>;
}

/** Where a user's request came from, for the audit log. */
export interface RequestOrigin {
  /** The client's address (`request.ip`, the proxy rule of `PRINTERMASTER_TRUST_PROXY`). */
  sourceAddress?: string;
}

/** One recorded action, as stored. */
export interface AuditEntry {
  /** Grows with every entry (a bigint, as decimal text): the order of recording. */
  id: string;
  /** Null for gateway-wide actions (bootstrap, CLI on no company). */
  companyId: string | null;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown> | null;
  /** Null for entries from before the address was recorded, and for the gateway's own actions. */
  sourceAddress: string | null;
  createdAt: Date;
}

/** What `AuditLog.list` returns; every field but `limit` narrows, absent fields do not. */
export interface AuditLogFilter {
  companyId?: string;
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
  /** Entries recorded at or after this instant. */
  from?: Date;
  /** Entries recorded before this instant. */
  to?: Date;
  /** Only entries older than this one (`id` below it): the keyset of the next page. */
  beforeId?: string;
  /** Most entries returned, 1 or more. */
  limit: number;
}
