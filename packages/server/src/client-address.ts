import type { IncomingHttpHeaders } from 'node:http';

/**
 * The client's address. Behind a proxy (trustProxy) the first X-Forwarded-For
 * entry; otherwise the socket's. IPv4-mapped IPv6 is reduced to IPv4 so that an
 * HTTP request and a Socket.IO connection from one host compare equal.
 */
export function clientAddress(headers: IncomingHttpHeaders, remote: string | undefined, trustProxy: boolean): string {
  let address = remote ?? '';
  if (trustProxy) {
    const forwarded = headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) address = first;
  }
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
