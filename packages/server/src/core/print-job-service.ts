import { randomUUID } from 'node:crypto';
import {
  type CreatePrintJobBody,
  DEFAULT_JOB_PRIORITY,
  findInputProblem,
  instantMs,
  isFinalJobState,
  JOB_STATES,
  type JobState,
  type TicketDocument,
} from '@printermaster/protocol';
import { canonicalHash } from './canonical-hash.js';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import { EXPIRED_REASON, type JobLifecycle, OUTCOME_UNKNOWN_REASON } from './job-lifecycle.js';
import type { PrintJob, PrintJobEvent, PrintJobStore, PrintJobWithContent } from './ports/print-job-store.js';
import type { Printer } from './ports/printer-store.js';
import { canSee, listScope, type UserPrincipal } from './principal.js';

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
 * Renders documents to ESC/POS; `banner` is printed first in large type (e.g. REPRINT).
 * Rendering may take seconds of CPU (images), so it is asynchronous and runs off the event loop.
 */
export interface TicketRenderer {
  /**
   * @throws GatewayError: `IMAGE_TOO_LARGE`, `JOB_IMAGES_TOO_LARGE` (413), `IMAGE_INVALID`, `BAD_REQUEST`
   * (400) for a document that cannot print, `RENDERER_BUSY` (503) when too many wait for rendering.
   */
  render(document: TicketDocument, banner?: string): Promise<Uint8Array>;
  /** Bytes of a banner alone, placed before raw content. Must not cut the paper. */
  banner(text: string, paperWidth?: number): Uint8Array;
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

export interface ListJobsQuery {
  companyId?: string;
  branchId?: string;
  printerId?: string;
  /** Comma-separated states. */
  state?: string;
  createdAfter?: string;
  createdBefore?: string;
  cursor?: string;
  limit?: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Print jobs as the API sees them: create (idempotent), read, list, cancel, reprint. */
export class PrintJobService {
  private readonly createdListeners: ((job: PrintJobWithContent) => void)[] = [];

