import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses a webhook may not reach unless private targets are allowed: what is not the public
 * internet (RFC 6890 special-purpose blocks, multicast, reserved), where a request from the
 * gateway would reach its own machine, its network or a cloud metadata service.
 */
const IPV4_BLOCKS: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata: 169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
];

const IPV6_BLOCKS: readonly [string, number][] = [
  ['::', 96], // unspecified, loopback (::1) and the deprecated IPv4-compatible addresses
  ['::ffff:0:0:0', 96], // IPv4-translated (::ffff:0:a.b.c.d, RFC 2765): an IPv4 address behind a translator
  ['64:ff9b:1::', 48], // local-use IPv4/IPv6 translation (RFC 8215)
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo and others)
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const forbidden = new BlockList();
for (const [address, prefix] of IPV4_BLOCKS) forbidden.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of IPV6_BLOCKS) forbidden.addSubnet(address, prefix, 'ipv6');

/** The 16 bytes of an IPv6 address (zone index dropped), or undefined when it is not one. */
function ipv6Bytes(address: string): number[] | undefined {
  const text = address.split('%')[0] ?? '';
  if (!isIPv6(text)) return undefined;
  let head = text;
  const tail: number[] = [];
  // An embedded dotted quad (::ffff:127.0.0.1) is the last 32 bits.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    tail.push(...(quad[1] as string).split('.').map(Number));
    head = text.slice(0, -(quad[1] as string).length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const l = groups(left ?? '');
  const r = right === undefined ? [] : groups(right);
  const missing = 8 - tail.length / 2 - l.length - r.length;
  const words = [...l, ...Array<number>(right === undefined ? 0 : missing).fill(0), ...r];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  return [...bytes, ...tail].length === 16 ? [...bytes, ...tail] : undefined;
}

/**
 * The IPv4 address an IPv6 address carries and routes to: IPv4-mapped (`::ffff:a.b.c.d`),
 * NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`).
 */
function embeddedIpv4(bytes: number[]): string | undefined {
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const last4 = bytes.slice(12, 16).join('.');
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return last4;
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) return last4;
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6).join('.');
  return undefined;
}

/**
 * Why `address` (an IP literal) may not be the target of a webhook, or undefined when it may:
 * `private address` for the blocks above (an IPv6 address also for the IPv4 address it carries),
 * `not an IP address` for anything else.
 */
export function forbiddenAddressReason(address: string): string | undefined {
  if (isIPv4(address)) return forbidden.check(address, 'ipv4') ? 'private address' : undefined;
  const bytes = ipv6Bytes(address);
  if (!bytes) return 'not an IP address';
  const v4 = embeddedIpv4(bytes);
  if (v4 !== undefined) return forbiddenAddressReason(v4);
  const text = address.split('%')[0] as string;
  return forbidden.check(text, 'ipv6') ? 'private address' : undefined;
}
