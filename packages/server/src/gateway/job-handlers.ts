import type { JobLifecycle } from '../core/job-lifecycle.js';
import { agentErrorText } from './agent-error-text.js';
import type { AgentEventHandlers } from './agent-event-router.js';
import type { AgentSession } from './gateway-sockets.js';

export interface JobHandlersDeps {
  lifecycle: Pick<JobLifecycle, 'applyAgentReport'>;
}

type JobEvents = 'print:job:started' | 'print:job:completed' | 'print:job:failed' | 'print:job:unconfirmed';

/**
 * How a v2 agent's print jobs go: each report moves the job through the lifecycle, and is
 * answered with the job's state after it (the same state for a report repeated). The
 * acknowledgement of `print:job` itself is the agent link's (socket-agent-link.ts).
 */
export function jobHandlers(deps: JobHandlersDeps): Pick<AgentEventHandlers, JobEvents> {
  const report = (
    s: AgentSession,
    outcome: 'printing' | 'completed' | 'failed' | 'unconfirmed',
    jobId: string,
    reason?: string,
  ) => {
    if (s.agent.protocol === 'legacy') {
      // Legacy clients are never sent jobs; a report from one is about nothing we sent.
      s.log.info({ jobId, outcome }, 'legacy client job report ignored');
      return { jobId, ignored: true as const };
    }
    return deps.lifecycle
      .applyAgentReport(s.principal, jobId, outcome, reason)
      .then((job) => ({ jobId, state: job.state }));
  };
  return {
    'print:job:started': (s, p) => report(s, 'printing', p.jobId),
    'print:job:completed': (s, p) =>
      p.success === false
        ? report(s, 'failed', p.jobId, 'agent reported success: false')
        : report(s, 'completed', p.jobId),
    'print:job:failed': (s, p) => report(s, 'failed', p.jobId, agentErrorText(p.error)),
    'print:job:unconfirmed': (s, p) => report(s, 'unconfirmed', p.jobId, p.reason),
  };
}
