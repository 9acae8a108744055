/**
 * Calls to the gateway's REST API, signed in by the session cookie (docs/dashboard.md). The
 * browser sends the cookie itself; this code never sees a token. Writes carry the CSRF header
 * the gateway asks of cookie requests. A 401 is answered by one refresh of the session and
 * the call is made again; when that fails too, the page goes back to its sign-in screen.
 */
export const CSRF_HEADER = 'x-printermaster-csrf';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let signedOut: () => void = () => {};
let refreshing: Promise<boolean> | undefined;

/** What to do when the session is gone for good (the sign-in screen). */
export function onSignedOut(listener: () => void): void {
  signedOut = listener;
}

/** A refresh is skipped when the access cookie still has this long to live (another tab refreshed it). */
const FRESH_ENOUGH_MS = 90_000;

/**
 * Asks for the next session cookies. Each refresh token works once and a second use ends the
 * session, while every tab of the dashboard shares the same cookies: refreshes are therefore made
 * one at a time across tabs (a Web Lock), and skipped when another tab has just made one.
 * Concurrent callers in one tab share one request.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= oneAtATime(async () => {
    const me = await fetch('/auth/web/me', { headers: { accept: 'application/json' } }).catch(() => undefined);
    if (me?.ok) {
      const { expiresAt } = (await me.json()) as { expiresAt?: string };
      if (expiresAt && Date.parse(expiresAt) - Date.now() > FRESH_ENOUGH_MS) return true;
    }
    const res = await fetch('/auth/web/refresh', { method: 'POST', headers: { [CSRF_HEADER]: '1' } });
    return res.ok;
  })
    .catch(() => false)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  if (!navigator.locks) return task();
  return navigator.locks.request('printermaster-session-refresh', task) as Promise<T>;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const call = () =>
    fetch(path, {
      method,
      headers: {
        accept: 'application/json',
        ...(method === 'GET' ? {} : { [CSRF_HEADER]: '1' }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let res = await call();
  if (res.status === 401 && !path.startsWith('/auth/web/')) {
    if (await refreshSession()) res = await call();
    if (res.status === 401) signedOut();
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) {
    throw new ApiError(res.status, String(json.code ?? 'ERROR'), String(json.message ?? res.statusText));
  }
  return json as T;
}

/** A query string of the set values only. */
export function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}
