/**
 * The gateway a check talks to: `--target`, else this machine's gateway on `port` (the gateway's
 * `PORT` setting, see `defaultCheckPort`; 3001, its default, when it is 0 or not given). A bare
 * name or host[:port] (`--target=green`, a Kubernetes service of a blue-green deploy) means plain
 * HTTP to it.
 */
export function targetUrl(given: string | undefined, port = 3001): Target {
  const raw = (given ?? `http://localhost:${port > 0 ? port : 3001}`).trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`--target "${raw}" is not a URL or host name`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`--target must be an http(s) URL, not ${url.protocol}`);
  }
  // Paths are appended to it, so a trailing slash must not double up.
  const pathPrefix = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, pathPrefix, href: `${url.origin}${pathPrefix}` };
}

/** A gateway's address, as the checks use it. */
export interface Target {
  /** `http(s)://host[:port]`. */
  origin: string;
  /** The path the gateway is served under behind a proxy, without a trailing slash; usually empty. */
  pathPrefix: string;
  /** `origin` + `pathPrefix`: what `/api/health` and the rest are appended to. */
  href: string;
}

/** Milliseconds since `startedAt` (performance.now()), rounded to 0.1 ms for reports. */
export function elapsedMs(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 10) / 10;
}

/** An error's message with its cause (fetch wraps ECONNREFUSED and DNS failures in `cause`). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const causeText = cause ? `${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
  return causeText && !err.message.includes(causeText) ? `${err.message} (${causeText})` : err.message;
}
