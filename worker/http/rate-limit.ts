/**
 * Per-client rate limits: one exact sliding window per limit and client bucket (an IPv4 address or
 * an IPv6 /64, see client-ip.ts) in a RateLimiterDO. Over the limit is `429 rate_limited` with
 * `Retry-After` (seconds) and `details.retry_after_ms`.
 */
import type { Context } from 'hono';
import type { AppEnv } from './app-env';
import { clientBucket } from './client-ip';
import { ApiError } from './errors';
import { rateLimiterStub } from './stubs';

export type ClientLimit = {
  /** The limiter's name, the prefix of its objects' names (`<name>:<bucket>`). Never rename: it would reset the counts. */
  name: string;
  max: number;
  window_ms: number;
  /** What the 429 says. */
  message: string;
};

/** Counts this request against `limit` for its client, or throws the 429. */
export async function limitClient(c: Context<AppEnv>, limit: ClientLimit): Promise<void> {
  const v = await rateLimiterStub(c.env, `${limit.name}:${clientBucket(c.req.raw)}`).hit(limit.max, limit.window_ms);
  if (!v.allowed) {
    throw new ApiError('rate_limited', limit.message, { retry_after_ms: v.retry_after_ms }, { 'Retry-After': String(Math.ceil(v.retry_after_ms / 1000)) });
  }
}
