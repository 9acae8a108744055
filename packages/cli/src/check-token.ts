import { ConfigError, loadCheckSettings, loadConfig } from '@printermaster/server';
import { runAdmin } from './admin-command.js';
import { describeError, type Target } from './target-url.js';

/** How long a token minted for one check is valid: long enough for a slow smoke run, short enough to leak little. */
export const MINTED_TOKEN_TTL = '10m';

/** The token a check uses, and where it came from (for the summary line; never the token itself). */
export interface CheckToken {
  token: string;
  source: '--token' | 'PRINTERMASTER_TOKEN' | 'minted';
}

/** No token could be had: the message names every way to give one. */
export class NoCheckTokenError extends Error {
  override readonly name = 'NoCheckTokenError';
}

/**
 * `--token`, else PRINTERMASTER_TOKEN, else a super_admin token minted here as
 * `printermaster admin token --role super_admin --expires 10m` would (through the admin socket of
 * the gateway holding the embedded store, or with DATABASE_URL and JWT_SECRET on PostgreSQL), so
 * that a runbook's `npm run test:smoke -- --target=URL` works on the gateway's host as written.
 * Throws `NoCheckTokenError` when none of them works.
 */
export async function resolveCheckToken(given: string | undefined, target: Target): Promise<CheckToken> {
  if (given) return { token: given, source: '--token' };
  let why: string;
  try {
    const { token } = loadCheckSettings();
    if (token) return { token, source: 'PRINTERMASTER_TOKEN' };
    const config = loadConfig();
    // A super_admin token of this gateway goes only to this gateway: this host, or its public URL.
    if (!isThisGateway(target, config.http.publicUrl))
      throw new Error(
        `${target.origin} is neither this host nor PRINTERMASTER_PUBLIC_URL (${config.http.publicUrl}); a super_admin token is minted only for those`,
      );
    const minted = (await runAdmin(config, {
      command: 'token',
      args: { role: 'super_admin', sub: 'printermaster-check@cli', expires: MINTED_TOKEN_TTL },
    })) as { token?: unknown };
    if (typeof minted.token !== 'string') throw new Error('the admin command answered without a token');
    return { token: minted.token, source: 'minted' };
  } catch (err) {
    why = err instanceof ConfigError ? `invalid configuration: ${err.problems.join('; ')}` : describeError(err);
  }
  throw new NoCheckTokenError(
    `no token: give --token, set PRINTERMASTER_TOKEN, or run this on the gateway's host with its configuration (PRINTERMASTER_DATA_DIR, or DATABASE_URL and JWT_SECRET) so that a super_admin token can be minted; minting one failed: ${why}`,
  );
}

/** The port of this machine's gateway (`PORT`), the checks' default target; 3001 when it cannot be read. */
export function defaultCheckPort(): number {
  try {
    return loadCheckSettings().port;
  } catch {
    // A malformed PORT is the gateway's to refuse; the check then tries the default and says what failed.
    return 3001;
  }
}

/** Whether `target` is this host (a loopback address) or the gateway's own public URL. */
function isThisGateway(target: Target, publicUrl: string): boolean {
  const host = new URL(target.origin).hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return true;
  try {
    return new URL(publicUrl).host === new URL(target.origin).host;
  } catch {
    return false;
  }
}
