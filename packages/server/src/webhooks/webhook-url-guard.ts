import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { GatewayError } from '../core/gateway-error.js';
import type { WebhookUrlChecker } from '../core/ports/webhook-sender.js';
import { forbiddenAddressReason } from './forbidden-addresses.js';

/** Longest webhook URL accepted, characters. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Resolves a host name to every address it has (dns.lookup with `all: true`). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/** The error a guarded lookup fails the connection with; `code` tells the sender it was a refusal. */
export class TargetRefusedError extends Error {
  readonly code = 'WEBHOOK_TARGET_REFUSED';
}

/**
 * What is wrong with `url` before any lookup: not http(s), credentials, too long, or an IP
 * literal that is private. Undefined when it may go on (to the lookup for a host name).
 */
export function urlRefusal(url: URL, raw: string, allowPrivate: boolean): string | undefined {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `longer than ${MAX_WEBHOOK_URL_LENGTH} characters`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https URLs are allowed';
  if (url.username !== '' || url.password !== '') return 'credentials in the URL are not allowed';
  if (url.hostname === '') return 'the URL has no host';
  if (url.port === '0') return 'port 0 is not a port a request can reach';
  const host = literalHost(url.hostname);
  if (!allowPrivate && isIP(host) !== 0) {
    const reason = forbiddenAddressReason(host);
    if (reason) return `${host} is a ${reason}`;
  }
  return undefined;
}

/** The host of a URL without the brackets of an IPv6 literal. */
function literalHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** The first forbidden address of a host's addresses, as a refusal; undefined when all are public. */
function addressesRefusal(hostname: string, addresses: readonly LookupAddress[]): string | undefined {
  if (addresses.length === 0) return `${hostname} has no address`;
  for (const { address } of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason) return `${hostname} resolves to ${address}, a ${reason}`;
  }
  return undefined;
}

/**
 * A `lookup` for the sockets of webhook requests: resolves the host, refuses it when any of
 * its addresses is private (unless allowed), and hands the socket the addresses it checked, so
 * the connection goes to a checked address whatever the name resolves to a moment later.
 */
export function guardedLookup(allowPrivate: boolean, resolve: HostResolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refusal = allowPrivate ? undefined : addressesRefusal(hostname, addresses);
        if (refusal) {
          callback(new TargetRefusedError(refusal), '', 0);
          return;
        }
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
        const first = usable[0];
        if (!first) {
          callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        // Node's sockets ask for every address when they try them in turn (autoSelectFamily).
        if (options.all) (callback as unknown as (err: null, all: LookupAddress[]) => void)(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** Checks URLs at registration (see WebhookUrlChecker); the sender checks again when it connects. */
export class WebhookUrlGuard implements WebhookUrlChecker {
  private readonly allowPrivate: boolean;
  private readonly resolve: HostResolver;

  constructor(deps: { allowPrivate: boolean; resolve?: HostResolver }) {
    this.allowPrivate = deps.allowPrivate;
    this.resolve = deps.resolve ?? systemResolver;
  }

  async check(raw: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refused('not a valid absolute URL');
    }
    const refusal = urlRefusal(url, raw, this.allowPrivate);
    if (refusal) throw refused(refusal);
    const host = literalHost(url.hostname);
    if (!this.allowPrivate && isIP(host) === 0) {
      let addresses: LookupAddress[];
      try {
        addresses = await this.resolve(host);
      } catch {
        throw refused(`${host} does not resolve`);
      }
      const reason = addressesRefusal(host, addresses);
      if (reason) throw refused(reason);
    }
    url.hash = '';
    return url.toString();
  }
}

function refused(reason: string): GatewayError {
  return new GatewayError('WEBHOOK_URL_REFUSED', { message: `webhook URL refused: ${reason}`, details: { reason } });
}
