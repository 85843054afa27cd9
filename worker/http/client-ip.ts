/** The client's address as Cloudflare reports it (loopback under wrangler dev). */
export function clientIp(req: Request): string {
  return req.headers.get('CF-Connecting-IP') ?? '127.0.0.1';
}
