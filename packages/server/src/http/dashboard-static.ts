import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the dashboard (packages/dashboard/dist), seen from this file in packages/server/dist/http. */
const DEFAULT_DIR = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

/** The pages of the dashboard: one document; the page itself picks the view. */
const PAGES = ['/', '/login'];

/**
 * Nothing but the gateway's own files: no inline script, no other origin, never in a frame. The
 * socket is same-origin (`'self'` covers ws: and wss: of the same host in current browsers; the
 * schemes are named for older ones).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the web dashboard (docs/dashboard.md) at `/`: its document at `/` and `/login`, its
 * hashed assets under `/assets/`, cached for good. Without a build the pages say how to make one.
 */
export async function dashboardStatic(app: FastifyInstance, opts: { dir?: string } = {}): Promise<void> {
  const dir = opts.dir ?? DEFAULT_DIR;
  const indexFile = `${dir}index.html`;
  const built = existsSync(indexFile);
  for (const url of PAGES) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => {
      // Read each time (half a kilobyte): a rebuild while the gateway runs renames the assets it names.
      const index = await readFile(indexFile).catch(() => undefined);
      if (!index) {
        return reply
          .status(404)
          .type('text/plain; charset=utf-8')
          .send('The dashboard is not built: run `npm run build` in the checkout, then restart the gateway.\n');
      }
      return reply
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .type('text/html; charset=utf-8')
        .send(index);
    });
  }
  if (built) {
    await app.register(fastifyStatic, {
      root: `${dir}assets`,
      prefix: '/assets/',
      // File names carry their content's hash: a new build is a new name.
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
      schemaHide: true,
    });
  }
}
