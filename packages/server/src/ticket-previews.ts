import { createHash } from 'node:crypto';
import type { TicketPreview } from '@printermaster/escpos';
import type { CreatePrintJobBody } from '@printermaster/protocol';
import { LRUCache } from 'lru-cache';
import { GatewayError } from './core/gateway-error.js';
import { contentOf } from './core/job-request.js';
import type { PrintJobStore } from './core/ports/print-job-store.js';
import { canSee, type UserPrincipal } from './core/principal.js';
import type { TicketRenderPool } from './ticket-render-pool.js';

export interface TicketPreviewsOptions {
  /** Previews kept in memory, bytes of PNG in all; the least recently shown goes first. */
  cacheBytes: number;
  /** Largest ESC/POS content a preview request may carry (the job limit). */
  maxJobBytes: number;
}

/** A preview and what identifies its picture (for `ETag`). */
export interface ShownPreview extends TicketPreview {
  etag: string;
}

interface CachedPreview {
  preview: ShownPreview;
  companyId: string;
  branchId: string;
}

/**
 * Pictures of tickets as they print (`GET /printing/jobs/:id/preview.png`, `POST /printing/preview`),
 * drawn on the render threads from the job's stored bytes by the project's own ESC/POS reader. A job's
 * bytes never change once stored, so its picture is kept (bounded by `cacheBytes`) and the next look
 * costs a tenant check and no drawing. The tenant check is made on every request, cached or not.
 */
export class TicketPreviews {
  readonly #cache: LRUCache<string, CachedPreview>;
  /** Looks answered from memory and drawn, since start. */
  readonly lookups = { hits: 0, misses: 0 };

  constructor(
    private readonly jobs: Pick<PrintJobStore, 'find' | 'findWithContent'>,
    private readonly pool: Pick<TicketRenderPool, 'render' | 'preview'>,
    private readonly options: TicketPreviewsOptions,
  ) {
    this.#cache = new LRUCache({
      maxSize: Math.max(1, options.cacheBytes),
      sizeCalculation: (entry) => Math.max(1, entry.preview.png.byteLength),
    });
  }

  /**
   * The picture of a job the user may see.
   * @throws GatewayError `JOB_NOT_FOUND` (also for another tenant's job), `RENDERER_BUSY`.
   */
  async ofJob(user: UserPrincipal, jobId: string): Promise<ShownPreview> {
    const cached = this.#cache.get(jobId);
    if (cached !== undefined) {
      if (!canSee(user, cached.companyId, cached.branchId)) throw new GatewayError('JOB_NOT_FOUND');
      this.lookups.hits++;
      return cached.preview;
    }
    const job = await this.jobs.findWithContent(jobId);
    if (!job || !canSee(user, job.companyId, job.branchId)) throw new GatewayError('JOB_NOT_FOUND');
    this.lookups.misses++;
    const preview = { ...(await this.pool.preview(job.content)), etag: `"job-${job.id}"` };
    this.#cache.set(jobId, { preview, companyId: job.companyId, branchId: job.branchId });
    return preview;
  }

  /**
   * The picture of a ticket before it is printed: a document (rendered exactly as a job would be) or
   * raw ESC/POS in base64.
   * @throws GatewayError as job creation does for the same body (`BAD_REQUEST`, `PAYLOAD_TOO_LARGE`,
   * image limits), and `RENDERER_BUSY`.
   */
  async ofRequest(body: Pick<CreatePrintJobBody, 'content' | 'document'>): Promise<ShownPreview> {
    const bytes = await contentOf(body, this.options.maxJobBytes, (document) => this.pool.render(document));
    const etag = `"sha256-${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`;
    return { ...(await this.pool.preview(bytes)), etag };
  }

  /** Previews in memory now, and their PNG bytes in all. */
  cached(): { entries: number; bytes: number } {
    return { entries: this.#cache.size, bytes: this.#cache.calculatedSize };
  }
}
