import { branchIds, type Fleet, WAITING_LIMIT } from './fleet.js';
import { ago, canaryText, printerLabel, printerReason, printerTone } from './format.js';
import { printerHref } from './route.js';
import type { AgentHealth, Printer, User } from './types.js';

/** Every branch in the user's scope with its agents, printers and waiting jobs. */
export function OverviewView({ fleet, user }: { fleet: Fleet; user: User }) {
  if (!fleet.loaded) return <p aria-busy="true">Loading…</p>;
  const ids = branchIds(fleet, user);
  const waiting = fleet.waiting.filter((j) => j.state !== 'held');
  const held = fleet.waiting.filter((j) => j.state === 'held');
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {fleet.error && (
        <p class="banner banner-bad" role="alert">
          Could not load everything: {fleet.error}
        </p>
      )}
      <p class="summary">
        {ids.length} {ids.length === 1 ? 'branch' : 'branches'} ·{' '}
        {user.role === 'cashier'
          ? ''
          : `${fleet.agents.length} ${fleet.agents.length === 1 ? 'agent' : 'agents'} connected · `}
        {fleet.printers.length} {fleet.printers.length === 1 ? 'printer' : 'printers'} ·{' '}
        <a href="#/jobs?state=queued,sent,accepted,printing">
          {fleet.waiting.length >= WAITING_LIMIT ? `${WAITING_LIMIT}+` : waiting.length}{' '}
          {waiting.length === 1 ? 'job' : 'jobs'} waiting
        </a>
        {held.length > 0 && (
          <>
            {' · '}
            <a href="#/jobs?state=held" class="held-link">
              {held.length} held
            </a>
          </>
        )}
      </p>
      {ids.length === 0 && <p>No branch has an agent or a printer yet.</p>}
      {ids.map((id) => (
        <BranchCard
          key={id}
          id={id}
          name={fleet.branches.find((b) => b.id === id)?.name}
          agents={user.role === 'cashier' ? undefined : fleet.agents.filter((a) => a.branchId === id)}
          printers={fleet.printers.filter((p) => p.branchId === id).sort((a, b) => a.name.localeCompare(b.name))}
          waitingByPrinter={countBy(waiting.filter((j) => j.branchId === id).map((j) => j.printerId))}
          held={held.filter((j) => j.branchId === id).length}
        />
      ))}
    </section>
  );
}

function BranchCard(props: {
  id: string;
  name: string | undefined;
  /** Undefined: the user may not see agents' health (cashiers); their printers' status says enough. */
  agents: AgentHealth[] | undefined;
  printers: Printer[];
  waitingByPrinter: Map<string, number>;
  /** Jobs held for a person: too old to print when they could be sent. */
  held: number;
}) {
  const waiting = [...props.waitingByPrinter.values()].reduce((a, b) => a + b, 0);
  const headingId = `branch-${props.id}`;
  return (
    <article class="card" aria-labelledby={headingId} data-branch={props.id}>
      <h2 id={headingId}>
        {props.name ?? 'Branch'} <span class="muted">{props.name ? '' : props.id}</span>
        {waiting > 0 && (
          <a class="pill" href={`#/jobs?branchId=${encodeURIComponent(props.id)}&state=queued,sent,accepted,printing`}>
            {waiting} waiting
          </a>
        )}
        {props.held > 0 && (
          <a class="pill held-link" href={`#/jobs?branchId=${encodeURIComponent(props.id)}&state=held`}>
            {props.held} held: release or cancel
          </a>
        )}
      </h2>
      {props.agents !== undefined && <h3>Agents</h3>}
      {props.agents === undefined ? null : props.agents.length === 0 ? (
        <p class="muted">No agent connected.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Quality</th>
              <th scope="col">Latency</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {props.agents.map((a) => (
              <tr key={a.deviceId}>
                <td>{a.deviceId}</td>
                <td>
                  <span
                    class={`badge tone-${a.connectionQuality === 'poor' ? 'bad' : a.connectionQuality === 'fair' ? 'busy' : 'good'}`}
                  >
                    {a.connectionQuality}
                  </span>
                </td>
                <td>{Math.round(a.averageLatency)} ms</td>
                <td>{ago(a.lastHeartbeat ?? a.lastHealthReport)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Printers</h3>
      {props.printers.length === 0 ? (
        <p class="muted">No printer reported.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Printer</th>
              <th scope="col">Status</th>
              <th scope="col">Why</th>
              <th scope="col">Waiting</th>
              <th scope="col">Last seen</th>
              <th scope="col">Canary</th>
            </tr>
          </thead>
          <tbody>
            {props.printers.map((p) => (
              <tr key={p.id} data-printer={p.name}>
                <td>
                  <a href={printerHref(p.id)}>{p.name}</a>
                </td>
                <td>
                  <span class={`badge tone-${printerTone(p.status, p.statusReason)}`} data-testid="printer-status">
                    {printerLabel(p.status, p.statusReason)}
                  </span>
                </td>
                <td>{printerReason(p.status, p.statusReason)}</td>
                <td>{props.waitingByPrinter.get(p.id) ?? 0}</td>
                <td>{ago(p.lastSeen)}</td>
                <td class={p.canary && !p.canary.ok ? 'canary-failed' : undefined}>{canaryText(p.canary)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}
