import type { EnvValues } from './env-setting.js';
import { integer } from './setting-kinds.js';

/** The event outbox's sequencer and the event feed (docs/events.md). */
export const EVENT_SETTINGS = {
  eventSequencerIntervalMs: integer({
    name: 'PRINTERMASTER_EVENT_SEQUENCER_INTERVAL_MS',
    group: 'events',
    description:
      'Interval of the pass that publishes outbox events in order (feed and webhooks) when nothing written on this process wakes it; events of other processes wait at most this long',
    default: 200,
    min: 10,
    max: 60_000,
    unit: 'ms',
  }),
  eventSequencerBatchSize: integer({
    name: 'PRINTERMASTER_EVENT_SEQUENCER_BATCH',
    group: 'events',
    description: 'Outbox events published per pass (one transaction); a full pass is followed by another at once',
    default: 500,
    min: 1,
    max: 10_000,
  }),
  eventFeedPollIntervalMs: integer({
    name: 'PRINTERMASTER_EVENT_FEED_POLL_MS',
    group: 'events',
    description:
      'How often a waiting feed request (long-poll, Server-Sent Events) looks for events published by another process; those of its own process wake it at once',
    default: 1_000,
    min: 10,
    max: 60_000,
    unit: 'ms',
  }),
  eventStreamHeartbeatMs: integer({
    name: 'PRINTERMASTER_EVENT_STREAM_HEARTBEAT_MS',
    group: 'events',
    description:
      'Interval of the comment line a Server-Sent Events stream sends when no event came, so proxies keep it open',
    default: 15_000,
    min: 100,
    max: 300_000,
    unit: 'ms',
  }),
  eventFeedMaxStreams: integer({
    name: 'PRINTERMASTER_EVENT_FEED_MAX_STREAMS_PER_CREDENTIAL',
    group: 'events',
    description:
      'Long-polls and Server-Sent Events streams one credential (API key, session, user) may hold open at once on each gateway process; one more is answered 429 RATE_LIMIT_EXCEEDED',
    default: 10,
    min: 1,
    max: 10_000,
  }),
} as const;

/** The settings of the sequencer and the feed, in ms. */
export interface EventConfig {
  sequencerIntervalMs: number;
  sequencerBatchSize: number;
  feedPollIntervalMs: number;
  feedMaxStreams: number;
  streamHeartbeatMs: number;
}

export function toEventConfig(v: EnvValues<typeof EVENT_SETTINGS>): EventConfig {
  return {
    sequencerIntervalMs: v.eventSequencerIntervalMs,
    sequencerBatchSize: v.eventSequencerBatchSize,
    feedPollIntervalMs: v.eventFeedPollIntervalMs,
    feedMaxStreams: v.eventFeedMaxStreams,
    streamHeartbeatMs: v.eventStreamHeartbeatMs,
  };
}
