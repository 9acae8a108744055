/**
 * The gateway a check talks to: `--target`, else this machine's gateway on the port its own
 * setting says (`PORT`, as `npm start` reads it from the environment; 3001 by default). A bare
 * name or host[:port] (`--target=green`, a Kubernetes service of a blue-green deploy) means plain
 * HTTP to it. (No variables of its own: the environment is the gateway's settings.)
 */
export function targetUrl(given: string | undefined, env: NodeJS.ProcessEnv = process.env): Target {
  const port = /^\d{1,5}$/.test(env.PORT ?? '') && Number(env.PORT) > 0 ? Number(env.PORT) : 3001;
  const raw = (given ?? `http://localhost:${port}`).trim();
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
