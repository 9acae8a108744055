import { useEffect, useState } from 'preact/hooks';
import { FeedEventTable, LiveAlertList, useLiveAlerts } from './agent-alerts.js';
import { useAgentFeed } from './agent-feed.js';
import { duration, ms, percent, qualityTone } from './agent-format.js';
import { api } from './api.js';
import type { Fleet } from './fleet.js';
import { ago, time } from './format.js';
import type { LiveConnection } from './live.js';
import { agentHref } from './route.js';
import type { DesktopHealthSummary } from './types.js';
import './agents.css';

/**
 * The summary is cached by the gateway for up to 60 s: reading it more often than this would
 * mostly fetch the same answer. An alert reads it (and the feed) at once.
 */
const REFRESH_MS = 20_000;

type Health = { loaded: false } | { loaded: true; error?: string; summary?: DesktopHealthSummary };

/** Every connected agent of the user's scope: quality, latency, loss, reconnections, alerts. */
export function AgentsView({ fleet, live }: { fleet: Fleet; live: LiveConnection }) {
  const [tick, setTick] = useState(0);
  const [health, setHealth] = useState<Health>({ loaded: false });
  const next = () => setTick((t) => t + 1);
  const alerts = useLiveAlerts(live, next);
  const feed = useAgentFeed(tick);

  useEffect(() => {
    const timer = setInterval(next, REFRESH_MS);
    const off = live.onState((s) => s === 'restored' && next());
    return () => {
      clearInterval(timer);
      off();
    };
  }, [live]);

  useEffect(() => {
    let stopped = false;
    api<DesktopHealthSummary>('GET', '/printing/desktop-health').then(
      (summary) => !stopped && setHealth({ loaded: true, summary }),
      (err: Error) => !stopped && setHealth((h) => ({ ...(h.loaded ? h : { loaded: true }), error: err.message })),
    );
    return () => {
      stopped = true;
    };
  }, [tick]);

  const branchName = (id: string) => fleet.branches.find((b) => b.id === id)?.name ?? id;
  const summary = health.loaded ? health.summary : undefined;
  const agents = [...(summary?.healthMetrics ?? [])].sort(
    (a, b) => branchName(a.branchId).localeCompare(branchName(b.branchId)) || a.deviceId.localeCompare(b.deviceId),
  );

  return (
    <section class="agents-page" aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      {health.loaded && health.error && (
        <p class="banner banner-bad" role="alert">
          Could not read the agents' health: {health.error}
        </p>
      )}
      {!health.loaded ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        summary && (
          <>
            <p class="summary">
              {summary.totalClients} {summary.totalClients === 1 ? 'agent' : 'agents'} connected ·{' '}
              {(['excellent', 'good', 'fair', 'poor'] as const)
                .filter((q) => summary.summary[q] > 0)
                .map((q) => `${summary.summary[q]} ${q}`)
                .join(', ') || 'none measured yet'}{' '}
              · as of <time dateTime={summary.timestamp}>{time(summary.timestamp)}</time>
            </p>
            {agents.length === 0 ? (
              <p class="muted">No agent is connected.</p>
            ) : (
              <div class="card table-card">
                <table class="agents-table">
                  <caption class="visually-hidden">Connected agents and their connection health</caption>
                  <thead>
                    <tr>
                      <th scope="col">Device</th>
                      <th scope="col">Branch</th>
                      <th scope="col">Quality</th>
                      <th scope="col" class="num">
                        Latency
                      </th>
                      <th scope="col" class="num">
                        Loss
                      </th>
                      <th scope="col" class="num">
                        Reconnections
                      </th>
                      <th scope="col">Connected for</th>
                      <th scope="col">Last heartbeat</th>
                      <th scope="col">Version</th>
                    </tr>
                  </thead>
                  <tbody>
                    {agents.map((a) => (
                      <tr key={a.clientId} data-agent={a.deviceId}>
                        <th scope="row">
                          <a href={agentHref(a.deviceId, a.branchId)}>{a.deviceId}</a>
                          {a.journalDamage && (
                            <div>
                              <span class="badge tone-bad">Journal damaged</span>
                            </div>
                          )}
                        </th>
                        <td>{branchName(a.branchId)}</td>
                        <td>
                          <span class={`badge tone-${qualityTone(a.connectionQuality)}`} data-testid="agent-quality">
                            {a.connectionQuality}
                          </span>
                        </td>
                        <td class="num">{ms(a.averageLatency)}</td>
                        <td class="num">{percent(a.packetLossRate)}</td>
                        <td class="num">{a.reconnectionCount}</td>
                        <td>{duration(a.uptime)}</td>
                        <td>{ago(a.lastHeartbeat ?? a.lastHealthReport)}</td>
                        <td>
                          {a.appVersion ?? '—'} <span class="muted">({a.protocol})</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p class="muted small">
              Latency and loss are over each agent's last 20 pings; this list is refreshed every {REFRESH_MS / 1000} s
              and when an alert arrives.
            </p>
          </>
        )
      )}
      <h2>Alerts while this page is open</h2>
      <LiveAlertList alerts={alerts} withDevice />
      <h2>Recent alerts and reconnections</h2>
      <FeedEventTable feed={feed} withDevice branchName={branchName} />
    </section>
  );
}
