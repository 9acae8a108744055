import { randomUUID } from 'node:crypto';
import { type CreatePrintJobBody, DEFAULT_JOB_PRIORITY, printerProfileOf } from '@printermaster/protocol';
import { canonicalHash } from './canonical-hash.js';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import { auditJobAction, jobTarget } from './job-audit.js';
import type { JobLifecycle } from './job-lifecycle.js';
import { jobListFilter, jobListPage, type ListJobsQuery } from './job-list-query.js';
import { isIdempotencyKey, readJobRequest } from './job-request.js';
import { canReprint } from './job-state-machine.js';
import type { AuditLog, RequestOrigin } from './ports/audit-log.js';
import type {
  NewPrintJob,
  PrintJob,
  PrintJobEvent,
  PrintJobStore,
  PrintJobWithContent,
} from './ports/print-job-store.js';
import type { Printer } from './ports/printer-store.js';
import type { TicketRenderer } from './ports/ticket-renderer.js';
import { actorOf, canSee, type UserPrincipal } from './principal.js';
import type { StationService } from './station-service.js';

export interface PrintJobServiceOptions {
  /** Useful-until when the request gives none, ms after creation. */
  defaultTtlMs: number;
  /** Latest useful-until accepted, ms after creation. */
  maxTtlMs: number;
  /** Largest ESC/POS content, bytes (after base64 decoding or rendering). */
  maxJobBytes: number;
  /** How long an `Idempotency-Key` is remembered, ms. */
  idempotencyWindowMs: number;
  /**
   * How long after a delivered job's useful-until time the gateway waits for the agent's
   * outcome before it calls the job `unconfirmed` ("delivered to the agent, outcome unknown"), ms.
   */
  outcomeGraceMs: number;
}

/**
 * Finds printers for job creation. May answer from a cache that drops a printer on every
 * change made through any process (the cluster bus carries other processes' changes) and
 * trusts an entry a few seconds at most: if a bus notice is lost, a job may be created for a
 * printer deleted that long ago elsewhere; the dispatcher, which reads the store, then ends it
 * `failed`. Job creation reads only fields that never change (id, company, branch) and the
 * paper width of a reprint's banner.
 */
export interface PrinterLookup {
  find(id: string): Promise<Printer | undefined>;
}

export interface PrintJobServiceDeps {
  jobs: PrintJobStore;
  printers: PrinterLookup;
  lifecycle: JobLifecycle;
  renderer: TicketRenderer;
  clock: Clock;
  options: PrintJobServiceOptions;
  /** Refuses jobs for a deactivated branch or company (`BRANCH_INACTIVE`); every branch is open without it. */
  branches?: { requireActiveBranch(branchId: string): Promise<void> };
  /** Where cancels and reprints are recorded; not recorded without it. */
  audit?: AuditLog;
  /** Resolves a job sent to a station (`stationId`) to the station's printer; without it, stations are refused. */
  stations?: Pick<StationService, 'printerFor'>;
}

/** Print jobs as the API sees them: create (idempotent), read, list, cancel, reprint. */
export class PrintJobService {
  private readonly jobs: PrintJobStore;
  private readonly printers: PrinterLookup;
  private readonly lifecycle: JobLifecycle;
  private readonly renderer: TicketRenderer;
  private readonly clock: Clock;
  private readonly options: PrintJobServiceOptions;
  private readonly branches: PrintJobServiceDeps['branches'];
  private readonly audit: AuditLog | undefined;
  private readonly stations: Pick<StationService, 'printerFor'> | undefined;
  private readonly createdListeners: ((job: PrintJobWithContent) => void)[] = [];

  constructor(deps: PrintJobServiceDeps) {
    this.jobs = deps.jobs;
    this.printers = deps.printers;
    this.lifecycle = deps.lifecycle;
    this.renderer = deps.renderer;
    this.clock = deps.clock;
    this.options = deps.options;
    this.branches = deps.branches;
    this.audit = deps.audit;
    this.stations = deps.stations;
  }

  /** Called after a job is stored, with its content (the dispatcher sends it). */
  onCreated(listener: (job: PrintJobWithContent) => void): void {
    this.createdListeners.push(listener);
  }

