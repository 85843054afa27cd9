/**
 * The pure half of the player object's rewards wiring (durable/player/rewards.ts): the risk marks and
 * their rapid-losses buckets, an engine outcome as a flat `rewards.*` event, and the state row's form
 * of the engine state (its memory's full chunks kept in rows of their own). No storage, no platform
 * types, so fast mode's mirror of the object (simulator/fast-rewards.ts) runs this very code.
 */
import type { EventPayload } from '../../domain/events';
import type { Currency } from '../../domain/money';
import type { Outcome, RewardsState, Seen, SeenChunk } from '../../domain/rewards';
import type { RiskConfig } from './rewards-config';

/** The player object's own risk marks, kept beside the engine state. */
export type Marks = { limit_hit_at: number | null; cool_off_ended_at: number | null; losses: Loss[] };
/** Net losses of one 5-minute bucket in one currency (absent: the wallet's own, as rows written before currencies were kept). */
type Loss = { bucket: number; net_minor: number; currency?: Currency };
export const NO_MARKS: Marks = { limit_hit_at: null, cool_off_ended_at: null, losses: [] };
const LOSS_BUCKET_MS = 5 * 60_000;
export const MINUTE_MS = 60_000;

export function withLoss(marks: Marks, at: number, net: number, windowMinutes: number, currency: Currency | undefined): Marks {
  const bucket = Math.floor(at / LOSS_BUCKET_MS);
  const oldest = bucket - Math.ceil(windowMinutes * MINUTE_MS / LOSS_BUCKET_MS);
  const losses = marks.losses.filter((l) => l.bucket > oldest);
  const i = losses.findIndex((l) => l.bucket === bucket && l.currency === currency);
  const held = losses[i];
  if (held) losses[i] = { ...held, net_minor: held.net_minor + net };
  else losses.push(currency === undefined ? { bucket, net_minor: net } : { bucket, net_minor: net, currency });
  return { ...marks, losses };
}

/** Whether the net losses in any currency within the window reach that currency's threshold (none set: not judged). */
export function rapidLosses(marks: Marks, now: number, rule: RiskConfig['rapid_losses'], wallet: Currency): boolean {
  const oldest = Math.floor(now / LOSS_BUCKET_MS) - Math.ceil(rule.window_minutes * MINUTE_MS / LOSS_BUCKET_MS);
  const sums = new Map<Currency, number>();
  for (const l of marks.losses) {
    if (l.bucket <= oldest) continue;
    const c = l.currency ?? wallet;
    sums.set(c, (sums.get(c) ?? 0) + l.net_minor);
  }
  for (const [c, sum] of sums) {
    const limit = rule.net_loss_minor[c];
    if (limit !== undefined && sum >= limit) return true;
  }
  return false;
}

export type RewardEvent =
  | { type: 'rewards.granted'; payload: EventPayload<'rewards.granted'> }
  | { type: 'rewards.suppressed'; payload: EventPayload<'rewards.suppressed'> }
  | { type: 'rewards.assigned'; payload: EventPayload<'rewards.assigned'> }
  | { type: 'rewards.level_up'; payload: EventPayload<'rewards.level_up'> }
  | { type: 'rewards.mission_expired'; payload: EventPayload<'rewards.mission_expired'> }
  | { type: 'rewards.break_suggested'; payload: EventPayload<'rewards.break_suggested'> };

/** One outcome as one flat event (domain/rewards/events.ts). */
export function eventOf(o: Outcome, source: string): RewardEvent {
  switch (o.type) {
    case 'grant': {
      const g = o.grant;
      const cash = g.kind === 'free_bet' || g.kind === 'cashback';
      return { type: 'rewards.granted', payload: {
        grant_id: o.grant_id, rule_id: o.source.rule_id, rule_version: o.source.rule_version, variant: o.source.variant, via: o.source.via, source_event_id: source, kind: g.kind,
        amount: g.kind === 'xp' || g.kind === 'points' ? g.amount : null,
        badge_id: g.kind === 'badge' ? g.badge_id : null,
        mission_id: g.kind === 'mission_progress' || g.kind === 'mission_completed' ? g.mission_id : null,
        step_index: g.kind === 'mission_progress' ? g.step_index : null,
        progress: g.kind === 'mission_progress' ? g.progress : null,
        target: g.kind === 'mission_progress' ? g.target : null,
        wheel_id: g.kind === 'wheel_spin' ? g.wheel_id : null,
        value_minor: cash ? g.value_minor : null,
        expires_at: cash ? g.expires_at : null,
        template: g.kind === 'shout_out' || g.kind === 'message' ? g.template : null,
        cost_minor: o.cost_minor, cash_like: cash, paid: g.kind === 'cashback',
      } };
    }
    case 'suppressed': return { type: 'rewards.suppressed', payload: { rule_id: o.source.rule_id, rule_version: o.source.rule_version, variant: o.source.variant, source_event_id: source, reason: o.reason, action: o.action, detail: o.detail } };
    case 'assignment': return { type: 'rewards.assigned', payload: { rule_id: o.rule_id, rule_version: o.rule_version, variant: o.variant, source_event_id: source } };
    case 'level_up': return { type: 'rewards.level_up', payload: { from_level: o.from_level, to_level: o.to_level, name: o.name, tier: o.tier, source_event_id: source } };
    case 'mission_expired': return { type: 'rewards.mission_expired', payload: { mission_id: o.mission_id, step_index: o.step_index, progress: o.progress, source_event_id: source } };
    case 'break_message': return { type: 'rewards.break_suggested', payload: { template: o.template, reasons: o.reasons.join(','), source_event_id: source } };
  }
}

/**
 * The engine state as the `rewards_state` row holds it (migration 17): the idempotency memory's full
 * chunks (immutable, up to 16 x 64 event ids, ~58 KB) are rows of `rewards_seen_chunks`, written once
 * when a chunk fills and deleted when it is forgotten; the row lists their seqs, oldest first, and is
 * the authority on which rows make the memory. So an evaluated event rewrites the small mutable part
 * only (counters, rule uses, the filling chunk).
 */
export type StoredSeen = Omit<Seen, 'chunks'> & { chunk_rows: readonly number[] };
export type StoredState = Omit<RewardsState, 'seen'> & { seen: StoredSeen };

export function toStored(state: RewardsState, chunkRows: readonly number[]): StoredState {
  const { recent, recent_max_at, low_water_ms } = state.seen;
  return { ...state, seen: { recent, recent_max_at, low_water_ms, chunk_rows: chunkRows } };
}

/** The engine state again, its chunks in the order the row lists them; a listed chunk missing is an error (the memory must not shrink silently). */
export function fromStored(stored: StoredState, chunkOf: (seq: number) => SeenChunk | undefined): RewardsState {
  const { recent, recent_max_at, low_water_ms, chunk_rows } = stored.seen;
  const chunks = chunk_rows.map((seq) => {
    const chunk = chunkOf(seq);
    if (!chunk) throw new Error(`rewards state lists memory chunk ${seq}, which is not stored`);
    return chunk;
  });
  return { ...stored, seen: { recent, recent_max_at, chunks, low_water_ms } };
}
