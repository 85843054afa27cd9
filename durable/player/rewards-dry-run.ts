/**
 * A dry run of a rule set (a draft, or one rule of it) against this player's recent events, for the
 * back office (POST /v1/ops/brands/{brand}/rewards/versions/{version}/dry-run; docs/rewards.md).
 *
 * Where the recent events come from: the player object's own durable records, the only place that
 * has every one of a player's bets whatever the table (the brand's back office does not receive bet
 * events: event-reads.ts). They are rebuilt into the engine's events with the ids the object used:
 * - table bets: the wallet's holds of kind `bet` (ref `<table>:<round>`), placed at `created_at`,
 *   settled at `resolved_at` with their wins summed as `returned_minor`;
 * - completed deposits; logins (each session, the registration's first one aside).
 * What the object does not keep is missing: a table bet's game, spot, bet type and dealer, and the
 * blackjack hand's facts. A condition on them does not hold in a dry run (documented; the answer says
 * which facts were missing).
 *
 * The run starts from a fresh rewards state (the player's own state has already seen these events:
 * it would call them duplicates), with the player's current context (segments, exclusion) and each
 * rule's declared budget. Nothing is written: the engine is pure.
 */
import type { CasinoEvent } from '../../domain/events';
import type { Currency } from '../../domain/money';
import { dryRun, initialState, type Outcome, type PlayerRewardsContext, type RuleSet } from '../../domain/rewards';
import type { PlayerContext } from './context';

export const DRY_RUN_EVENTS_MAX = 200;
export const MISSING_FACTS = ['game', 'game_id', 'spot', 'bet_type', 'dealer_id', 'natural', 'busted'] as const;

/** One outcome, flat (the back office's view of it). */
export type DryRunOutcome = {
  type: Outcome['type']; rule_id: string | null; rule_version: number | null; variant: string | null;
  kind: string | null; amount: number | null; value_minor: number | null; reason: string | null; detail: string | null;
};
export type DryRunAnswer = {
  events: number; from: number | null; to: number | null; missing_facts: string[];
  steps: { event_id: string; event_type: string; occurred_at: number; skipped: string | null; outcomes: DryRunOutcome[] }[];
  fired: { grants: number; suppressed: number; by_rule: { rule_id: string; rule_version: number; grants: number; suppressed: number }[] };
};

/** The player's most recent events, oldest first, at most `limit`. */
export function recentEvents(c: PlayerContext, limit: number): CasinoEvent[] {
  const p = c.profile();
  if (!p) return [];
  const n = Math.min(Math.max(limit, 1), DRY_RUN_EVENTS_MAX);
  const base = { schema_version: 1, player_id: p.player_id, jurisdiction: p.jurisdiction };
  const out: CasinoEvent[] = [];
  const holds = c.db.all<{ hold_id: string; currency: Currency; amount: number; ref: string | null; state: string; created_at: number; resolved_at: number | null; returned: number }>`
    select h.hold_id, h.currency, h.real_minor + h.bonus_minor as amount, h.ref, h.state, h.created_at, h.resolved_at,
      coalesce((select sum(w.amount_minor) from wins w where w.hold_id = h.hold_id), 0) as returned
    from holds h where h.kind = 'bet' and h.ref is not null order by h.created_at desc limit ${n}`;
  for (const h of holds) {
    const [tableId, roundId] = splitRef(h.ref!);
    const common = { ...base, table_id: tableId, round_id: roundId, currency: h.currency };
    out.push({ ...common, event_id: `bet-placed:${h.hold_id}`, event_type: 'table.bet.placed', occurred_at: h.created_at, payload: { hold_id: h.hold_id, amount_minor: h.amount } });
    if (h.state === 'posted' && h.resolved_at !== null) {
      const result = h.returned > h.amount ? 'win' : h.returned < h.amount ? 'lose' : 'push';
      out.push({ ...common, event_id: `bet-settled:${h.hold_id}`, event_type: 'table.bet.settled', occurred_at: h.resolved_at, payload: { hold_id: h.hold_id, amount_minor: h.amount, returned_minor: h.returned, result } });
    }
  }
  const deposits = c.db.all<{ deposit_id: string; provider: string; amount_minor: number; currency: Currency; updated_at: number }>`
    select deposit_id, provider, amount_minor, currency, updated_at from deposits where state = 'completed' order by updated_at desc limit ${n}`;
  for (const d of deposits) {
    out.push({ ...base, event_id: `deposit:${d.deposit_id}`, event_type: 'wallet.deposit.completed', occurred_at: d.updated_at, table_id: null, round_id: null, currency: d.currency, payload: { deposit_id: d.deposit_id, provider: d.provider, amount_minor: d.amount_minor } });
  }
  const sessions = c.db.all<{ session_id: string; created_at: number }>`select session_id, created_at from sessions order by created_at desc limit ${n}`;
  const first = c.db.first<{ session_id: string }>`select session_id from sessions order by created_at limit 1`;
  for (const s of sessions) {
    if (s.session_id === first?.session_id) continue; // the registration's session is not a login the object evaluates
    out.push({ ...base, event_id: `login:${s.session_id}`, event_type: 'player.login.succeeded', occurred_at: s.created_at, table_id: null, round_id: null, currency: null, payload: { session_id: s.session_id } });
  }
  return out.sort((a, b) => a.occurred_at - b.occurred_at).slice(-n);
}

