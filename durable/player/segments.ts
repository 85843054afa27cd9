/**
 * The player's segments and VIP tier, as the warehouse last published them (domain/segments.ts).
 * A snapshot applies only if its id is newer than the one held: a replay (the same id) and a late
 * older snapshot change nothing and emit nothing. A newer snapshot always records its id and arrival
 * time; it emits `player.segments.changed` only when the membership or the tier actually changed.
 */
import { canonicalSegments, type SegmentsOutcome } from '../../domain/segments';
import type { PlayerContext } from './context';

export type SegmentsView = {
  segments: string[];
  vip_tier: string | null;
  snapshot_id: string | null;
  published_at: number | null;
  changed_at: number | null;
};

type SegmentsRow = { snapshot_id: string; segments: string; vip_tier: string | null; published_at: number; changed_at: number };

export class Segments {
  constructor(private readonly ctx: PlayerContext) {}

  view(): SegmentsView {
    const r = this.ctx.db.first<SegmentsRow>`select snapshot_id, segments, vip_tier, published_at, changed_at from segments where id = 1`;
    if (!r) return { segments: [], vip_tier: null, snapshot_id: null, published_at: null, changed_at: null };
    return { segments: JSON.parse(r.segments) as string[], vip_tier: r.vip_tier, snapshot_id: r.snapshot_id, published_at: r.published_at, changed_at: r.changed_at };
  }

  /** Applies one snapshot of this player (the caller checked the profile exists). */
  apply(snapshotId: string, segments: readonly string[], vipTier: string | null): SegmentsOutcome {
    const held = this.view();
    if (held.snapshot_id !== null && snapshotId === held.snapshot_id) return 'replayed';
    if (held.snapshot_id !== null && snapshotId < held.snapshot_id) return 'stale';
    const to = canonicalSegments(segments);
    const changed = to.join(',') !== held.segments.join(',') || vipTier !== held.vip_tier;
    const now = this.ctx.now();
    const changedAt = changed ? now : held.changed_at ?? now;
    this.ctx.db.run`insert into segments (id, snapshot_id, segments, vip_tier, published_at, changed_at)
      values (1, ${snapshotId}, ${JSON.stringify(to)}, ${vipTier}, ${now}, ${changedAt})
      on conflict (id) do update set snapshot_id = excluded.snapshot_id, segments = excluded.segments, vip_tier = excluded.vip_tier,
        published_at = excluded.published_at, changed_at = excluded.changed_at`;
    if (!changed) return 'unchanged';
    const before = new Set(held.segments);
    const after = new Set(to);
    this.ctx.emit('player.segments.changed', {
      snapshot_id: snapshotId, from: held.segments.join(','), to: to.join(','),
      added: to.filter((s) => !before.has(s)).join(','), removed: held.segments.filter((s) => !after.has(s)).join(','),
      vip_tier_from: held.vip_tier, vip_tier_to: vipTier,
    });
    return 'changed';
  }
}
