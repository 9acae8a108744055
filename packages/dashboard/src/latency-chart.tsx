import { ms, percent } from './agent-format.js';
import type { HealthHistoryEntry } from './types.js';

/** The drawing's own units; the SVG scales to its box's width. */
const W = 720;
const H = 260;
const M = { left: 56, right: 44, top: 26, bottom: 36 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

/**
 * An agent's ping history (oldest first, the last 100): latency as a line with a dot per ping,
 * lost pings as crosses in a strip above the plot with a dashed line down to the time axis, so a
 * loss reads as a gap in the line and a mark of its own. A hand-written SVG: a charting library
 * would weigh ten times this module, and could not be more accessible than the caption and the
 * table given here.
 */
export function LatencyChart({ history }: { history: HealthHistoryEntry[] }) {
  const samples = history
    .map((h) => ({ at: Date.parse(h.timestamp), latency: h.latency, quality: h.quality, timestamp: h.timestamp }))
    .filter((s) => !Number.isNaN(s.at));
  if (samples.length === 0) {
    return (
      <p class="muted" data-testid="latency-empty">
        No ping measured yet: the gateway measures one each ping interval.
      </p>
    );
  }
  const first = samples[0]?.at ?? 0;
  const last = samples.at(-1)?.at ?? first;
  // A single ping (or several at one instant) gets a minute around it, so it is not drawn at an edge.
  const [t0, t1] = last > first ? [first, last] : [first - 30_000, last + 30_000];
  const latencies = samples.flatMap((s) => (s.latency === null ? [] : [s.latency]));
  const yStep = niceStep(Math.max(...latencies, 1) / 4);
  const yMax = Math.ceil((Math.max(...latencies, 1) * 1.1) / yStep) * yStep;
  const x = (t: number) => M.left + ((t - t0) / (t1 - t0)) * PLOT_W;
  const y = (v: number) => M.top + PLOT_H - (v / yMax) * PLOT_H;

  // The line breaks at each lost ping: nothing is known between its neighbours.
  let path = '';
  let pen = false;
  for (const s of samples) {
    if (s.latency === null) pen = false;
    else {
      path += `${pen ? 'L' : 'M'}${x(s.at).toFixed(1)},${y(s.latency).toFixed(1)}`;
      pen = true;
    }
  }
  const yTicks = Array.from({ length: Math.round(yMax / yStep) + 1 }, (_, i) => i * yStep);
  const xTicks = timeTicks(t0, t1);
  const lost = samples.filter((s) => s.latency === null);

  return (
    <figure class="latency-chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby="latency-chart-title"
        aria-describedby="latency-chart-summary"
        data-samples={samples.length}
      >
        <title id="latency-chart-title">Latency and lost pings over time</title>
        <g class="grid">
          {yTicks.map((v) => (
            <g key={`y${v}`}>
              <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} />
              <text x={M.left - 8} y={y(v) + 4} text-anchor="end">
                {v}
              </text>
            </g>
          ))}
          <text x={12} y={M.top + PLOT_H / 2} transform={`rotate(-90 12 ${M.top + PLOT_H / 2})`} text-anchor="middle">
            ms
          </text>
          {xTicks.map((t) => (
            <text key={`x${t}`} x={x(t)} y={H - 12} text-anchor="middle">
              {clock(t)}
            </text>
          ))}
          <line class="axis" x1={M.left} x2={W - M.right} y1={M.top + PLOT_H} y2={M.top + PLOT_H} />
        </g>
        <g class="lost">
          {lost.map((s, i) => (
            <g key={`l${i}`} class="lost-ping">
              <line class="lost-line" x1={x(s.at)} x2={x(s.at)} y1={M.top - 6} y2={M.top + PLOT_H} />
              <path d={cross(x(s.at), M.top - 14)} />
            </g>
          ))}
        </g>
        <path class="latency-line" d={path} />
        <g class="samples">
          {samples.map((s, i) =>
            s.latency === null ? null : <circle key={`s${i}`} class="sample" cx={x(s.at)} cy={y(s.latency)} r={3} />,
          )}
        </g>
      </svg>
      <ul class="chart-legend">
        <li>
          <span class="key key-line" aria-hidden="true" /> latency (ms) per ping
        </li>
        <li>
          <span class="key key-lost" aria-hidden="true">
            ×
          </span>{' '}
          lost ping (no answer)
        </li>
      </ul>
      <figcaption id="latency-chart-summary" data-testid="latency-summary">
        {describe(samples.length, latencies, lost.length, first, last, lost.at(-1)?.at)}
      </figcaption>
      <details>
        <summary>Every ping as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Latency</th>
              <th scope="col">Quality</th>
            </tr>
          </thead>
          <tbody>
            {samples
              .slice()
              .reverse()
              .map((s, i) => (
                <tr key={`r${i}`}>
                  <td>{clock(s.at)}</td>
                  <td>{s.latency === null ? 'lost' : ms(s.latency)}</td>
                  <td>{s.quality}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** The chart in words, for screen readers and for anyone reading rather than looking. */
function describe(count: number, latencies: number[], lost: number, first: number, last: number, lastLost?: number) {
  const sorted = latencies.slice().sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const pings = `${count} ${count === 1 ? 'ping' : 'pings'} from ${clock(first)} to ${clock(last)}.`;
  const latency =
    sorted.length === 0
      ? ' No ping was answered.'
      : ` Latency lowest ${ms(sorted[0])}, median ${ms(median)}, highest ${ms(sorted.at(-1))}; the latest answered ${ms(latencies.at(-1))}.`;
  const loss =
    lost === 0
      ? ' No ping lost.'
      : ` ${lost} lost (${percent((lost / count) * 100)})${lastLost === undefined ? '' : `, the latest at ${clock(lastLost)}`}.`;
  return pings + latency + loss;
}

/** Steps of the time axis, ms: the first giving at most five labels. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

/** Labels of the time axis at round times (every 10 s, every 2 min, …) between t0 and t1. */
function timeTicks(t0: number, t1: number): number[] {
  const step = TIME_STEPS.find((s) => (t1 - t0) / s <= 5) ?? (t1 - t0) / 4;
  const ticks: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return ticks;
}

/** 1, 2 or 5 times a power of ten: grid lines at round numbers. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  const f = raw / power;
  return Math.max(1, (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power);
}

function clock(t: number): string {
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function cross(cx: number, cy: number): string {
  const r = 5;
  return `M${cx - r},${cy - r}L${cx + r},${cy + r}M${cx - r},${cy + r}L${cx + r},${cy - r}`;
}
