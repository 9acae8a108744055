import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import { ConfirmDialog } from './confirm-dialog.js';
import type { Fleet } from './fleet.js';
import { jobTone, time } from './format.js';
import type { LiveConnection } from './live.js';
import { jobHref, printerHref } from './route.js';
import type { Job } from './types.js';

const ENDED = ['completed', 'failed', 'cancelled', 'expired', 'unconfirmed'];

type Action = 'reprint' | 'cancel' | 'release';

/** What each confirmation asks and says. */
const ASK: Record<Action, { title: string; body: string; confirm: string; dismiss: string; done: string }> = {
  reprint: {
    title: 'Reprint this job?',
    body: 'The ticket prints again, marked REPRINT, as a new job.',
    confirm: 'Reprint',
    dismiss: 'Cancel',
    done: 'Reprint queued as a new job.',
  },
  cancel: {
    title: 'Cancel this job?',
    body: 'The job will not print. This cannot be undone.',
    confirm: 'Cancel job',
    dismiss: 'Keep job',
    done: 'Job cancelled.',
  },
  release: {
    title: 'Print this held ticket now?',
    body: 'It was held because it was too old when it could be sent. It prints now, however old it is.',
    confirm: 'Release and print',
    dismiss: 'Keep it held',
    done: 'Job released: it prints now.',
  },
};

/** One job: its details, its timeline of events, its ticket's preview, reprint, cancel and (held) release. */
export function JobView({ id, fleet, live }: { id: string; fleet: Fleet; live: LiveConnection }) {
  const [job, setJob] = useState<Job | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [asking, setAsking] = useState<Action | undefined>();
  const [notice, setNotice] = useState<{ text: string; href?: string } | undefined>();
  const [previewFailed, setPreviewFailed] = useState(false);
  // The first preview after a quiet spell waits for a render thread to start: say so meanwhile.
  const [previewLoaded, setPreviewLoaded] = useState(false);
  // Another job in the same view: its picture is drawn anew.
  useEffect(() => {
    setPreviewLoaded(false);
    setPreviewFailed(false);
  }, [id]);

  useEffect(() => {
    let stopped = false;
    const load = () =>
      api<{ job: Job }>('GET', `/printing/jobs/${encodeURIComponent(id)}`).then(
        (r) => !stopped && setJob(r.job),
        (err: Error) => !stopped && setError(err.message),
      );
    setJob(undefined);
    setError(undefined);
    setNotice(undefined);
    setPreviewFailed(false);
    void load();
    // The event carries the job without its history: read it again for the timeline.
    const off = live.on('printJobUpdate', ({ job: changed }) => {
      if (changed.id === id) void load();
    });
    return () => {
      stopped = true;
      off();
    };
  }, [id, live]);

  const act = async (action: Action) => {
    setAsking(undefined);
    try {
      const r = await api<{ job: Job }>('POST', `/printing/jobs/${encodeURIComponent(id)}/${action}`);
      if (action === 'reprint') setNotice({ text: ASK.reprint.done, href: jobHref(r.job.id) });
      else {
        setJob((j) => (j ? { ...r.job, events: j.events } : r.job));
        setNotice({ text: ASK[action].done });
      }
    } catch (err) {
      setNotice({ text: err instanceof ApiError ? `${err.code}: ${err.message}` : String(err) });
    }
  };

  if (error)
    return (
      <p class="banner banner-bad" role="alert">
        {error}
      </p>
    );
  if (!job) return <p aria-busy="true">Loading…</p>;
  const printer = fleet.printers.find((p) => p.id === job.printerId);
  return (
    <section aria-labelledby="job-title">
      <p>
        <a href="#/jobs">← All jobs</a>
      </p>
      <h1 id="job-title">
        Job <code>{job.id}</code> <span class={`badge tone-${jobTone(job.state)}`}>{job.state}</span>
      </h1>
      <div class="actions">
        <button type="button" disabled={!ENDED.includes(job.state)} onClick={() => setAsking('reprint')}>
          Reprint
        </button>
        {job.state === 'held' && (
          <button type="button" class="primary" onClick={() => setAsking('release')}>
            Release and print
          </button>
        )}
        <button
          type="button"
          disabled={job.state !== 'queued' && job.state !== 'held'}
          onClick={() => setAsking('cancel')}
        >
          Cancel job
        </button>
      </div>
      <div role="status" aria-live="polite">
        {notice && (
          <p class="banner">
            {notice.text} {notice.href && <a href={notice.href}>Open it</a>}
          </p>
        )}
      </div>
      <div class="two-columns">
        <dl class="details">
          <dt>Printer</dt>
          <dd>{printer ? <a href={printerHref(printer.id)}>{printer.name}</a> : job.printerId}</dd>
          <dt>Type</dt>
          <dd>{job.type}</dd>
          <dt>Created</dt>
          <dd>{time(job.createdAt)}</dd>
          <dt>Useful until</dt>
          <dd>{time(job.usefulUntil)}</dd>
          <dt>Attempts</dt>
          <dd>{job.attempts}</dd>
          <dt>Size</dt>
          <dd>{job.byteLength} bytes</dd>
          {job.reason && (
            <>
              <dt>Reason</dt>
              <dd>{job.reason}</dd>
            </>
          )}
          {job.reprintOf && (
            <>
              <dt>Reprint of</dt>
              <dd>
                <a href={jobHref(job.reprintOf)}>{job.reprintOf}</a>
              </dd>
            </>
          )}
        </dl>
        <figure class="preview">
          {previewFailed ? (
            <p class="muted">No preview of this ticket.</p>
          ) : (
            <>
              {!previewLoaded && (
                <p class="muted" aria-busy="true">
                  Drawing the ticket…
                </p>
              )}
              <img
                src={`/printing/jobs/${encodeURIComponent(job.id)}/preview.png`}
                alt={`Preview of the ticket of job ${job.id}`}
                onLoad={() => setPreviewLoaded(true)}
                onError={() => setPreviewFailed(true)}
              />
            </>
          )}
          <figcaption>Ticket preview</figcaption>
        </figure>
      </div>
      <h2>Timeline</h2>
      <ol class="timeline">
        {(job.events ?? []).map((e) => (
          <li key={`${e.timestamp}-${e.state}`}>
            <time dateTime={e.timestamp}>{time(e.timestamp)}</time>{' '}
            <span class={`badge tone-${jobTone(e.state)}`}>{e.state}</span> by {e.actor}
            {e.reason ? ` — ${e.reason}` : ''}
          </li>
        ))}
      </ol>
      <ConfirmDialog
        open={asking !== undefined}
        title={ASK[asking ?? 'cancel'].title}
        body={ASK[asking ?? 'cancel'].body}
        confirmLabel={ASK[asking ?? 'cancel'].confirm}
        dismissLabel={ASK[asking ?? 'cancel'].dismiss}
        onConfirm={() => asking && void act(asking)}
        onCancel={() => setAsking(undefined)}
      />
    </section>
  );
}
