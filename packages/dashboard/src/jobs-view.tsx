import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from './api.js';
import type { Fleet } from './fleet.js';
import { jobTone, shortId, time } from './format.js';
import type { LiveConnection } from './live.js';
import { jobHref } from './route.js';
import { JOB_STATES, type Job } from './types.js';

interface Filters {
  branchId?: string;
  printerId?: string;
  state?: string;
  createdAfter?: string;
  createdBefore?: string;
}

function filtersOf(params: URLSearchParams): Filters {
  const get = (k: string) => params.get(k) || undefined;
  return {
    branchId: get('branchId'),
    printerId: get('printerId'),
    state: get('state'),
    createdAfter: get('createdAfter'),
    createdBefore: get('createdBefore'),
  };
}

/** The API's query for the filters; dates from the form are local days, sent as instants. */
function apiQuery(f: Filters, extra: Record<string, string | undefined> = {}): string {
  return query({
    branchId: f.branchId,
    printerId: f.printerId,
    state: f.state,
    createdAfter: f.createdAfter ? new Date(`${f.createdAfter}T00:00`).toISOString() : undefined,
    createdBefore: f.createdBefore ? new Date(`${f.createdBefore}T23:59:59.999`).toISOString() : undefined,
    ...extra,
  });
}

function matches(job: Job, f: Filters): boolean {
  return (
    (!f.branchId || job.branchId === f.branchId) &&
    (!f.printerId || job.printerId === f.printerId) &&
    (!f.state || f.state.split(',').includes(job.state))
  );
}

/** The job history: filters in the address (so a view can be shared), live states, CSV of the same filter. */
export function JobsView({ params, fleet, live }: { params: URLSearchParams; fleet: Fleet; live: LiveConnection }) {
  const filters = filtersOf(params);
  const key = apiQuery(filters);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [status, setStatus] = useState<'loading' | 'ready' | string>('loading');
  const [loadingMore, setLoadingMore] = useState(false);
  // The filter the list shows: a page asked for under another one (changed meanwhile) is dropped.
  const shown = useRef(key);
  shown.current = key;

  useEffect(() => {
    let stopped = false;
    setStatus('loading');
    api<{ jobs: Job[]; nextCursor?: string }>('GET', `/printing/jobs${apiQuery(filters, { limit: '50' })}`).then(
      (page) => {
        if (stopped) return;
        setJobs(page.jobs);
        setCursor(page.nextCursor);
        setStatus('ready');
      },
      (err: Error) => !stopped && setStatus(err.message),
    );
    const off = live.on('printJobUpdate', ({ job }) => {
      setJobs((list) => {
        const at = list.findIndex((j) => j.id === job.id);
        if (at >= 0) return list.map((j) => (j.id === job.id ? job : j));
        return matches(job, filters) && !filters.createdBefore ? [job, ...list] : list;
      });
    });
    return () => {
      stopped = true;
      off();
    };
  }, [key, live]);

  const more = async () => {
    const asked = key;
    setLoadingMore(true);
    try {
      const page = await api<{ jobs: Job[]; nextCursor?: string }>(
        'GET',
        `/printing/jobs${apiQuery(filters, { limit: '50', cursor })}`,
      );
      if (asked !== shown.current) return;
      // A job may be in both when live updates put new ones at the top meanwhile: keep it once.
      setJobs((list) => {
        const seen = new Set(list.map((j) => j.id));
        return [...list, ...page.jobs.filter((j) => !seen.has(j.id))];
      });
      setCursor(page.nextCursor);
    } catch (err) {
      if (asked === shown.current) setStatus((err as Error).message);
    } finally {
      setLoadingMore(false);
    }
  };

  // The form edits a draft; the address changes (and the list with it) only on Apply.
  const [draft, setDraft] = useState<Filters>(filters);
  useEffect(() => setDraft(filtersOf(params)), [key]);
  const set = (field: keyof Filters) => (event: Event) =>
    setDraft((d) => ({ ...d, [field]: (event.currentTarget as HTMLInputElement).value || undefined }));
  const draftStates = new Set(draft.state?.split(',').filter(Boolean) ?? []);
  const toggleState = (state: string) => {
    const next = new Set(draftStates);
    if (next.has(state)) next.delete(state);
    else next.add(state);
    setDraft((d) => ({ ...d, state: [...next].join(',') || undefined }));
  };
  const apply = (event: Event) => {
    event.preventDefault();
    location.hash = `#/jobs${query({ ...draft })}`;
  };

  const printerName = (id: string) => fleet.printers.find((p) => p.id === id)?.name ?? shortId(id);
  const branchIds = [...new Set(fleet.printers.map((p) => p.branchId))];

  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      <form class="filters" onSubmit={apply} aria-label="Filter jobs">
        <label>
          Branch
          <select name="branchId" value={draft.branchId ?? ''} onChange={set('branchId')}>
            <option value="">All</option>
            {branchIds.map((id) => (
              <option key={id} value={id}>
                {fleet.branches.find((b) => b.id === id)?.name ?? id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Printer
          <select name="printerId" value={draft.printerId ?? ''} onChange={set('printerId')}>
            <option value="">All</option>
            {fleet.printers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="createdAfter" value={draft.createdAfter ?? ''} onInput={set('createdAfter')} />
        </label>
        <label>
          To
          <input type="date" name="createdBefore" value={draft.createdBefore ?? ''} onInput={set('createdBefore')} />
        </label>
        <fieldset>
          <legend>States</legend>
          {JOB_STATES.map((s) => (
            <label key={s} class="check">
              <input
                type="checkbox"
                name="state"
                value={s}
                checked={draftStates.has(s)}
                onChange={() => toggleState(s)}
              />{' '}
              {s}
            </label>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <a class="button" href="#/jobs">
            Clear
          </a>
          <a class="button" href={`/printing/jobs${apiQuery(filters, { format: 'csv' })}`} download="print-jobs.csv">
            Download CSV
          </a>
        </div>
      </form>
      {status === 'loading' && <p aria-busy="true">Loading…</p>}
      {status !== 'loading' && status !== 'ready' && (
        <p class="banner banner-bad" role="alert">
          {status}
        </p>
      )}
      {status === 'ready' && jobs.length === 0 && <p>No job matches these filters.</p>}
      {jobs.length > 0 && (
        <table class="jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">State</th>
              <th scope="col">Printer</th>
              <th scope="col">Type</th>
              <th scope="col">Created</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} data-job={j.id}>
                <td>
                  <a href={jobHref(j.id)}>{shortId(j.id)}</a>
                </td>
                <td>
                  <span class={`badge tone-${jobTone(j.state)}`}>{j.state}</span>
                </td>
                <td>{printerName(j.printerId)}</td>
                <td>{j.type}</td>
                <td>{time(j.createdAt)}</td>
                <td>{j.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" disabled={loadingMore} onClick={() => void more()}>
          Load more
        </button>
      )}
    </section>
  );
}