function splitRef(ref: string): [string | null, string | null] {
  const i = ref.lastIndexOf(':');
  return i < 0 ? [ref, null] : [ref.slice(0, i), ref.slice(i + 1)];
}

export function runDryRun(events: readonly CasinoEvent[], ruleSet: RuleSet, ctx: PlayerRewardsContext, ruleIds: readonly string[] | undefined): DryRunAnswer {
  const r = dryRun(initialState(), events, ruleSet, ctx, { rule_ids: ruleIds, include_drafts: true });
  const byRule = new Map<string, { rule_id: string; rule_version: number; grants: number; suppressed: number }>();
  let grants = 0;
  let suppressed = 0;
  for (const o of r.fired) {
    if (o.type !== 'grant' && o.type !== 'suppressed') continue;
    const key = `${o.source.rule_id}@${o.source.rule_version}`;
    const entry = byRule.get(key) ?? { rule_id: o.source.rule_id, rule_version: o.source.rule_version, grants: 0, suppressed: 0 };
    if (o.type === 'grant') { entry.grants++; grants++; } else { entry.suppressed++; suppressed++; }
    byRule.set(key, entry);
  }
  return {
    events: events.length, from: events[0]?.occurred_at ?? null, to: events.at(-1)?.occurred_at ?? null, missing_facts: [...MISSING_FACTS],
    steps: r.steps.map((s) => ({ event_id: s.event_id, event_type: s.event_type, occurred_at: s.occurred_at, skipped: s.skipped, outcomes: s.outcomes.map(flat) })),
    fired: { grants, suppressed, by_rule: [...byRule.values()] },
  };
}

function flat(o: Outcome): DryRunOutcome {
  const none = { rule_id: null, rule_version: null, variant: null, kind: null, amount: null, value_minor: null, reason: null, detail: null };
  switch (o.type) {
    case 'grant': {
      const g = o.grant;
      return {
        ...none, type: o.type, rule_id: o.source.rule_id, rule_version: o.source.rule_version, variant: o.source.variant, kind: g.kind,
        amount: 'amount' in g ? g.amount : null, value_minor: 'value_minor' in g ? g.value_minor : null,
        detail: 'badge_id' in g ? g.badge_id : 'mission_id' in g ? g.mission_id : 'wheel_id' in g ? g.wheel_id : 'template' in g ? g.template : null,
      };
    }
    case 'suppressed': return { ...none, type: o.type, rule_id: o.source.rule_id, rule_version: o.source.rule_version, variant: o.source.variant, kind: o.action, reason: o.reason, detail: o.detail };
    case 'assignment': return { ...none, type: o.type, rule_id: o.rule_id, rule_version: o.rule_version, variant: o.variant };
    case 'level_up': return { ...none, type: o.type, detail: `${o.from_level ?? '-'} -> ${o.to_level} ${o.name}` };
    case 'mission_expired': return { ...none, type: o.type, detail: o.mission_id };
    case 'break_message': return { ...none, type: o.type, reason: o.reasons.join(','), detail: o.template };
  }
}
