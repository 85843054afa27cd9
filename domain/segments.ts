/**
 * The contract between the warehouse and the edge for player segments (docs/segments.md): the
 * warehouse computes each player's segment membership and VIP tier (relation `marts.player_segments`
 * by default) and publishes it to POST /internal/v1/segments in batches; each player's object keeps
 * its current membership.
 *
 * A snapshot id names one publication of the whole relation: "<UTC time to the millisecond>Z-<12 hex
 * of the content hash>", e.g. 20261202T081500.123Z-3fa2b4c1d9e0. Ids sort as strings in the order they
 * were taken, and the player's object applies a snapshot only if its id is greater than the one it
 * holds: the same snapshot again (a retry) and an older one arriving late change nothing and emit
 * nothing.
 */
import { z } from 'zod';

export const SNAPSHOT_ID_RE = /^[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-[0-9a-f]{12}$/;
/** Segment names and VIP tiers: lower-case identifiers (no commas: the event lists them comma-joined). */
export const SEGMENT_NAME_RE = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;
export const SEGMENTS_PER_PLAYER_MAX = 64;
export const SEGMENTS_BATCH_MAX = 500;
/** The route's own body limit (a full batch of 500 players with a few segments each fits easily). */
export const SEGMENTS_BODY_LIMIT_BYTES = 1024 * 1024;
/** The signed action (domain/signed-request.ts): "<X-Timestamp>.segments.<raw body>". */
export const SEGMENTS_SIGNED_ACTION = 'segments';

export const SegmentName = z.string().regex(SEGMENT_NAME_RE, 'a lower-case identifier: [a-z0-9][a-z0-9_.:-]{0,63}');

export const SnapshotId = z.string().regex(SNAPSHOT_ID_RE, 'YYYYMMDDTHHMMSS.sssZ-<12 hex>');

export const SegmentsItem = z.strictObject({
  snapshot_id: SnapshotId,
  player_id: z.uuid(),
  segments: z.array(SegmentName).max(SEGMENTS_PER_PLAYER_MAX),
  vip_tier: SegmentName.nullable(),
});

/** A batch: at most SEGMENTS_BATCH_MAX items (more is 422 batch_too_large, checked before the items), one per player. */
export const SegmentsBatch = z.strictObject({
  items: z.array(SegmentsItem).min(1),
});
export type SegmentsBatch = z.infer<typeof SegmentsBatch>;

/** What happened to one item: applied with a change (event emitted), applied without one, ignored. */
export type SegmentsOutcome = 'changed' | 'unchanged' | 'replayed' | 'stale' | 'unknown_player';

export type SegmentsItem = z.infer<typeof SegmentsItem>;
export type SegmentsItemResult = { player_id: string; snapshot_id: string; outcome: SegmentsOutcome };

/** One canonical form of a membership: sorted, without duplicates. */
export function canonicalSegments(segments: readonly string[]): string[] {
  return [...new Set(segments)].sort();
}

/** "<time>Z-<hash>" for a snapshot taken at `nowMs` of content whose hash (hex) is given. */
export function snapshotId(nowMs: number, contentHashHex: string): string {
  const iso = new Date(nowMs).toISOString(); // 2026-12-02T08:15:00.123Z
  return `${iso.slice(0, 10).replaceAll('-', '')}T${iso.slice(11, 23).replaceAll(':', '')}Z-${contentHashHex.slice(0, 12)}`;
}
