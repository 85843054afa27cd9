/**
 * Internal routes: called by our own warehouse, never by players, operators or partners, and not
 * in the public OpenAPI document (a plain Hono router, mounted at /internal/v1 outside the /v1 tree).
 * Each route has its own secret and signed action; the signature scheme is shared
 * (domain/signed-request.ts): X-Timestamp + X-Signature = sha256=<hex HMAC-SHA256(secret,
 * "<timestamp>.<action>.<raw body>")>, checked over the raw body before anything parses it, within 5
 * minutes of our clock. A batch's item count is checked before its items (422 batch_too_large).
 *
 * POST /internal/v1/segments: the warehouse publishes segment membership and VIP tiers
 * (`npm run wh -- publish segments`; contract in domain/segments.ts, guide in docs/segments.md),
 * secret SEGMENTS_PUBLISH_SECRET, action `segments`. Each item goes to its player's object (bounded
 * concurrency); the answer reports every item's outcome.
 *
 * POST /internal/v1/aml-alerts: the warehouse publishes its AML alerts (`npm run wh -- publish
 * aml-alerts`; contract in domain/aml.ts, guide in docs/aml.md), secret AML_PUBLISH_SECRET, action
 * `aml-alerts`. Items are grouped by brand, one RPC (one transaction) per brand's ops object; each
 * alert is raised once per alert_id, so a re-sent batch changes nothing.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { AML_BATCH_MAX, AML_BODY_LIMIT_BYTES, AML_SIGNED_ACTION, AmlAlertBatch, type AmlAlertItem, type AmlAlertResult, type AmlRaiseOutcome } from '../../domain/aml-publish';
import { isBrand } from '../../domain/brands';
import {
  SEGMENTS_BATCH_MAX, SEGMENTS_BODY_LIMIT_BYTES, SEGMENTS_SIGNED_ACTION, SegmentsBatch,
  type SegmentsItem, type SegmentsItemResult, type SegmentsOutcome,
} from '../../domain/segments';
import { verifyRequest } from '../../domain/signed-request';
import type { AppEnv } from '../http/app-env';
import { ApiError } from '../http/errors';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { brandOpsStub } from '../ops/stubs';

/** Player objects called at once for one batch. */
export const SEGMENTS_FANOUT_CONCURRENCY = 32;
/** A shorter secret is a configuration error, not a weak-but-working one. */
const SECRET_MIN_LENGTH = 32;

export const internal = new Hono<AppEnv>();

type SignedBatchRoute<S extends z.ZodType<{ items: unknown[] }>> = {
  /** What is published, in messages ("segment", "AML alert"). */
  what: string;
  secret: (env: Env) => unknown;
  secretName: string;
  action: string;
  maxItems: number;
  schema: S;
};

/** The route's own body limit (a warehouse batch is bigger than the 16 KiB of the others). */
function limit(bytes: number, what: string) {
  return bodyLimit({ maxSize: bytes, onError: () => { throw new ApiError('payload_too_large', `${what} batches are limited to ${bytes} bytes`); } });
}

/** Verifies the signature over the raw body, then the item count, then the items: a refused batch applies nothing. */
async function signedBatch<S extends z.ZodType<{ items: unknown[] }>>(c: Context<AppEnv>, r: SignedBatchRoute<S>): Promise<z.infer<S>> {
  const secret = r.secret(c.env);
  if (typeof secret !== 'string' || secret.length < SECRET_MIN_LENGTH) throw new ApiError('misconfigured', `${r.what} publishing is not configured`);
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const verdict = await verifyRequest(secret, r.action, raw, { timestamp: c.req.header('X-Timestamp'), signature: c.req.header('X-Signature') });
  if (verdict === 'invalid_signature') {
    throw new ApiError(verdict, `X-Timestamp and X-Signature (sha256=<hex HMAC-SHA256(${r.secretName}, "<timestamp>.${r.action}.<raw body>")>) are missing or do not match`);
  }
  if (verdict === 'request_expired') throw new ApiError(verdict, 'X-Timestamp (unix seconds) is more than 5 minutes from our clock; sign each request when it is sent');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new ApiError('malformed_json');
  }
  const count = Array.isArray((parsed as { items?: unknown } | null)?.items) ? (parsed as { items: unknown[] }).items.length : 0;
  if (count > r.maxItems) {
    throw new ApiError('batch_too_large', `a batch holds at most ${r.maxItems} items; this one has ${count}`, { max_items: r.maxItems, items: count });
  }
  const batch = r.schema.safeParse(parsed);
  if (!batch.success) validationHook({ success: false, error: batch.error as never });
  return batch.data as z.infer<S>;
}

/** A key twice in one batch refuses the whole batch (which of the two would win is not defined). */
function refuseRepeats<T>(items: T[], key: (item: T) => string, field: string): void {
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    const k = key(item);
    if (seen.has(k)) {
      throw new ApiError('validation_failed', `items.${i}.${field}: ${k} appears twice in the batch`, { issues: [{ path: `items.${i}.${field}`, message: 'appears twice in the batch' }] });
    }
    seen.add(k);
  }
}

internal.post('/segments', limit(SEGMENTS_BODY_LIMIT_BYTES, 'segment'), async (c) => {
  const { items } = await signedBatch(c, {
    what: 'segment', secret: (env) => env.SEGMENTS_PUBLISH_SECRET, secretName: 'SEGMENTS_PUBLISH_SECRET',
    action: SEGMENTS_SIGNED_ACTION, maxItems: SEGMENTS_BATCH_MAX, schema: SegmentsBatch,
  });
  refuseRepeats(items, (i) => i.player_id, 'player_id');
  const results = await fanOut(c.env, items);
  const summary: Record<SegmentsOutcome, number> = { changed: 0, unchanged: 0, replayed: 0, stale: 0, unknown_player: 0 };
  for (const r of results) summary[r.outcome]++;
  return c.json({ results, summary }, 200);
});

internal.post('/aml-alerts', limit(AML_BODY_LIMIT_BYTES, 'AML alert'), async (c) => {
  const { items } = await signedBatch(c, {
    what: 'AML alert', secret: (env) => env.AML_PUBLISH_SECRET, secretName: 'AML_PUBLISH_SECRET',
    action: AML_SIGNED_ACTION, maxItems: AML_BATCH_MAX, schema: AmlAlertBatch,
  });
  refuseRepeats(items, (i) => i.alert_id, 'alert_id');
  for (const [i, item] of items.entries()) {
    if (!isBrand(item.brand)) throw new ApiError('validation_failed', `items.${i}.brand: no brand ${item.brand}`, { issues: [{ path: `items.${i}.brand`, message: 'not a configured brand' }] });
  }
  const byBrand = new Map<string, AmlAlertItem[]>();
  for (const item of items) byBrand.set(item.brand, [...(byBrand.get(item.brand) ?? []), item]);
  // a handful of brands: one transaction each, in parallel
  const answers = await Promise.all([...byBrand].map(([brand, list]) => brandOpsStub(c.env, brand).raiseAmlAlerts(list)));
  const outcome = new Map<string, AmlRaiseOutcome>(answers.flat().map((r) => [r.alert_id, r.outcome]));
  const results: AmlAlertResult[] = items.map((i) => ({ alert_id: i.alert_id, outcome: outcome.get(i.alert_id)! }));
  const summary: Record<AmlRaiseOutcome, number> = { raised: 0, duplicate: 0, unknown_player: 0 };
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
