/**
 * Messages between gateway processes: "jobs are ready in branch X",
 * printer-test requests for an agent on another process, and their replies.
 * Delivery is best effort (at most once); nothing durable goes over it — the
 * database is the truth, and periodic sweeps catch what a lost message missed.
 */
export interface ClusterBus {
  publish(channel: string, message: unknown): Promise<void>;
  /** Handlers get messages published after the subscription, by any process including this one. */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<void>;
  close(): Promise<void>;
}
