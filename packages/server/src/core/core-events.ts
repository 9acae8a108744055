import type { JobState } from '@printermaster/protocol';
import type { PendingRequestInfo } from './pending-requests.js';
import type { ConnectedAgent } from './ports/agent-link.js';
import type { SequencedBatch } from './ports/event-store.js';
import type { PrintJob } from './ports/print-job-store.js';
import type { CanaryResult, StatusReport } from './ports/printer-store.js';
import type { RetentionTable } from './ports/retention-store.js';
import type { Station } from './ports/station-store.js';

/**
 * What the core and the edges report as it happens, for whoever observes it (metrics, later
 * webhooks). Listeners run synchronously in the emitter's turn: keep them cheap and never throw.
 */
export interface CoreEventMap {
  /** A job changed state; `from` is undefined when it was created. */
  jobTransition: [job: PrintJob, from: JobState | undefined];
  /** A document was rendered to bytes, on the event loop or a worker thread; duration in ms. */
  rendered: [outcome: 'rendered' | 'refused' | 'busy' | 'failed', where: 'inline' | 'thread', durationMs: number];
  /** A request to an agent (printer test) got no reply by its deadline. */
  requestTimedOut: [info: PendingRequestInfo];
  /** A request to an agent was answered, after `durationMs`. */
  requestResolved: [info: PendingRequestInfo, durationMs: number];
  /** The stale-request sweep removed requests its timers missed. */
  staleRequestsCleaned: [count: number];
  /** A rate limit refused a request; `scope` names the limiter (printer_test_branch, write_branch, ...). */
  rateLimited: [scope: string];
  /** One agent's round-trip latency sample, seconds. */
  agentLatency: [seconds: number];
  /** Printer status changes sent to dashboards as one batch of `size`. */
  statusBatch: [size: number];
  /** A socket connected (delta 1) or disconnected (delta -1, with its reason and how long it lasted, ms). */
  connection: [kind: 'agent' | 'web', delta: 1 | -1, reason: string | undefined, durationMs: number | undefined];
  /** A browser socket was refused for its Origin. */
  originRefused: [origin: string, address: string | undefined];
  /** A socket's handshake was refused: an agent's licence or a web client's token; `code` is the reason's error code. */
  handshakeRefused: [kind: 'agent' | 'web', code: string];
  /**
   * This process's sequencer published outbox events (gave them their seq) and created their
   * webhook deliveries, committed: the webhook worker and the feed's waiters look now. Events
   * published by another process are not announced here; poll for them.
   */
  eventsSequenced: [batch: SequencedBatch];
  /**
   * A webhook attempt ended: `delivered`, `retry` (failed, tried again later) or `failed` (given up);
   * the request's duration in ms; for a delivered one, the lag from the event to its delivery, ms.
   */
  webhookDelivery: [outcome: 'delivered' | 'retry' | 'failed', latencyMs: number, lagMs: number | undefined];
  /** A webhook endpoint was disabled after a run of failures. */
  webhookEndpointDisabled: [];
  /** An agent connected here reported its printers' statuses (the canaries' answers among them). */
  statusReported: [agent: ConnectedAgent, reports: readonly StatusReport[]];
  /** A station's waiting jobs moved from a printer that stopped being ready to the next ready one. */
  stationMoved: [station: Station, count: number];
  /** A printer's canary ended (core/printer-canary.ts). */
  canaryProbed: [result: CanaryResult & { branchId: string }];
  /** The retention purge deleted `count` rows of `table` (one batch). */
  retentionPurged: [table: RetentionTable, count: number];
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** A small typed event hub: no framework in the core, and listeners keyed by the map above. */
export class CoreEvents {
  private readonly listeners: { [E in keyof CoreEventMap]?: Listener<CoreEventMap[E]>[] } = {};

  on<E extends keyof CoreEventMap>(event: E, listener: Listener<CoreEventMap[E]>): void {
    const list = (this.listeners[event] ?? []) as Listener<CoreEventMap[E]>[];
    list.push(listener);
    this.listeners[event] = list as (typeof this.listeners)[E];
  }

  emit<E extends keyof CoreEventMap>(event: E, ...args: CoreEventMap[E]): void {
    const list = this.listeners[event] as Listener<CoreEventMap[E]>[] | undefined;
    if (!list) return;
    for (const listener of list) listener(...args);
  }
}
