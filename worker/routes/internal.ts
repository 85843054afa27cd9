/**
 * Internal routes: called by our own warehouse, never by players, operators or partners, and not
 * in the public OpenAPI document (a plain Hono router, mounted at /internal/v1 outside the /v1 tree).
 *
 * POST /internal/v1/segments: the warehouse publishes segment membership and VIP tiers
 * (`npm run wh -- publish segments`; contract in domain/segments.ts, guide in docs/segments.md).
 * Authenticated only by its own secret, SEGMENTS_PUBLISH_SECRET: X-Timestamp + X-Signature =
 * sha256=<hex HMAC-SHA256(secret, "<timestamp>.segments.<raw body>")> (domain/signed-request.ts),
 * checked over the raw body before anything parses it, within 5 minutes of our clock. Each item goes
 * to its player's object (bounded concurrency); the answer reports every item's outcome.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  SEGMENTS_BATCH_MAX, SEGMENTS_BODY_LIMIT_BYTES, SEGMENTS_SIGNED_ACTION, SegmentsBatch,
  type SegmentsItem, type SegmentsItemResult, type SegmentsOutcome,
} from '../../domain/segments';
import { verifyRequest } from '../../domain/signed-request';
import type { AppEnv } from '../http/app-env';
import { ApiError } from '../http/errors';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';

/** Player objects called at once for one batch. */
export const SEGMENTS_FANOUT_CONCURRENCY = 32;
/** A shorter secret is a configuration error, not a weak-but-working one. */
const SECRET_MIN_LENGTH = 32;

const MESSAGES = {
  invalid_signature: 'X-Timestamp and X-Signature (sha256=<hex HMAC-SHA256(SEGMENTS_PUBLISH_SECRET, "<timestamp>.segments.<raw body>")>) are missing or do not match',
  request_expired: 'X-Timestamp (unix seconds) is more than 5 minutes from our clock; sign each request when it is sent',
} as const;

export const internal = new Hono<AppEnv>();

internal.post('/segments', bodyLimit({
  maxSize: SEGMENTS_BODY_LIMIT_BYTES,
  onError: () => { throw new ApiError('payload_too_large', `segment batches are limited to ${SEGMENTS_BODY_LIMIT_BYTES} bytes`); },
}), async (c) => {
  const secret = c.env.SEGMENTS_PUBLISH_SECRET;
  if (typeof secret !== 'string' || secret.length < SECRET_MIN_LENGTH) throw new ApiError('misconfigured', 'segment publishing is not configured');
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const verdict = await verifyRequest(secret, SEGMENTS_SIGNED_ACTION, raw, { timestamp: c.req.header('X-Timestamp'), signature: c.req.header('X-Signature') });
  if (verdict !== 'ok') throw new ApiError(verdict, MESSAGES[verdict]);

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new ApiError('malformed_json');
  }
  const count = Array.isArray((parsed as { items?: unknown } | null)?.items) ? (parsed as { items: unknown[] }).items.length : 0;
  if (count > SEGMENTS_BATCH_MAX) {
    throw new ApiError('batch_too_large', `a batch holds at most ${SEGMENTS_BATCH_MAX} items; this one has ${count}`, { max_items: SEGMENTS_BATCH_MAX, items: count });
  }
  const batch = SegmentsBatch.safeParse(parsed);
  if (!batch.success) validationHook({ success: false, error: batch.error });
  const items = batch.data!.items;
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (seen.has(item.player_id)) {
      throw new ApiError('validation_failed', `items.${i}.player_id: ${item.player_id} appears twice in the batch`, { issues: [{ path: `items.${i}.player_id`, message: 'appears twice in the batch' }] });
    }
    seen.add(item.player_id);
  }

  const results = await fanOut(c.env, items);
  const summary: Record<SegmentsOutcome, number> = { changed: 0, unchanged: 0, replayed: 0, stale: 0, unknown_player: 0 };
  for (const r of results) summary[r.outcome]++;
  return c.json({ results, summary }, 200);
});

/** One RPC per player, at most SEGMENTS_FANOUT_CONCURRENCY at a time, results in the batch's order. */
async function fanOut(env: Env, items: SegmentsItem[]): Promise<SegmentsItemResult[]> {
  const results = new Array<SegmentsItemResult>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      const r = await playerStub(env, item.player_id).applySegments({ snapshot_id: item.snapshot_id, segments: item.segments, vip_tier: item.vip_tier });
      results[i] = { player_id: item.player_id, snapshot_id: item.snapshot_id, outcome: r.outcome };
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEGMENTS_FANOUT_CONCURRENCY, items.length) }, worker));
  return results;
}