  /**
   * Stores a job in `queued` and returns it. With an idempotency key, a repeat of
   * the same request returns the first job (`replayed: true`); the same key with
   * another body is `IDEMPOTENCY_KEY_REUSED`.
   */
  async create(
    user: UserPrincipal,
    body: CreatePrintJobBody,
    idempotencyKey?: string,
  ): Promise<{ job: PrintJob; replayed: boolean }> {
    if (idempotencyKey !== undefined && !isIdempotencyKey(idempotencyKey)) {
      throw new GatewayError('BAD_REQUEST', {
        message: 'Idempotency-Key must be 1–255 printable ASCII characters',
        details: { path: 'headers/idempotency-key' },
      });
    }
    const target = await jobTarget(user, body, this.stations);
    const printer = await this.printers.find(target.printerId);
    if (!printer || !canSee(user, printer.companyId, printer.branchId)) throw new GatewayError('PRINTER_NOT_FOUND');
    await this.branches?.requireActiveBranch(printer.branchId);
    const now = this.clock.now();
    const { content, usefulUntil } = await readJobRequest(body, now, this.options, (document) =>
      this.renderer.render(document, undefined, printerProfileOf(printer)),
    );
    return this.store(
      {
        id: randomUUID(),
        companyId: printer.companyId,
        branchId: printer.branchId,
        printerId: printer.id,
        type: body.type ?? 'receipt',
        priority: body.priority ?? DEFAULT_JOB_PRIORITY,
        copies: body.copies ?? 1,
        content,
        orderData: body.orderData ?? null,
        reprintOf: null,
        stationId: target.stationId,
        usefulUntil: new Date(usefulUntil),
        createdAt: new Date(now),
        actor: actorOf(user),
      },
      idempotencyKey,
      () => canonicalHash(body),
    );
  }

  async get(user: UserPrincipal, id: string): Promise<{ job: PrintJob; events: PrintJobEvent[] }> {
    const job = await this.find(user, id);
    return { job, events: await this.jobs.events(id) };
  }

  async list(user: UserPrincipal, query: ListJobsQuery): Promise<{ jobs: PrintJob[]; nextCursor?: string }> {
    return jobListPage(query, await this.jobs.list(jobListFilter(user, query)));
  }

  /** A page of the list as CSV (PrintJobStore.csvPage): `size` jobs after `after`, else after the query's cursor. */
  csvPage(user: UserPrincipal, query: ListJobsQuery, size: number, after?: { createdAt: Date; id: string }) {
    const filter = jobListFilter(user, query);
    return this.jobs.csvPage({ ...filter, cursor: after ?? filter.cursor, limit: size });
  }

  /**
   * Cancels a job no agent has yet. A `sent` job may already be in an agent's
   * journal, so it cannot be cancelled from here: that would promise something
   * the gateway cannot keep.
   */
  async cancel(user: UserPrincipal, id: string, origin: RequestOrigin = {}): Promise<PrintJob> {
    const job = await this.find(user, id);
    const moved = await this.lifecycle.transition('cancel', id, { actor: 'user', userId: user.userId });
    if (moved) {
      await auditJobAction(this.audit, user, 'job.cancelled', moved, origin);
      return moved;
    }
    const latest = (await this.jobs.find(id)) ?? job;
    throw new GatewayError('JOB_ALREADY_FINAL', {
      message:
        latest.state === 'sent'
          ? 'the job was already sent to the agent; it can no longer be cancelled'
          : `the job is ${latest.state}; only queued jobs can be cancelled`,
      details: { state: latest.state },
    });
  }

