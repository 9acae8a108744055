import type { IncomingHttpHeaders } from 'node:http';

/**
 * The dashboard's session in cookies (docs/dashboard.md, decision 0012). Both are httpOnly and
 * SameSite=Strict, so page scripts never see them and other sites' pages never send them; the
 * refresh token goes only to the routes that exchange or end it.
 */
export const ACCESS_COOKIE = 'pm_access';
export const REFRESH_COOKIE = 'pm_refresh';
export const REFRESH_COOKIE_PATH = '/auth/web';

/**
 * The header a cookie-authenticated request that changes something must carry. A form or an
 * image of another site cannot send a custom header, and a script of another origin could only
 * after a CORS preflight, which the origin check below refuses anyway.
 */
export const CSRF_HEADER = 'x-printermaster-csrf';

/** Methods that change nothing: a cookie alone is enough for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Whether a request or handshake carrying the session cookie comes from the gateway's own pages:
 * no `Origin` (same-origin navigations and GETs send none), or one whose host is the request's
 * host. SameSite=Strict already keeps other sites' requests cookieless; this also refuses pages
 * of the same site on another port or subdomain, which CORS might otherwise let through.
 */
export function isOwnOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** One cookie's value from a raw `Cookie` header (sockets: Fastify's parser does not run there). */
export function cookieFromHeaders(headers: IncomingHttpHeaders, name: string): string | undefined {
  const header = headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
