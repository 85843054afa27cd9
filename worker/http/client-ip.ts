/**
 * The client's address as Cloudflare reports it (loopback under wrangler dev), and the bucket a
 * per-client rate limit counts it in: an IPv4 address is its own bucket; an IPv6 address counts
 * for its whole /64, because a subscriber usually gets at least a /64 and can use any of its 2^64
 * addresses (limiting single IPv6 addresses would limit nothing).
 */
export function clientIp(req: Request): string {
  return req.headers.get('CF-Connecting-IP') ?? '127.0.0.1';
}

/** The rate-limit bucket of the request's client: see rateLimitBucket. */
export function clientBucket(req: Request): string {
  return rateLimitBucket(clientIp(req));
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const OTHER_MAX_CHARS = 64;

function ipv4Octets(s: string): number[] | null {
  const m = IPV4.exec(s);
  const octets = m ? m.slice(1).map(Number) : null;
  return octets && octets.every((o) => o <= 255) ? octets : null;
}

/** The eight 16-bit groups of an IPv6 address (`::`, a trailing dotted IPv4 and a `%zone` allowed), or null. */
function ipv6Groups(ip: string): number[] | null {
  let s = ip.split('%', 1)[0]!;
  const tail4 = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (tail4) {
    const o = ipv4Octets(tail4[1]!);
    if (!o) return null;
    s = `${s.slice(0, tail4.index + 1)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (![...head, ...tail].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...Array<string>(missing).fill('0'), ...tail].map((g) => parseInt(g, 16));
}

/** `203.0.113.7` -> itself; `2001:db8:aa:bb::1` -> `2001:db8:aa:bb::/64`; `::ffff:203.0.113.7` -> `203.0.113.7`. */
export function rateLimitBucket(ip: string): string {
  if (ipv4Octets(ip)) return ip;
  const g = ipv6Groups(ip);
  if (!g) return `other:${ip.slice(0, OTHER_MAX_CHARS)}`; // Cloudflare always sends an address; keep anything else apart, bounded
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
  return `${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}
