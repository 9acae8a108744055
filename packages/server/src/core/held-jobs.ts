import { GatewayError } from './gateway-error.js';
import { auditJobAction } from './job-audit.js';
import type { JobLifecycle } from './job-lifecycle.js';
import type { AuditLog, RequestOrigin } from './ports/audit-log.js';
import type { PrintJob, PrintJobStore } from './ports/print-job-store.js';
import { canSee, listScope, type UserPrincipal } from './principal.js';

/** Held jobs moved per request of "all of a branch", at most; the answer says when some are left. */
export const MAX_BULK = 1_000;

export interface HeldJobsDeps {
  jobs: Pick<PrintJobStore, 'find' | 'list'>;
  lifecycle: Pick<JobLifecycle, 'transition'>;
  audit: AuditLog;
  /** Released jobs are waiting in `branchId`: dispatch them (here, and where the branch's agent is). */
  released(branchId: string): void;
}

/**
 * The jobs held instead of printed because they were too old when an agent could take them
 * (docs/api.md#held-jobs): a person, or the POS through the API, releases them (they are sent,
 * whatever their age) or cancels them, one at a time or all of a branch.
 */
export class HeldJobs {
  constructor(private readonly deps: HeldJobsDeps) {}

  async release(user: UserPrincipal, id: string, origin: RequestOrigin = {}): Promise<PrintJob> {
    const job = await this.deps.jobs.find(id);
    if (!job || !canSee(user, job.companyId, job.branchId)) throw new GatewayError('JOB_NOT_FOUND');
    const moved = await this.deps.lifecycle.transition('release', id, { actor: 'user', userId: user.userId });
    if (!moved) {
      const latest = (await this.deps.jobs.find(id)) ?? job;
      throw new GatewayError('CONFLICT', {
        message: `the job is ${latest.state}; only held jobs can be released`,
        details: { state: latest.state },
      });
    }
    await auditJobAction(this.deps.audit, user, 'job.released', moved, origin);
    this.deps.released(moved.branchId);
    return moved;
  }

  /**
   * Releases (`release`) or cancels (`cancel`) the branch's held jobs, oldest first, up to
   * MAX_BULK; returns the jobs moved and whether held ones are left. A job another request
   * moved meanwhile is skipped.
   */
  async all(
    user: UserPrincipal,
    branchId: string,
    action: 'release' | 'cancel',
    origin: RequestOrigin = {},
  ): Promise<{ moved: PrintJob[]; more: boolean }> {
    // FORBIDDEN for a branch outside the caller's scope; another company's branch lists nothing.
    const scope = listScope(user, { branchId });
    const held = await this.deps.jobs.list({ ...scope, branchId, states: ['held'], limit: MAX_BULK + 1 });
    const moved: PrintJob[] = [];
    // The list is newest first; the oldest tickets go first, as they would have.
    for (const job of held.slice(0, MAX_BULK).reverse()) {
      const done = await this.deps.lifecycle.transition(action, job.id, { actor: 'user', userId: user.userId });
      if (!done) continue;
      moved.push(done);
      await auditJobAction(
        this.deps.audit,
        user,
        action === 'release' ? 'job.released' : 'job.cancelled',
        done,
        origin,
      );
    }
    if (action === 'release' && moved.length > 0) this.deps.released(branchId);
    return { moved, more: held.length > MAX_BULK };
  }
}
