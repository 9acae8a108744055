import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import type { Branch, CompanyView, Role, User } from './types.js';

/** What every section of the administration view is handed: who acts, and the tenants they see. */
export interface AdminContext {
  user: User;
  branches: Branch[];
  /** Empty for branch managers, who read their company by id only. */
  companies: CompanyView[];
  /** Reads the branches again (after one was created, renamed, deactivated). */
  reloadBranches: () => Promise<void>;
}

/** Roles from the most to the least powerful (the protocol's ROLES, which are not in the bundle). */
export const ROLE_ORDER: readonly Role[] = ['super_admin', 'company_owner', 'branch_manager', 'cashier'];

export const ROLE_LABELS: Record<Role, string> = {
  super_admin: 'Platform admin',
  company_owner: 'Company owner',
  branch_manager: 'Branch manager',
  cashier: 'Cashier',
};

/** Whether `role` may create, rename, deactivate and activate branches (docs/admin-api.md). */
export function managesBranches(role: Role): boolean {
  return role === 'super_admin' || role === 'company_owner';
}

/** Whether `role` may create and change webhook endpoints: branch managers only read them (docs/webhooks.md). */
export function managesWebhooks(role: Role): boolean {
  return role === 'super_admin' || role === 'company_owner';
}

/** The roles a caller may hand out in an API key: its own and lower (docs/credentials.md). */
export function grantableRoles(role: Role): Role[] {
  return ROLE_ORDER.slice(ROLE_ORDER.indexOf(role));
}

/** The gateway's own words when it refuses (its message and code), else the error's. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

export function branchName(branches: Branch[], id: string | null): string {
  if (id === null) return 'Every branch';
  return branches.find((b) => b.id === id)?.name ?? id;
}

export function companyName(companies: CompanyView[], id: string | null): string {
  if (id === null) return 'Platform';
  return companies.find((c) => c.id === id)?.name ?? id;
}

const TONES: Record<string, string> = {
  active: 'good',
  delivered: 'good',
  suspended: 'busy',
  pending: 'busy',
  revoked: 'bad',
  disabled: 'bad',
  failed: 'bad',
  expired: 'quiet',
};

/** A status as a badge; a branch's `suspended` reads "deactivated", as the actions that set it say. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span class={`badge tone-${TONES[status] ?? 'quiet'}`}>{label ?? status}</span>;
}

/** An error in words, read out at once (role="alert"); nothing when there is none. */
export function ErrorAlert({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p class="banner banner-bad" role="alert">
      {error}
    </p>
  );
}

/** A polite live region that says what an action did. */
export function Notice({ children }: { children?: ComponentChildren }) {
  return (
    <div role="status" aria-live="polite">
      {children && <p class="banner banner-good">{children}</p>}
    </div>
  );
}

/** A list read from the API, with its error, and a way to read it again. */
export function useList<T>(load: () => Promise<T[]>, deps: unknown[]) {
  const [items, setItems] = useState<T[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const reload = useCallback(async () => {
    try {
      setItems(await load());
      setError(undefined);
    } catch (err) {
      setError(errorText(err));
    }
  }, deps);
  useEffect(() => {
    setItems(undefined);
    void reload();
  }, [reload]);
  return { items, error, reload, setItems };
}

/** A date input's `YYYY-MM-DD` as the end of that local day, ISO 8601; undefined when empty. */
export function endOfDay(value: string): string | undefined {
  if (!value) return undefined;
  const at = new Date(`${value}T23:59:59`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** Today as a date input's `min`, so the picker offers no past day. */
export function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A labelled field with its validation message tied to it (aria-describedby, aria-invalid). */
export function Field(props: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (attrs: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => ComponentChildren;
}) {
  const described = [props.hint && `${props.id}-hint`, props.error && `${props.id}-error`].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children({
        id: props.id,
        ...(props.error ? { 'aria-invalid': 'true' as const } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {props.hint && (
        <span id={`${props.id}-hint`} class="hint">
          {props.hint}
        </span>
      )}
      {props.error && (
        <span id={`${props.id}-error`} class="field-error">
          {props.error}
        </span>
      )}
    </div>
  );
}

/** A Field choosing one of named things (a branch, a company), with a first empty choice. */
export function ChoiceField(props: {
  id: string;
  label: string;
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  choices: readonly { id: string; name: string }[];
  /** The empty choice's text: "Choose…", "Every branch". */
  empty: string;
}) {
  return (
    <Field id={props.id} label={props.label} error={props.error}>
      {(attrs) => (
        <select {...attrs} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
          <option value="">{props.empty}</option>
          {props.choices.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
