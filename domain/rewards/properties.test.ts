/**
 * Properties of the engine under arbitrary sequences of events (fast-check): duplicates and replays
 * never grant twice, caps and budgets hold, suppressed players receive nothing promotional.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CasinoEvent } from '../events';
import { compileRuleSet } from './compile';
import { evaluate, type PlayerRewardsContext } from './engine';
import { EXAMPLE_DEALER, EXAMPLE_RULE_SET } from './example-rule-set';
import type { Outcome } from './outcomes';
import { RuleSet } from './rule-schema';
import { initialState } from './state';
import { betPlaced, betSettled, handSettled, login, playerContext, T0, ValueRows } from './test-fixtures';

const set = RuleSet.parse({ ...EXAMPLE_RULE_SET, caps: { points_per_day: 120, xp_per_day: 40, cash_minor_per_day: { EUR: 500 } } });
const compiled = compileRuleSet(set);
const careRules = new Set(set.rules.filter((r) => r.purpose === 'care').map((r) => r.id));
const MIN = 60_000;

/** An event generator: table bets, settlements, blackjack hands and logins over a few days. */
const anEvent = fc.record({
  kind: fc.constantFrom('placed', 'settled', 'hand', 'login'),
  minute: fc.integer({ min: 0, max: 4 * 24 * 60 }),
  bet: fc.constantFrom('banker', 'player', 'tie'),
  result: fc.constantFrom('win', 'lose', 'push') as fc.Arbitrary<'win' | 'lose' | 'push'>,
  natural: fc.boolean(),
  round: fc.integer({ min: 0, max: 30 }),
  game: fc.constantFrom('baccarat-live', 'speed-baccarat', 'lightning'),
}).map((g): CasinoEvent => {
  const at = T0 + g.minute * MIN;
  if (g.kind === 'placed') return betPlaced(at, { bet_type: g.bet, game_id: g.game, table: 'baccarat-1' });
  if (g.kind === 'settled') return betSettled(at, g.result, { round: `r${g.round}` });
  if (g.kind === 'hand') return handSettled(at, { natural: g.natural });
  return login(at);
});
/** Events nearly in time order (as a player's object sees them), with some delivered twice or more. */
const aStream = fc.array(anEvent, { minLength: 1, maxLength: 120 }).chain((events) => {
  const sorted = [...events].sort((a, b) => a.occurred_at - b.occurred_at);
  return fc.array(fc.nat({ max: sorted.length - 1 }), { maxLength: 40 }).map((dups) => {
    // a few neighbours swapped: events can reach the player's object slightly out of order
    for (let i = 1; i < sorted.length; i += 7) { const a = sorted[i - 1]; const b = sorted[i]; if (a && b) { sorted[i - 1] = b; sorted[i] = a; } }
    const out = [...sorted];
    for (const d of dups) { const e = sorted[d]; if (e) out.splice(Math.min(out.length, d + 1 + (d % 5)), 0, e); }
    return out;
  });
});
const aContext = fc.record({
  dealer: fc.boolean(), risky: fc.boolean(), segment: fc.constantFrom<string[]>([], ['high_roller'], ['rg_risk'], ['cautious']),
  budget: fc.integer({ min: 0, max: 2_000 }), spin: fc.integer({ min: 0, max: 1_000 }),
}).map((c): PlayerRewardsContext => playerContext({
  segments: c.segment, risk: { rapid_losses: c.risky },
  event: { session_id: 's', device: 'mobile', dealer_id: c.dealer ? EXAMPLE_DEALER : null },
  budget_remaining_minor: { 'ten-rounds-with-anna': c.budget, 'daily-login-spin': c.spin },
}));

/** `rows`: distinct counters' values kept outside the state, as the player's object keeps them. */
function runAll(events: CasinoEvent[], ctx: PlayerRewardsContext, rows?: ValueRows) {
  let state = initialState();
  const budgets = { ...ctx.budget_remaining_minor };
  const perEvent: { event: CasinoEvent; outcomes: Outcome[] }[] = [];
  for (const event of events) {
    const r = evaluate(state, event, compiled, { ...ctx, budget_remaining_minor: budgets }, rows);
    rows?.moveOn(state.counters, r.state.counters);
    state = r.state;
    for (const o of r.outcomes) if (o.type === 'grant' && o.budget_key) budgets[o.budget_key] = (budgets[o.budget_key] ?? 0) - o.cost_minor;
    perEvent.push({ event, outcomes: r.outcomes });
  }
  return { state, perEvent, budgets };
}

