import { runAgentCli } from '@printermaster/agent';

/** One line of the agent's JSON log, as far as the smoke test reads it. */
interface AgentLogLine {
  level?: number;
  msg?: string;
  err?: unknown;
  code?: string;
  reason?: string;
  message?: string;
}

/**
 * The branch agent, run in this process exactly as `printermaster agent` runs it (options
 * parsed, licence validated, socket, journal), with an empty environment so that none of the
 * caller's agent or gateway variables change it. Its log lines are kept so that the smoke test
 * can wait for its connection and report why it did not connect.
 */
export class SmokeAgent {
  private readonly log: AgentLogLine[] = [];
  private readonly stopper = new AbortController();
  private readonly done: Promise<number>;
  private readonly waiters = new Set<() => void>();

  constructor(argv: string[]) {
    let rest = '';
    const collect = (chunk: string) => {
      rest += chunk;
      for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        try {
          this.log.push(JSON.parse(line) as AgentLogLine);
        } catch {
          this.log.push({ level: 50, msg: line });
        }
        for (const wake of this.waiters) wake();
      }
    };
    this.done = runAgentCli(argv, { stdout: collect, stderr: collect, env: {}, signal: this.stopper.signal });
    // An exit before stop() (bad options) wakes the waiters, which then see it.
    void this.done.finally(() => {
      for (const wake of this.waiters) wake();
    });
  }

  /** Resolves once the agent has logged `msg`; rejects after `timeoutMs` or when the agent exits. */
  waitFor(msg: string, timeoutMs: number): Promise<void> {
    let exited = false;
    void this.done.then(() => {
      exited = true;
    });
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.log.some((l) => l.msg === msg)) finish(resolve);
        else if (exited) finish(() => reject(new Error(`the agent stopped${this.lastProblem()}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`the agent did not connect within ${timeoutMs} ms${this.lastProblem()}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.done;
  }

  /** The agent's last warning or error (a refused licence, an unreachable gateway), for the one-line report. */
  private lastProblem(): string {
    const entry = [...this.log].reverse().find((l) => (l.level ?? 0) >= 40);
    if (!entry) return '';
    const err = typeof entry.err === 'string' ? entry.err : undefined;
    const detail = [entry.code ?? entry.reason, entry.message ?? err].filter(Boolean).join(': ');
    return `; its last problem: ${entry.msg}${detail ? ` (${detail})` : ''}`;
  }
}