  /** A new job with the same content, a REPRINT banner, and a link to the original. */
  async reprint(
    user: UserPrincipal,
    id: string,
    idempotencyKey?: string,
    origin: RequestOrigin = {},
  ): Promise<{ job: PrintJob; replayed: boolean }> {
    const original = await this.jobs.findWithContent(id);
    if (!original || !canSee(user, original.companyId, original.branchId)) throw new GatewayError('JOB_NOT_FOUND');
    if (!canReprint(original.state)) {
      throw new GatewayError('CONFLICT', {
        message: `the job is still ${original.state}; reprint it once it has ended`,
        details: { state: original.state },
      });
    }
    if (idempotencyKey !== undefined && !isIdempotencyKey(idempotencyKey)) {
      throw new GatewayError('BAD_REQUEST', { message: 'Idempotency-Key must be 1–255 printable ASCII characters' });
    }
    const printer = await this.printers.find(original.printerId);
    if (!printer) throw new GatewayError('PRINTER_NOT_FOUND', { message: 'the original printer no longer exists' });
    await this.branches?.requireActiveBranch(printer.branchId);
    const banner = this.renderer.banner('REPRINT', printer.paperWidth === 58 ? 58 : 80);
    const content = new Uint8Array(banner.byteLength + original.content.byteLength);
    content.set(banner, 0);
    content.set(original.content, banner.byteLength);
    const now = this.clock.now();
    const reprinted = await this.store(
      {
        id: randomUUID(),
        companyId: original.companyId,
        branchId: original.branchId,
        printerId: original.printerId,
        type: original.type,
        priority: original.priority,
        copies: 1,
        content,
        orderData: original.orderData,
        reprintOf: original.id,
        usefulUntil: new Date(now + this.options.defaultTtlMs),
        createdAt: new Date(now),
        actor: actorOf(user),
      },
      idempotencyKey,
      () => canonicalHash({ reprintOf: id }),
    );
    // A replay made nothing new: the first request was recorded.
    if (!reprinted.replayed) await auditJobAction(this.audit, user, 'job.reprinted', reprinted.job, origin);
    return reprinted;
  }

  /**
   * Ends jobs past their useful-until time, honestly: a job that never left the gateway becomes
   * `expired`; one delivered to an agent that has sent no outcome within
   * `outcomeGraceMs` after it becomes `unconfirmed` (it may have printed). Returns how many of each.
   */
  async expireDue(limit = 500): Promise<{ expired: number; unconfirmed: number }> {
    const now = this.clock.now();
    const expired = await this.lifecycle.sweep('expire', new Date(now), limit);
    const unconfirmed = await this.lifecycle.sweep(
      'giveUpOnOutcome',
      new Date(now - this.options.outcomeGraceMs),
      limit,
    );
    return { expired, unconfirmed };
  }

  async purgeIdempotencyKeys(): Promise<number> {
    return this.jobs.purgeIdempotencyKeys(new Date(this.clock.now() - this.options.idempotencyWindowMs));
  }

  /** Records a user's action on a job (`job` is the new one for a reprint, which names its original). */

  /** A job the gateway makes itself (a station's recovery notice): stored and dispatched as any other. */
  async createForGateway(job: NewPrintJob): Promise<PrintJob> {
    return (await this.store(job, undefined, () => '')).job;
  }

  private async find(user: UserPrincipal, id: string): Promise<PrintJob> {
    const job = await this.jobs.find(id);
    if (!job || !canSee(user, job.companyId, job.branchId)) throw new GatewayError('JOB_NOT_FOUND');
    return job;
  }

  /**
   * Stores a new job (claiming `idempotencyKey` with the request's hash, if given) and announces
   * it; a key used before returns the job it made, or `IDEMPOTENCY_KEY_REUSED` for another request.
   */
  private async store(
    job: NewPrintJob,
    idempotencyKey: string | undefined,
    requestHash: () => string,
  ): Promise<{ job: PrintJob; replayed: boolean }> {
    const claim =
      idempotencyKey === undefined
        ? undefined
        : {
            key: idempotencyKey,
            requestHash: requestHash(),
            notBefore: new Date(job.createdAt.getTime() - this.options.idempotencyWindowMs),
          };
    const result = await this.jobs.insert(job, claim);
    if (!result.created) {
      if (result.requestHash !== claim?.requestHash) throw new GatewayError('IDEMPOTENCY_KEY_REUSED');
      return { job: result.job, replayed: true };
    }
    this.lifecycle.created(result.job);
    for (const l of this.createdListeners) l({ ...result.job, content: job.content });
    return { job: result.job, replayed: false };
  }
}
