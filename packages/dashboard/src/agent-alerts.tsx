import { useEffect, useState } from 'preact/hooks';
import { type AgentFeed, feedEventText } from './agent-feed.js';
import { alertLabel, alertMetrics, alertTone } from './agent-format.js';
import { ago, time } from './format.js';
import type { LiveConnection } from './live.js';
import { agentHref } from './route.js';
import type { DesktopHealthAlertEvent } from './types.js';

/** How many live alerts a page keeps. */
const LIVE_KEPT = 50;

/**
 * The `desktop:health:alert`s heard while the page is open, newest first, of one device when
 * `deviceId` is given; `onAlert` is told of each (the views read the agents' health again).
 */
export function useLiveAlerts(
  live: LiveConnection,
  onAlert: (a: DesktopHealthAlertEvent) => void,
  deviceId?: string,
  branchId?: string,
): DesktopHealthAlertEvent[] {
  const [alerts, setAlerts] = useState<DesktopHealthAlertEvent[]>([]);
  useEffect(() => {
    setAlerts([]);
    return live.on('desktop:health:alert', (alert) => {
      if (deviceId !== undefined && alert.deviceId !== deviceId) return;
      if (branchId !== undefined && alert.branchId !== undefined && alert.branchId !== branchId) return;
      setAlerts((list) => [alert, ...list].slice(0, LIVE_KEPT));
      onAlert(alert);
    });
  }, [live, deviceId, branchId]);
  return alerts;
}

/** The live alerts, in a polite live region so a screen reader hears new ones. */
export function LiveAlertList({ alerts, withDevice }: { alerts: DesktopHealthAlertEvent[]; withDevice: boolean }) {
  return (
    <div aria-live="polite" data-testid="live-alerts">
      {alerts.length === 0 ? (
        <p class="muted">None since this page was opened.</p>
      ) : (
        <ul class="alert-list">
          {alerts.map((a) => (
            <li key={`${a.timestamp}-${a.type}-${a.deviceId ?? ''}`}>
              <span class={`badge tone-${alertTone(a)}`}>{a.severity}</span> <strong>{alertLabel(a.type)}</strong>
              {withDevice && a.deviceId && (
                <> · {a.branchId ? <a href={agentHref(a.deviceId, a.branchId)}>{a.deviceId}</a> : a.deviceId}</>
              )}
              {a.reason && <> · {a.reason}</>}
              {alertMetrics(a) && <span class="muted"> · {alertMetrics(a)}</span>}{' '}
              <time class="muted" dateTime={a.timestamp} title={time(a.timestamp)}>
                {ago(a.timestamp)}
              </time>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The recent persisted agent events (connections, disconnections, alerts), newest first. */
export function FeedEventTable(props: { feed: AgentFeed; withDevice: boolean; branchName?: (id: string) => string }) {
  const { feed } = props;
  if (!feed.loaded) return <p aria-busy="true">Loading…</p>;
  return (
    <>
      {feed.error && (
        <p class="banner banner-bad" role="alert">
          Could not read the event feed: {feed.error}
        </p>
      )}
      {feed.events.length === 0 ? (
        <p class="muted">No agent events recorded.</p>
      ) : (
        <div class="card table-card">
          <table data-testid="agent-events">
            <thead>
              <tr>
                <th scope="col">When</th>
                {props.withDevice && <th scope="col">Device</th>}
                <th scope="col">Event</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {props.feed.events.map((e) => {
                const { label, tone, details } = feedEventText(e);
                const deviceId = typeof e.data.deviceId === 'string' ? e.data.deviceId : '';
                const branchId = typeof e.data.branchId === 'string' ? e.data.branchId : (e.branchId ?? '');
                return (
                  <tr key={e.id} data-event={e.type}>
                    <td>{time(e.createdAt)}</td>
                    {props.withDevice && (
                      <td>
                        {deviceId && branchId ? <a href={agentHref(deviceId, branchId)}>{deviceId}</a> : deviceId}
                        {props.branchName && branchId && <div class="muted">{props.branchName(branchId)}</div>}
                      </td>
                    )}
                    <td>
                      <span class={`badge tone-${tone}`}>{label}</span>
                    </td>
                    <td>{details}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