  constructor(
    private readonly jobs: PrintJobStore,
    private readonly printers: PrinterLookup,
    private readonly lifecycle: JobLifecycle,
    private readonly renderer: TicketRenderer,
    private readonly clock: Clock,
    private readonly options: PrintJobServiceOptions,
  ) {}

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
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new GatewayError('BAD_REQUEST', {
        message: 'Idempotency-Key must be 1–255 printable ASCII characters',
        details: { path: 'headers/idempotency-key' },
      });
    }
    const printer = await this.printers.find(body.printerId);
    if (!printer || !canSee(user, printer.companyId, printer.branchId)) throw new GatewayError('PRINTER_NOT_FOUND');
    const now = this.clock.now();
    const usefulUntil = this.usefulUntil(body.usefulUntil, now);
    if (body.orderData && JSON.stringify(body.orderData).length > 16_384) {
      throw new GatewayError('BAD_REQUEST', {
        message: 'orderData is larger than 16 KB',
        details: { path: 'body/orderData' },
      });
    }
    // Last of the checks: rendering is the expensive one.
    const content = await this.contentOf(body);
    const result = await this.jobs.insert(
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
        usefulUntil: new Date(usefulUntil),
        createdAt: new Date(now),
        actor: `user:${user.userId}`,
      },
      idempotencyKey === undefined
        ? undefined
        : {
            key: idempotencyKey,
            requestHash: canonicalHash(body),
            notBefore: new Date(now - this.options.idempotencyWindowMs),
          },
    );
    if (!result.created) {
      if (result.requestHash !== canonicalHash(body)) throw new GatewayError('IDEMPOTENCY_KEY_REUSED');
      return { job: result.job, replayed: true };
    }
    this.lifecycle.created(result.job);
    for (const l of this.createdListeners) l({ ...result.job, content });
    return { job: result.job, replayed: false };
  }

  async get(user: UserPrincipal, id: string): Promise<{ job: PrintJob; events: PrintJobEvent[] }> {
    const job = await this.find(user, id);
    return { job, events: await this.jobs.events(id) };
  }

  async list(user: UserPrincipal, query: ListJobsQuery): Promise<{ jobs: PrintJob[]; nextCursor?: string }> {
    const scope = listScope(user, query);
    const states = query.state ? query.state.split(',').map((s) => s.trim()) : undefined;
    const bad = states?.find((s) => !(JOB_STATES as readonly string[]).includes(s));
    if (bad !== undefined) {
      throw new GatewayError('BAD_REQUEST', {
        message: `unknown job state "${bad}"`,
        details: { path: 'querystring/state' },
      });
    }
    const limit = query.limit ?? 50;
    const jobs = await this.jobs.list({
      ...scope,
      printerId: query.printerId,
      states: states as JobState[] | undefined,
      createdAfter: parseDate(query.createdAfter, 'createdAfter'),
      createdBefore: parseDate(query.createdBefore, 'createdBefore'),
      cursor: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const page = jobs.slice(0, limit);
    const last = page[page.length - 1];
    return jobs.length > limit && last ? { jobs: page, nextCursor: encodeCursor(last) } : { jobs: page };
  }

  /**
   * Cancels a job no agent has yet. A `sent` job may already be in an agent's
   * journal, so it cannot be cancelled from here: that would promise something
   * the gateway cannot keep.
   */
  async cancel(user: UserPrincipal, id: string): Promise<PrintJob> {
    const job = await this.find(user, id);
    const moved = await this.lifecycle.move(id, ['queued'], 'cancelled', `user:${user.userId}`, {
      reason: 'cancelled through the API',
    });
    if (moved) return moved;
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
  ): Promise<{ job: PrintJob; replayed: boolean }> {
    const original = await this.jobs.findWithContent(id);
    if (!original || !canSee(user, original.companyId, original.branchId)) throw new GatewayError('JOB_NOT_FOUND');
    if (!isFinalJobState(original.state)) {
      throw new GatewayError('CONFLICT', {
        message: `the job is still ${original.state}; reprint it once it has ended`,
        details: { state: original.state },
      });
    }
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new GatewayError('BAD_REQUEST', { message: 'Idempotency-Key must be 1–255 printable ASCII characters' });
    }
    const printer = await this.printers.find(original.printerId);
    if (!printer) throw new GatewayError('PRINTER_NOT_FOUND', { message: 'the original printer no longer exists' });
    const banner = this.renderer.banner('REPRINT', printer.paperWidth === 58 ? 58 : 80);
    const content = new Uint8Array(banner.byteLength + original.content.byteLength);
    content.set(banner, 0);
    content.set(original.content, banner.byteLength);
    const now = this.clock.now();
    const requestHash = canonicalHash({ reprintOf: id });
    const result = await this.jobs.insert(
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
        actor: `user:${user.userId}`,
      },
      idempotencyKey === undefined
        ? undefined
        : { key: idempotencyKey, requestHash, notBefore: new Date(now - this.options.idempotencyWindowMs) },
    );
    if (!result.created) {
      if (result.requestHash !== requestHash) throw new GatewayError('IDEMPOTENCY_KEY_REUSED');
      return { job: result.job, replayed: true };
    }
    this.lifecycle.created(result.job);
    for (const l of this.createdListeners) l({ ...result.job, content });
    return { job: result.job, replayed: false };
  }

  /**
   * Ends jobs past their useful-until time, honestly: a job that never left the gateway becomes
   * `expired`; one delivered to an agent that has sent no outcome within
   * `outcomeGraceMs` after it becomes `unconfirmed` (it may have printed). Returns how many of each.
   */
  async expireDue(limit = 500): Promise<{ expired: number; unconfirmed: number }> {
    const now = this.clock.now();
    const expired = await this.jobs.expireDue(new Date(now), EXPIRED_REASON, limit);
    for (const job of expired) this.lifecycle.announce(job, 'queued');
    const unconfirmed = await this.jobs.unconfirmOverdue(
      new Date(now - this.options.outcomeGraceMs),
      OUTCOME_UNKNOWN_REASON,
      limit,
    );
    for (const { job, from } of unconfirmed) this.lifecycle.announce(job, from);
    return { expired: expired.length, unconfirmed: unconfirmed.length };
  }

  async purgeIdempotencyKeys(): Promise<number> {
    return this.jobs.purgeIdempotencyKeys(new Date(this.clock.now() - this.options.idempotencyWindowMs));
  }

  private async find(user: UserPrincipal, id: string): Promise<PrintJob> {
    const job = await this.jobs.find(id);
    if (!job || !canSee(user, job.companyId, job.branchId)) throw new GatewayError('JOB_NOT_FOUND');
    return job;
  }

  private async contentOf(body: CreatePrintJobBody): Promise<Uint8Array> {
    if ((body.content === undefined) === (body.document === undefined)) {
      throw new GatewayError('BAD_REQUEST', {
        message: 'give exactly one of content (base64 ESC/POS) or document',
        details: { path: 'body/content' },
      });
    }
    let bytes: Uint8Array;
    if (body.content !== undefined) {
      // The base64 length bounds the decoded size: refuse before allocating.
      if ((body.content.length / 4) * 3 > this.options.maxJobBytes + 2) throw this.tooLarge();
      if (!BASE64.test(body.content)) {
        throw new GatewayError('BAD_REQUEST', {
          message: 'content is not valid base64',
          details: { path: 'body/content' },
        });
      }
      bytes = Buffer.from(body.content, 'base64');
    } else {
      bytes = await this.renderer.render(body.document as TicketDocument);
    }
    if (bytes.byteLength === 0) {
      throw new GatewayError('BAD_REQUEST', { message: 'content is empty', details: { path: 'body/content' } });
    }
    if (bytes.byteLength > this.options.maxJobBytes) throw this.tooLarge();
    return bytes;
  }

  private tooLarge(): GatewayError {
    return new GatewayError('PAYLOAD_TOO_LARGE', {
      message: `print content is larger than ${this.options.maxJobBytes} bytes`,
      details: { maxJobBytes: this.options.maxJobBytes },
    });
  }

  private usefulUntil(requested: string | undefined, now: number): number {
    if (requested === undefined) return now + this.options.defaultTtlMs;
    const at = Date.parse(requested);
    if (Number.isNaN(at)) {
      throw new GatewayError('BAD_REQUEST', {
        message: 'usefulUntil is not a date-time',
        details: { path: 'body/usefulUntil' },
      });
    }
    if (at <= now) {
      throw new GatewayError('BAD_REQUEST', {
        message: 'usefulUntil is in the past',
        details: { path: 'body/usefulUntil' },
      });
    }
    if (at > now + this.options.maxTtlMs) {
      throw new GatewayError('BAD_REQUEST', {
        message: `usefulUntil is more than ${Math.round(this.options.maxTtlMs / 3_600_000)} h ahead`,
        details: { path: 'body/usefulUntil' },
      });
    }
    return at;
  }
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

function parseDate(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const ms = instantMs(value);
  if (ms === undefined) {
    throw new GatewayError('BAD_REQUEST', {
      message: `${name} is not a date-time between the years 1 and 9999`,
      details: { path: `querystring/${name}` },
    });
  }
  return new Date(ms);
}
