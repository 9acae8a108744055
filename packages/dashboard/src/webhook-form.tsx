import { useState } from 'preact/hooks';
import { type AdminContext, ChoiceField, Field } from './admin-common.js';

/** The body of `POST /admin/webhooks` (docs/webhooks.md#endpoints). */
export interface NewWebhook {
  url: string;
  events: string[];
  branchId?: string;
  companyId?: string;
  description?: string;
}

interface Problems {
  url?: string;
  events?: string;
  company?: string;
  description?: string;
}

/** What the filter's patterns look like; the gateway names an unknown one (400, `path`). */
const PATTERN = /^(\*|[a-z]+\.(\*|[a-z_]+))$/;

/** Splits "job.*, licence.revoked" into patterns. */
export function parsePatterns(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Registers an endpoint: its URL, the events it takes, and the branch (or every branch of the company). */
export function WebhookForm({
  ctx,
  onCreate,
}: {
  ctx: AdminContext;
  onCreate: (request: NewWebhook) => Promise<boolean>;
}) {
  const { user, branches, companies } = ctx;
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('job.*');
  const [branchId, setBranchId] = useState('');
  const [companyId, setCompanyId] = useState('');
  const [description, setDescription] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [busy, setBusy] = useState(false);
  // A platform admin's endpoint for every branch names its company; anyone else's is their own.
  const asksCompany = user.role === 'super_admin' && !branchId;

  const submit = async (e: Event) => {
    e.preventDefault();
    const found: Problems = {};
    let parsed: URL | undefined;
    try {
      parsed = new URL(url.trim());
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
      found.url = 'An http:// or https:// address, e.g. https://pos.example.com/hooks/printermaster.';
    }
    const patterns = parsePatterns(events);
    const wrong = patterns.find((p) => !PATTERN.test(p));
    if (patterns.length === 0) found.events = 'Name at least one event, or * for all.';
    else if (patterns.length > 32) found.events = 'At most 32 patterns.';
    else if (wrong) found.events = `"${wrong}" is not an event pattern (job.*, job.completed, licence.revoked, *).`;
    if (asksCompany && !companyId) found.company = 'Choose the company whose events it takes.';
    if (description.length > 500) found.description = 'At most 500 characters.';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const ok = await onCreate({
      url: url.trim(),
      events: patterns,
      ...(branchId ? { branchId } : {}),
      ...(asksCompany ? { companyId } : {}),
      ...(description.trim() ? { description: description.trim() } : {}),
    });
    setBusy(false);
    if (ok) {
      setUrl('');
      setDescription('');
    }
  };

  return (
    <form class="admin-form card" onSubmit={submit} noValidate aria-labelledby="new-webhook-title">
      <h3 id="new-webhook-title">New endpoint</h3>
      <div class="form-row">
        <Field id="webhook-url" label="URL" error={problems.url}>
          {(attrs) => (
            <input
              {...attrs}
              class="wide"
              type="url"
              inputMode="url"
              value={url}
              maxLength={2048}
              placeholder="https://"
              onInput={(e) => setUrl(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id="webhook-events"
          label="Events"
          hint="Comma-separated: * (all), job.*, agent.*, printer.*, licence.*, job.completed, …"
          error={problems.events}
        >
          {(attrs) => <input {...attrs} value={events} onInput={(e) => setEvents(e.currentTarget.value)} />}
        </Field>
        <ChoiceField
          id="webhook-branch"
          label="Branch"
          value={branchId}
          onChange={setBranchId}
          choices={branches}
          empty="Every branch"
        />
        {asksCompany && (
          <ChoiceField
            id="webhook-company"
            label="Company"
            error={problems.company}
            value={companyId}
            onChange={setCompanyId}
            choices={companies}
            empty="Choose…"
          />
        )}
        <Field id="webhook-description" label="Description (optional)" error={problems.description}>
          {(attrs) => (
            <input
              {...attrs}
              value={description}
              maxLength={500}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          Add endpoint
        </button>
      </div>
    </form>
  );
}
