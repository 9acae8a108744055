import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import type { Fleet } from './fleet.js';
import { ago, canaryText, jobTone, printerLabel, printerReason, printerTone, shortId, time } from './format.js';
import type { LiveConnection } from './live.js';
import { PaperCheckPanel } from './paper-check-panel.js';
import { jobHref } from './route.js';
import { StatusHistory } from './status-history.js';
import type { Job, PrinterTestOutcome } from './types.js';

type TestState = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; ok: boolean; text: string };

/** One printer: its status and reason, a test print with its outcome, its recent jobs. */
export function PrinterView({ id, fleet, live }: { id: string; fleet: Fleet; live: LiveConnection }) {
  const printer = fleet.printers.find((p) => p.id === id);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [test, setTest] = useState<TestState>({ kind: 'idle' });

  useEffect(() => {
    let stopped = false;
    setTest({ kind: 'idle' });
    api<{ jobs: Job[] }>('GET', `/printing/jobs?printerId=${encodeURIComponent(id)}&limit=20`).then(
      (r) => !stopped && setJobs(r.jobs),
      () => undefined,
    );
    const off = live.on('printJobUpdate', ({ job }) => {
      if (job.printerId !== id) return;
      setJobs((list) => [job, ...list.filter((j) => j.id !== job.id)].slice(0, 20));
    });
    return () => {
      stopped = true;
      off();
    };
  }, [id, live]);

  const runTest = async () => {
    setTest({ kind: 'running' });
    try {
      const r = await api<PrinterTestOutcome>('POST', `/printing/printers/${encodeURIComponent(id)}/test`, {});
      const printed = r.success && r.outcome !== 'failed';
      const text =
        r.outcome === 'unconfirmed'
          ? 'Delivered; the printer did not confirm it printed.'
          : printed
            ? `Printed${r.processingTime === undefined ? '' : ` in ${r.processingTime} ms`}.`
            : `Failed: ${r.error ?? r.message ?? 'no reason given'}`;
      setTest({ kind: 'done', ok: printed, text });
    } catch (err) {
      setTest({ kind: 'done', ok: false, text: err instanceof ApiError ? `${err.code}: ${err.message}` : String(err) });
    }
  };

  if (!fleet.loaded) return <p aria-busy="true">Loading…</p>;
  if (!printer) return <p role="alert">This printer is not in your scope, or no longer exists.</p>;
  return (
    <section aria-labelledby="printer-title">
      <p>
        <a href="#/">← Overview</a>
      </p>
      <h1 id="printer-title">
        {printer.name}{' '}
        <span class={`badge tone-${printerTone(printer.status, printer.statusReason)}`} data-testid="printer-status">
          {printerLabel(printer.status, printer.statusReason)}
        </span>
      </h1>
      <p>{printerReason(printer.status, printer.statusReason)}</p>
      <dl class="details">
        <dt>Connection</dt>
        <dd>
          {printer.connection}
          {printer.ip ? ` ${printer.ip}:${printer.port ?? 9100}` : ''}
        </dd>
        <dt>Agent</dt>
        <dd>{printer.deviceId ?? '—'}</dd>
        <dt>Last seen</dt>
        <dd>{ago(printer.lastSeen)}</dd>
        <dt>Canary</dt>
        <dd data-testid="printer-canary">{canaryText(printer.canary)}</dd>
      </dl>
      <div class="actions">
        <button type="button" class="primary" onClick={runTest} disabled={test.kind === 'running'}>
          {test.kind === 'running' ? 'Testing…' : 'Print a test page'}
        </button>
      </div>
      <div role="status" aria-live="polite" data-testid="test-outcome">
        {test.kind === 'done' && <p class={`banner ${test.ok ? 'banner-good' : 'banner-bad'}`}>{test.text}</p>}
      </div>
      <StatusHistory printerId={id} live={live} />
      <PaperCheckPanel printerId={id} />
      <h2>Recent jobs</h2>
      {jobs.length === 0 ? (
        <p class="muted">No jobs yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id}>
                <td>
                  <a href={jobHref(j.id)}>{shortId(j.id)}</a>
                </td>
                <td>
                  <span class={`badge tone-${jobTone(j.state)}`}>{j.state}</span>
                </td>
                <td>{time(j.createdAt)}</td>
                <td>{j.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <a href={`#/jobs?printerId=${encodeURIComponent(id)}`}>All jobs of this printer</a>
      </p>
    </section>
  );
}
