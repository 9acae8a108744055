import { useEffect, useState } from 'preact/hooks';
import { FeedEventTable, LiveAlertList, useLiveAlerts } from './agent-alerts.js';
import { useAgentFeed } from './agent-feed.js';
import { duration, ms, percent, qualityTone } from './agent-format.js';
import { ApiError, api, query } from './api.js';
import { ago, shortId, time } from './format.js';
import type { LatencyChart } from './latency-chart.js';
import type { LiveConnection } from './live.js';
import { jobHref } from './route.js';
import type { DesktopHealthDetail } from './types.js';
import './agents.css';

/** The detail is live (not cached by the gateway): read it this often while the page is open. */
const REFRESH_MS = 10_000;
/** Jobs a damaged journal made unconfirmed, linked one by one up to this many. */
const JOBS_LISTED = 10;

type Detail =
  | { kind: 'loading' }
  | { kind: 'gone' }
  | { kind: 'failed'; message: string }
  | { kind: 'shown'; detail: DesktopHealthDetail; error?: string };

/** One agent: its latency and loss over time, its alerts and reconnections. */
export function AgentView({
  deviceId,
  branchId,
  live,
}: {
  deviceId: string;
  branchId: string | undefined;
  live: LiveConnection;
}) {
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<Detail>({ kind: 'loading' });
  const next = () => setTick((t) => t + 1);
  const alerts = useLiveAlerts(live, next, deviceId, branchId);
  const feed = useAgentFeed(tick, deviceId, branchId);
  const Chart = useLatencyChart();

  useEffect(() => {
    setState({ kind: 'loading' });
    const timer = setInterval(next, REFRESH_MS);
    const off = live.onState((s) => s === 'restored' && next());
    return () => {
      clearInterval(timer);
      off();
    };
  }, [deviceId, branchId, live]);

  useEffect(() => {
    let stopped = false;
    api<DesktopHealthDetail>(
      'GET',
      `/printing/desktop-health/${encodeURIComponent(deviceId)}${query({ branchId })}`,
    ).then(
      (detail) => !stopped && setState({ kind: 'shown', detail }),
      (err: Error) => {
        if (stopped) return;
        if (err instanceof ApiError && err.status === 404) setState({ kind: 'gone' });
        // A failed refresh keeps what was shown, with the reason beside it.
        else
          setState((s) =>
            s.kind === 'shown' ? { ...s, error: err.message } : { kind: 'failed', message: err.message },
          );
      },
    );
    return () => {
      stopped = true;
    };
  }, [tick, deviceId, branchId]);

  return (
    <section class="agents-page" aria-labelledby="agent-title">
      <p>
        <a href="#/agents">← Agents</a>
      </p>
      <h1 id="agent-title">
        Agent {deviceId}{' '}
        {state.kind === 'shown' && (
          <span class={`badge tone-${qualityTone(state.detail.connectionQuality)}`} data-testid="agent-quality">
            {state.detail.connectionQuality}
          </span>
        )}
      </h1>
      {state.kind === 'loading' && <p aria-busy="true">Loading…</p>}
      {state.kind === 'failed' && (
        <p class="banner banner-bad" role="alert">
          Could not read this agent's health: {state.message}
        </p>
      )}
      {state.kind === 'gone' && (
        <p class="banner banner-bad" role="alert" data-testid="agent-gone">
          This agent is not connected. Its page comes back by itself when it reconnects; its past events are below.
        </p>
      )}
      {state.kind === 'shown' && <AgentDetail detail={state.detail} error={state.error} Chart={Chart} />}
      <h2>Alerts while this page is open</h2>
      <LiveAlertList alerts={alerts} withDevice={false} />
      <h2>Recent alerts and reconnections</h2>
      <FeedEventTable feed={feed} withDevice={false} />
    </section>
  );
}

/** The chart's code, loaded only when an agent's page is first opened (it is not needed elsewhere). */
function useLatencyChart(): typeof LatencyChart | undefined {
  const [chart, setChart] = useState<typeof LatencyChart | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    import('./latency-chart.js').then(
      (m) => !stopped && setChart(() => m.LatencyChart),
      () => undefined,
    );
    return () => {
      stopped = true;
    };
  }, []);
  return chart;
}

function AgentDetail({
  detail,
  error,
  Chart,
}: {
  detail: DesktopHealthDetail;
  error: string | undefined;
  Chart: typeof LatencyChart | undefined;
}) {
  const damage = detail.journalDamage;
  return (
    <>
      {error && (
        <p class="banner banner-bad" role="alert">
          Could not refresh: {error}. Showing the reading of {time(detail.timestamp)}.
        </p>
      )}
      <dl class="details">
        <dt>Average latency</dt>
        <dd>{ms(detail.averageLatency)} (last 20 pings)</dd>
        <dt>Packet loss</dt>
        <dd>{percent(detail.packetLossRate)} (last 20 pings)</dd>
        <dt>Reconnections</dt>
        <dd data-testid="agent-reconnections">{detail.reconnectionCount} since the agent started</dd>
        <dt>Connected for</dt>
        <dd>{duration(detail.uptime)}</dd>
        <dt>Last heartbeat</dt>
        <dd>{ago(detail.lastHeartbeat)}</dd>
        <dt>Last health report</dt>
        <dd>{ago(detail.lastHealthReport)}</dd>
        <dt>Version</dt>
        <dd>
          {detail.appVersion ?? '—'} ({detail.protocol === 'v2' ? 'v2 protocol' : 'legacy client'})
        </dd>
        <dt>Gateway process</dt>
        <dd>{detail.instanceId}</dd>
      </dl>
      {damage && (
        <div class="banner banner-bad" data-testid="journal-damage">
          <strong>Journal damaged</strong> (found {time(damage.at)}): {damage.damagedLines}{' '}
          {damage.damagedLines === 1 ? 'line' : 'lines'} unreadable, {damage.recoveredEntries}{' '}
          {damage.recoveredEntries === 1 ? 'entry' : 'entries'} recovered; the damaged file is kept as{' '}
          <code>{damage.file}</code>.{' '}
          {damage.unconfirmedJobIds.length === 0
            ? 'No job was affected.'
            : `${damage.unconfirmedJobIds.length} ${damage.unconfirmedJobIds.length === 1 ? 'job was' : 'jobs were'} made unconfirmed (they may have printed): `}
          {damage.unconfirmedJobIds.slice(0, JOBS_LISTED).map((id, i) => (
            <span key={id}>
              {i > 0 && ', '}
              <a href={jobHref(id)}>{shortId(id)}</a>
            </span>
          ))}
          {damage.unconfirmedJobIds.length > JOBS_LISTED && ', …'}
        </div>
      )}
      <h2>Latency and loss over time</h2>
      {Chart ? <Chart history={detail.metricsHistory} /> : <p aria-busy="true">Drawing the chart…</p>}
    </>
  );
}
