import { api, CSRF_HEADER, refreshSession } from './api.js';
import type { Me } from './types.js';

/**
 * The login link carries a one-time code in its fragment (`/login#pmr_…`), which browsers send
 * to no server. Read it, erase it from the address bar and history at once, then exchange it.
 */
export function takeLoginCode(): string | undefined {
  if (location.pathname !== '/login') return undefined;
  const code = decodeURIComponent(location.hash.slice(1));
  history.replaceState(null, '', '/#/');
  return code || undefined;
}

export async function exchangeLoginCode(code: string): Promise<Me> {
  const res = await fetch('/auth/web/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1' },
    body: JSON.stringify({ code }),
  });
  const body = (await res.json()) as Me & { message?: string };
  if (!res.ok) throw new Error(body.message ?? 'the link could not be used');
  return body;
}

/** Who the session cookie signs in; `undefined` when there is no session (after one refresh attempt). */
export async function currentUser(): Promise<Me | undefined> {
  const me = () => fetch('/auth/web/me', { headers: { accept: 'application/json' } });
  let res = await me();
  if (res.status === 401 && (await refreshSession())) res = await me();
  return res.ok ? ((await res.json()) as Me) : undefined;
}

export async function signOut(): Promise<void> {
  await api('POST', '/auth/web/logout').catch(() => undefined);
}

/**
 * Refreshes the session a minute before its access cookie expires (half the remaining time for
 * shorter ones), so the page never meets a 401 in normal use. Returns a canceller.
 */
export function keepSessionFresh(expiresAt: string | undefined, onRefreshed: (me: Me) => void): () => void {
  if (!expiresAt) return () => {};
  const left = Date.parse(expiresAt) - Date.now();
  const wait = Math.max(1_000, left > 120_000 ? left - 60_000 : left / 2);
  const timer = setTimeout(async () => {
    if (!(await refreshSession())) return;
    const me = await currentUser();
    if (me) onRefreshed(me);
  }, wait);
  return () => clearTimeout(timer);
}
