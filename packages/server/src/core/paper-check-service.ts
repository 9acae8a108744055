import { createHash, randomBytes } from 'node:crypto';
import { GatewayError } from './gateway-error.js';
import type { AuditLog } from './ports/audit-log.js';
import type { PaperCheck, PaperCheckStore } from './ports/paper-check-store.js';
import type { PrintJob } from './ports/print-job-store.js';
import { actorOf, canSee, type UserPrincipal } from './principal.js';
import type { PrintJobService } from './print-job-service.js';
import type { PrinterService } from './printer-service.js';

export interface PaperCheckServiceDeps {
  checks: PaperCheckStore;
  printers: Pick<PrinterService, 'get'>;
  jobs: Pick<PrintJobService, 'create'>;
  audit: AuditLog;
  /** The dashboard's address for a token (`<public URL>/#/paper/<token>`): what the QR code holds. */
  confirmUrl(token: string): string;
}

/**
 * Opening-shift paper checks (docs/operations.md#canaries). A canary proves the printer answers;
 * only paper proves it prints. A manager prints a slip with a QR code holding a one-time token;
 * whoever scans it with the dashboard signed in confirms that the slip came out, and the printer
 * shows when paper was last seen, and by whom.
 */
export class PaperCheckService {
  constructor(private readonly deps: PaperCheckServiceDeps) {}

  /** Prints a check slip on the printer; resolves with its job once stored (it prints as any job). */
  async print(user: UserPrincipal, printerId: string): Promise<PrintJob> {
    const printer = await this.deps.printers.get(user, printerId);
    const token = randomBytes(16).toString('base64url');
    const url = this.deps.confirmUrl(token);
    const { job } = await this.deps.jobs.create(user, {
      printerId,
      type: 'test',
      priority: 10,
      document: {
        blocks: [
          { type: 'text', text: 'PAPER CHECK', bold: true, size: 'double', align: 'center' },
          { type: 'text', text: printer.name, align: 'center' },
          { type: 'separator' },
          { type: 'text', text: 'Scan with the dashboard signed in:', align: 'center' },
          { type: 'qr', data: url, align: 'center' },
          { type: 'text', text: `CODE ${token}`, align: 'center' },
          { type: 'cut' },
        ],
      },
    });
    await this.deps.checks.insert({
      tokenHash: hashOf(token),
      companyId: printer.companyId,
      branchId: printer.branchId,
      printerId,
      jobId: job.id,
    });
    return job;
  }

  /** A person scanned the slip: paper came out. 404 for an unknown token, 409 when used already. */
  async confirm(user: UserPrincipal, token: string): Promise<PaperCheck> {
    const tokenHash = hashOf(token);
    const found = await this.deps.checks.find(tokenHash);
    if (!found || !canSee(user, found.companyId, found.branchId)) {
      throw new GatewayError('NOT_FOUND', { message: 'no paper check with that code in your scope' });
    }
    const confirmed = await this.deps.checks.confirm(tokenHash, actorOf(user));
    if (!confirmed) {
      throw new GatewayError('CONFLICT', {
        message: 'this paper check was confirmed already',
        details: { confirmedAt: found.confirmedAt?.toISOString() },
      });
    }
    await this.deps.audit.record({
      companyId: confirmed.companyId,
      actor: actorOf(user),
      action: 'printer.paper_confirmed',
      targetType: 'printer',
      targetId: confirmed.printerId,
      details: { branchId: confirmed.branchId, jobId: confirmed.jobId },
    });
    return confirmed;
  }

  /** The printer's last check, in the caller's scope; `undefined` before the first. */
  async latest(user: UserPrincipal, printerId: string): Promise<PaperCheck | undefined> {
    await this.deps.printers.get(user, printerId);
    return this.deps.checks.latest(printerId);
  }
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
