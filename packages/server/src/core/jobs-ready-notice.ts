import type { ClusterRpc } from './cluster-rpc.js';
import type { JobDispatcher } from './job-dispatcher.js';
import type { AgentDirectory } from './ports/agent-directory.js';
import type { Logger } from './ports/logger.js';
import type { PrintJobWithContent } from './ports/print-job-store.js';
import { runAsGateway } from './tenant-scope.js';

export interface JobsReadyNoticeDeps {
  rpc: ClusterRpc;
  /** Where every connected agent is, across processes. */
  directory: AgentDirectory;
  dispatcher: Pick<JobDispatcher, 'kick'>;
  link: { agentsInBranch(branchId: string): unknown[] };
  logger: Logger;
}

/** How long another process has to confirm a notice, ms; a lost one is caught by the redispatch sweep. */
const NOTICE_TIMEOUT_MS = 5_000;

/**
 * "Jobs wait in this branch": the process holding the branch's agent dispatches them. This
 * process kicks its own dispatcher, and calls `jobs.ready` on every other process the agent
 * directory lists for the branch, the same route a printer test takes to an agent elsewhere.
 */
export class JobsReadyNotice {
  constructor(private readonly deps: JobsReadyNoticeDeps) {
    deps.rpc.handle('jobs.ready', ({ branchId }) => {
      if (deps.link.agentsInBranch(branchId).length === 0) return { kicked: false };
      void runAsGateway(() => deps.dispatcher.kick(branchId));
      return { kicked: true };
    });
  }

  /** A job was created in `branchId` (`fresh` saves the dispatcher a read of it). */
  announce(branchId: string, fresh?: PrintJobWithContent): void {
    // Dispatch is the gateway's own work, not the submitting user's (decision 0007).
    void runAsGateway(() => this.deps.dispatcher.kick(branchId, fresh));
    void this.tellOthers(branchId);
  }

  private async tellOthers(branchId: string): Promise<void> {
    try {
      const self = this.deps.rpc.instanceId;
      const holders = new Set<string>();
      for (const r of await this.deps.directory.inBranch(branchId))
        if (r.instanceId !== self) holders.add(r.instanceId);
      await Promise.all(
        [...holders].map((instanceId) =>
          this.deps.rpc.call(instanceId, 'jobs.ready', { branchId }, NOTICE_TIMEOUT_MS).catch((err: unknown) => {
            this.deps.logger.warn({ branchId, instanceId, err: (err as Error).message }, 'job notice not delivered');
          }),
        ),
      );
    } catch (err) {
      this.deps.logger.warn({ branchId, err: (err as Error).message }, 'job notice not published');
    }
  }
}
