/** An opening-shift paper check: a slip printed with a one-time token, confirmed when scanned. */
export interface PaperCheck {
  companyId: string;
  branchId: string;
  printerId: string;
  /** The print job of the slip. */
  jobId: string;
  createdAt: Date;
  /** When a person scanned it; `null` until then. */
  confirmedAt: Date | null;
  /** Who: `user:<id>`, as the audit log names actors. */
  confirmedBy: string | null;
}

export interface PaperCheckStore {
  /** `tokenHash`: SHA-256 of the token, hex; the token itself is never stored. */
  insert(check: Omit<PaperCheck, 'createdAt' | 'confirmedAt' | 'confirmedBy'> & { tokenHash: string }): Promise<void>;
  /** The check of `tokenHash`, whether confirmed or not; `undefined` when there is none. */
  find(tokenHash: string): Promise<PaperCheck | undefined>;
  /** Confirms it once: the check, or `undefined` when there is none or it was confirmed already. */
  confirm(tokenHash: string, by: string): Promise<PaperCheck | undefined>;
  /** The printer's last check. */
  latest(printerId: string): Promise<PaperCheck | undefined>;
}
