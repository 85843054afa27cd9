/**
 * The pure half of the player object's rewards wiring (durable/player/rewards.ts): the risk marks and
 * their rapid-losses buckets, the budgets each evaluation is given, and an engine outcome as a flat
 * `rewards.*` event. No storage, no platform types, so fast mode's mirror of the object
 * (simulator/fast-rewards.ts) runs this very code.
 */
import type { EventPayload } from '../../domain/events';
import type { Currency } from '../../domain/money';
import type { Outcome } from '../../domain/rewards';
import type { RewardsConfig } from './rewards-config';

/** The player object's own risk marks, kept beside the engine state. */
export type Marks = { limit_hit_at: number | null; cool_off_ended_at: number | null; losses: { bucket: number; net_minor: number }[] };
export const NO_MARKS: Marks = { limit_hit_at: null, cool_off_ended_at: null, losses: [] };
const LOSS_BUCKET_MS = 5 * 60_000;
export const MINUTE_MS = 60_000;
export function budgetsOf(config: RewardsConfig, currency: Currency): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of config.compiled.set.rules) {
    const b = r.budget_minor?.[currency];
    if (b !== undefined) out[r.id] = b;
  }
  return out;
}

export function withLoss(marks: Marks, at: number, net: number, windowMinutes: number): Marks {
  const bucket = Math.floor(at / LOSS_BUCKET_MS);
  const oldest = bucket - Math.ceil(windowMinutes * MINUTE_MS / LOSS_BUCKET_MS);
  const losses = marks.losses.filter((l) => l.bucket > oldest);
  const last = losses.at(-1);
  if (last && last.bucket === bucket) losses[losses.length - 1] = { bucket, net_minor: last.net_minor + net };
  else losses.push({ bucket, net_minor: net });
  return { ...marks, losses };
}

export function netLoss(marks: Marks, now: number, windowMinutes: number): number {
  const oldest = Math.floor(now / LOSS_BUCKET_MS) - Math.ceil(windowMinutes * MINUTE_MS / LOSS_BUCKET_MS);
  let sum = 0;
  for (const l of marks.losses) if (l.bucket > oldest) sum += l.net_minor;
  return sum;
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
        cost_minor: o.cost_minor, cash_like: cash, paid: false,
      } };
    }
    case 'suppressed': return { type: 'rewards.suppressed', payload: { rule_id: o.source.rule_id, rule_version: o.source.rule_version, variant: o.source.variant, source_event_id: source, reason: o.reason, action: o.action, detail: o.detail } };
    case 'assignment': return { type: 'rewards.assigned', payload: { rule_id: o.rule_id, rule_version: o.rule_version, variant: o.variant, source_event_id: source } };
    case 'level_up': return { type: 'rewards.level_up', payload: { from_level: o.from_level, to_level: o.to_level, name: o.name, tier: o.tier, source_event_id: source } };
    case 'mission_expired': return { type: 'rewards.mission_expired', payload: { mission_id: o.mission_id, step_index: o.step_index, progress: o.progress, source_event_id: source } };
    case 'break_message': return { type: 'rewards.break_suggested', payload: { template: o.template, reasons: o.reasons.join(','), source_event_id: source } };
  }
}
