import { useEffect, useRef, useState } from 'preact/hooks';
import { alertLabel, ms, percent } from './agent-format.js';
import { api } from './api.js';

/** One event of `GET /printing/events` (docs/events.md): here only the `agent.*` family. */
export interface AgentFeedEvent {
  id: string;
  seq: string;
  type: string;
  createdAt: string;
  branchId: string | null;
  data: Record<string, unknown>;
}

export interface AgentFeed {
  loaded: boolean;
  error?: string;
  /** Newest first, at most RECENT_KEPT. */
  events: AgentFeedEvent[];
}

/** How many of the newest events the views keep and show. */
export const RECENT_KEPT = 30;
const PAGE = 1000;
/** Pages read per refresh: a long history is caught up over a few refreshes rather than in one burst. */
const PAGES_PER_READ = 10;

interface Cursor {
  after: string;
  /** Oldest first, as the feed gives them. */
  events: AgentFeedEvent[];
  reading: boolean;
}

/**
 * The newest agent events (connected, disconnected, health alerts) of the user's scope, optionally
 * of one device. The feed only runs forward from a cursor, oldest first: the first read walks it
 * to its end keeping the tail, each later read (a new `tick`) asks only for what came after.
 */
export function useAgentFeed(tick: number, deviceId?: string, branchId?: string): AgentFeed {
  const [feed, setFeed] = useState<AgentFeed>({ loaded: false, events: [] });
  const cursor = useRef<Cursor | undefined>(undefined);

  // Another device starts from the beginning, with a cursor of its own.
  useEffect(() => {
    cursor.current = { after: '0', events: [], reading: false };
    setFeed({ loaded: false, events: [] });
  }, [deviceId, branchId]);

  useEffect(() => {
    const c = cursor.current;
    // A read still running will take in whatever this tick would have found.
    if (!c || c.reading) return;
    c.reading = true;
    readForward(c, deviceId, branchId).then(
      () => {
        c.reading = false;
        if (cursor.current === c) setFeed({ loaded: true, events: c.events.slice().reverse() });
      },
      (err: Error) => {
        c.reading = false;
        if (cursor.current === c) setFeed((f) => ({ ...f, loaded: true, error: err.message }));
      },
    );
  }, [tick, deviceId, branchId]);

  return feed;
}

async function readForward(c: Cursor, deviceId?: string, branchId?: string): Promise<void> {
  for (let page = 0; page < PAGES_PER_READ; page++) {
    const r = await api<{ events: AgentFeedEvent[]; nextCursor: string }>(
      'GET',
      `/printing/events?types=agent.*&limit=${PAGE}&after=${encodeURIComponent(c.after)}`,
    );
    // Filtered here rather than by `branchId=`: the caller's scope already narrows the feed, and
    // a device id is no filter the feed knows.
    const mine = r.events.filter(
      (e) =>
        (deviceId === undefined || e.data.deviceId === deviceId) &&
        (branchId === undefined || (e.data.branchId ?? e.branchId) === branchId),
    );
    c.events = [...c.events, ...mine].slice(-RECENT_KEPT);
    c.after = r.nextCursor;
    if (r.events.length < PAGE) return;
  }
}

/** What an agent event says, in words: "Connected (app 1.4.0)", "Disconnected: ping timeout", … */
export function feedEventText(e: AgentFeedEvent): { label: string; tone: string; details: string } {
  const d = e.data;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  if (e.type === 'agent.connected') {
    const host = text(d.hostname);
    const app = text(d.appVersion);
    return {
      label: 'Connected',
      tone: 'good',
      details: [host ? `from ${host}` : '', app ? `app ${app}` : ''].filter(Boolean).join(', '),
    };
  }
  if (e.type === 'agent.disconnected') {
    return { label: 'Disconnected', tone: 'bad', details: text(d.reason) ?? 'no reason given' };
  }
  if (e.type === 'agent.health_alert') {
    const alerts = Array.isArray(d.alerts) ? d.alerts.map((a) => alertLabel(String(a))) : [];
    const quality = text(d.connectionQuality);
    const latency = num(d.averageLatency);
    const loss = num(d.packetLossRate);
    return {
      label: alerts.join(', ') || 'Health alert',
      tone: 'busy',
      details: [
        quality ? `quality ${quality}` : '',
        latency === undefined ? '' : ms(latency),
        loss === undefined ? '' : `loss ${percent(loss)}`,
      ]
        .filter(Boolean)
        .join(' · '),
    };
  }
  return { label: e.type, tone: 'quiet', details: '' };
}
