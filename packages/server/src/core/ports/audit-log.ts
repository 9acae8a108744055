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
  }): Promise<void>;
}