describe('rewards engine properties', () => {
  it('a duplicated or replayed event never grants twice: grant ids are unique, and a stream with duplicates grants exactly what it grants without them', () => {
    fc.assert(fc.property(aStream, aContext, (events, ctx) => {
      const withDups = runAll(events, ctx);
      const ids = withDups.perEvent.flatMap((p) => p.outcomes).filter((o) => o.type === 'grant').map((o) => o.type === 'grant' && o.grant_id);
      expect(new Set(ids).size).toBe(ids.length);
      const unique = events.filter((e, i) => events.findIndex((x) => x.event_id === e.event_id) === i);
      const clean = runAll(unique, ctx);
      expect(withDups.perEvent.flatMap((p) => p.outcomes)).toEqual(clean.perEvent.flatMap((p) => p.outcomes));
      expect(withDups.state).toEqual(clean.state);
      // and replaying the whole stream on the final state grants nothing
      let state = withDups.state;
      for (const e of events) { const r = evaluate(state, e, compiled, ctx); expect(r.outcomes).toEqual([]); state = r.state; }
    }), { numRuns: 150 });
  });

  it("distinct counters' values kept outside the state decide exactly as inline: the same outcomes, duplicates and replays counted once, and the store holds the current period's values only, as many as the state counts", () => {
    fc.assert(fc.property(aStream, aContext, (events, ctx) => {
      const inline = runAll(events, ctx);
      const rows = new ValueRows();
      const outside = runAll(events, ctx, rows);
      expect(outside.perEvent).toEqual(inline.perEvent);
      const counts: Record<string, number> = {};
      for (const [id, c] of Object.entries(outside.state.counters)) {
        expect(c.seen).toBeUndefined();
        const inlineSeen = inline.state.counters[id]?.seen;
        if (inlineSeen !== undefined) expect(c.n ?? 0).toBe(inlineSeen.length);
        if (c.n) counts[`${id} ${c.period}`] = c.n;
      }
      expect(rows.sizes()).toEqual(counts);
      // replaying the whole stream on the final state counts nothing and grants nothing
      let state = outside.state;
      for (const e of events) { const r = evaluate(state, e, compiled, ctx, rows); expect(r.outcomes).toEqual([]); state = r.state; }
      expect(state).toEqual(outside.state);
      expect(rows.sizes()).toEqual(counts);
    }), { numRuns: 150 });
  });

  it('daily caps on points, XP and cash-like value, and every budget, hold under any sequence', () => {
    fc.assert(fc.property(aStream, aContext, (events, ctx) => {
      const { perEvent, budgets } = runAll(events, ctx);
      const byDay = new Map<string, { points: number; xp: number; cash: number }>();
      let day = '';
      for (const { event, outcomes } of perEvent) {
        // the engine's day: a late event counts towards the latest day seen
        const own = new Date(event.occurred_at).toISOString().slice(0, 10);
        if (own > day) day = own;
        const t = byDay.get(day) ?? { points: 0, xp: 0, cash: 0 };
        for (const o of outcomes) {
          if (o.type !== 'grant') continue;
          if (o.grant.kind === 'points') t.points += o.grant.amount;
          if (o.grant.kind === 'xp') t.xp += o.grant.amount;
          t.cash += o.cost_minor;
          // a spin may give its largest points or XP prize (the daily wheel: 25 points, 50 XP): both count against the day's caps
          if (o.grant.kind === 'wheel_spin') { t.points += 25; t.xp += 50; }
        }
        byDay.set(day, t);
      }
      for (const t of byDay.values()) {
        expect(t.points).toBeLessThanOrEqual(set.caps.points_per_day);
        expect(t.xp).toBeLessThanOrEqual(set.caps.xp_per_day ?? Infinity);
        expect(t.cash).toBeLessThanOrEqual(set.caps.cash_minor_per_day.EUR ?? 0);
      }
      for (const remaining of Object.values(budgets)) expect(remaining).toBeGreaterThanOrEqual(0);
    }), { numRuns: 150 });
  });

  it('a player at risk receives nothing promotional: only care messages and break messages, every suppression with its reason', () => {
    fc.assert(fc.property(aStream, aContext, fc.constantFrom<PlayerRewardsContext['risk']>({ rapid_losses: true }, { limit_hit: true }, { cool_off_ended_recently: true }), (events, ctx, risk) => {
      for (const { outcomes } of runAll(events, { ...ctx, risk }).perEvent) {
        for (const o of outcomes) {
          expect(['grant', 'suppressed', 'break_message']).toContain(o.type);
          if (o.type === 'grant') { expect(o.grant.kind).toBe('message'); expect(careRules.has(o.source.rule_id)).toBe(true); }
          if (o.type === 'suppressed') expect(o.reason === 'player_at_risk' || careRules.has(o.source.rule_id)).toBe(true);
        }
      }
    }), { numRuns: 100 });
  });

  it('A/B assignments are sticky: one assignment outcome per rule and player, every later outcome in that variant', () => {
    fc.assert(fc.property(aStream, aContext, fc.uuid(), (events, ctx, playerId) => {
      const { perEvent } = runAll(events, { ...ctx, player_id: playerId, risk: {}, segments: ['high_roller'] });
      const outcomes = perEvent.flatMap((p) => p.outcomes);
      const assigned = outcomes.filter((o) => o.type === 'assignment');
      expect(new Set(assigned.map((o) => o.type === 'assignment' && o.rule_id)).size).toBe(assigned.length);
      for (const a of assigned) {
        if (a.type !== 'assignment') continue;
        const variants = new Set(outcomes.filter((o) => (o.type === 'grant' || o.type === 'suppressed') && o.source.rule_id === a.rule_id).map((o) => (o.type === 'grant' || o.type === 'suppressed') && o.source.variant));
        expect([...variants]).toEqual([a.variant]);
      }
    }), { numRuns: 100 });
  });

  it('self-excluded and cooling-off players receive nothing at all, and their state does not move', () => {
    fc.assert(fc.property(aStream, fc.constantFrom('self_excluded', 'cooling_off') as fc.Arbitrary<'self_excluded' | 'cooling_off'>, (events, exclusion) => {
      const { perEvent, state } = runAll(events, playerContext({ exclusion }));
      expect(perEvent.flatMap((p) => p.outcomes)).toEqual([]);
      expect(state).toEqual(initialState());
    }), { numRuns: 50 });
  });
});
