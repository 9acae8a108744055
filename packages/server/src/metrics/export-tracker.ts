import { randomUUID } from 'node:crypto';
import { isoTime } from '@printermaster/protocol';
import { DEFAULT_MEMORY_BOUNDS } from '../core/memory-bounds.js';
import type { UserPrincipal } from '../core/principal.js';
import type { prefixedMetrics } from './prefixed-metrics.js';

/** What is exported: the audit log (`GET /api/audit-log` as CSV) or the job history (`GET /printing/jobs` as CSV). */
export type ExportKind = 'audit-log' | 'jobs';
/** `aborted`: the client went away before the end; `failed`: the gateway could not read on. */
export type ExportOutcome = 'completed' | 'failed' | 'aborted';
export type ExportState = 'running' | ExportOutcome;

export interface ExportStart {
  kind: ExportKind;
  /** The tenant scope the export reads: `null` company for a super_admin's export of every company. */
  companyId: string | null;
  branchId: string | null;
  actor: string;
  /** Unix ms; the request's reading began then (its first batch). */
  startedAt: number;
}

/** One export while it streams; the CSV writer reports to it. */
export interface ExportRun {
  /** Rows and bytes (uncompressed CSV) handed to the response. */
  wrote(rows: number, bytes: number): void;
  /** Ends the export; the first outcome given is kept, later ones are ignored. */
  finish(outcome: ExportOutcome, error?: string): void;
}

interface Entry extends ExportStart {
  id: string;
  state: ExportState;
  finishedAt: number | undefined;
  rows: number;
  bytes: number;
  error: string | undefined;
}

/**
 * Running and recent CSV exports of this process (`/api/metrics/exports`), and their counters
 * `printermaster_exports_total{kind,outcome}` and `printermaster_export_rows_total{kind}`. Memory
 * is the running exports (each an open request) and the last 50 finished, whatever the traffic.
 * An export refused before its first row (a bad filter, a scope it may not read) is not one.
 */
export class ExportTracker {
  readonly #running = new Map<string, Entry>();
  /** Oldest first; at most `keepFinished`. */
  readonly #finished: Entry[] = [];
  readonly #total;
  readonly #rows;

  constructor(
    declare: ReturnType<typeof prefixedMetrics>,
    private readonly now: () => number = Date.now,
    /** Finished exports kept for `/api/metrics/exports`, the newest (PRINTERMASTER_FINISHED_EXPORTS_KEPT). */
    private readonly keepFinished = DEFAULT_MEMORY_BOUNDS.finishedExports,
  ) {
    this.#total = declare.counter('exports_total', 'CSV exports finished, by kind and outcome', ['kind', 'outcome']);
    this.#rows = declare.counter('export_rows_total', 'Rows written by CSV exports, by kind', ['kind']);
  }

  start(start: ExportStart): ExportRun {
    const entry: Entry = {
      ...start,
      id: randomUUID(),
      state: 'running',
      finishedAt: undefined,
      rows: 0,
      bytes: 0,
      error: undefined,
    };
    this.#running.set(entry.id, entry);
    return {
      wrote: (rows, bytes) => {
        entry.rows += rows;
        entry.bytes += bytes;
        if (rows > 0) this.#rows.inc({ kind: entry.kind }, rows);
      },
      finish: (outcome, error) => {
        if (entry.state !== 'running') return;
        entry.state = outcome;
        entry.finishedAt = this.now();
        entry.error = error;
        this.#running.delete(entry.id);
        this.#finished.push(entry);
        if (this.#finished.length > this.keepFinished) this.#finished.shift();
        this.#total.inc({ kind: entry.kind, outcome });
      },
    };
  }

  /**
   * The exports `user` may see, running ones oldest first and finished ones newest first: every
   * export for a super_admin; for a company owner, its company's; for a branch role, its branch's.
   */
  list(user: UserPrincipal) {
    const visible = (e: Entry) =>
      user.role === 'super_admin' ||
      (e.companyId === user.companyId && (user.role === 'company_owner' || e.branchId === user.branchId));
    const at = this.now();
    return {
      running: [...this.#running.values()].filter(visible).map((e) => viewOf(e, at)),
      recent: this.#finished
        .filter(visible)
        .reverse()
        .map((e) => viewOf(e, at)),
    };
  }
}

function viewOf(e: Entry, now: number) {
  return {
    id: e.id,
    kind: e.kind,
    scope: { companyId: e.companyId, branchId: e.branchId },
    actor: e.actor,
    state: e.state,
    startedAt: isoTime(e.startedAt),
    finishedAt: e.finishedAt === undefined ? null : isoTime(e.finishedAt),
    /** So far, for a running export. */
    durationMs: (e.finishedAt ?? now) - e.startedAt,
    rows: e.rows,
    bytes: e.bytes,
    ...(e.error !== undefined ? { error: e.error } : {}),
  };
}
