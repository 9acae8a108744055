import { findInputProblem, instantMs, JOB_STATES, type JobState } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';
import type { PrintJob, PrintJobListFilter } from './ports/print-job-store.js';
import { listScope, type UserPrincipal } from './principal.js';
import { parseQueryInstant } from './query-instant.js';

/** `GET /printing/jobs` as the API receives it. */
export interface ListJobsQuery {
  companyId?: string;
  branchId?: string;
  printerId?: string;
  /** Comma-separated states. */
  state?: string;
  createdAfter?: string;
  createdBefore?: string;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
  /** Page size; 50 when absent. */
  limit?: number;
}

/**
 * The store filter for a user's list query, within what the user may see. It asks for one job
 * more than the page holds, so the page knows whether another follows (jobListPage).
 * @throws GatewayError `BAD_REQUEST` (with the field path) for an unknown state, a bad date or cursor;
 * `FORBIDDEN` for a company or branch outside the user's scope.
 */
export function jobListFilter(user: UserPrincipal, query: ListJobsQuery): PrintJobListFilter {
  const scope = listScope(user, query);
  const states = query.state ? query.state.split(',').map((s) => s.trim()) : undefined;
  const bad = states?.find((s) => !(JOB_STATES as readonly string[]).includes(s));
  if (bad !== undefined) {
    throw new GatewayError('BAD_REQUEST', {
      message: `unknown job state "${bad}"`,
      details: { path: 'querystring/state' },
    });
  }
  return {
    ...scope,
    printerId: query.printerId,
    states: states as JobState[] | undefined,
    createdAfter: parseQueryInstant(query.createdAfter, 'createdAfter'),
    createdBefore: parseQueryInstant(query.createdBefore, 'createdBefore'),
    cursor: query.cursor ? decodeCursor(query.cursor) : undefined,
    limit: pageSize(query) + 1,
  };
}

/** The page from what the store returned for jobListFilter, with the cursor of the next one if any. */
export function jobListPage(query: ListJobsQuery, jobs: PrintJob[]): { jobs: PrintJob[]; nextCursor?: string } {
  const limit = pageSize(query);
  const page = jobs.slice(0, limit);
  const last = page[page.length - 1];
  return jobs.length > limit && last ? { jobs: page, nextCursor: encodeCursor(last) } : { jobs: page };
}

function pageSize(query: ListJobsQuery): number {
  return query.limit ?? 50;
}

function encodeCursor(job: PrintJob): string {
  return Buffer.from(`${job.createdAt.toISOString()}|${job.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // Decoded bytes are the caller's: they keep the input rules like any other field.
  const ms = at === undefined ? undefined : instantMs(at);
  if (!id || ms === undefined || findInputProblem(id) !== undefined) {
    throw new GatewayError('BAD_REQUEST', { message: 'cursor is not valid', details: { path: 'querystring/cursor' } });
  }
  return { createdAt: new Date(ms), id };
}
