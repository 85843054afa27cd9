import { describe, expect, it } from 'vitest';
import { validateEvent, type CasinoEvent } from '../events';
import { compileRuleSet, type CompiledRuleSet } from './compile';
import { evaluate, type PlayerRewardsContext } from './engine';
import { EXAMPLE_DEALER, EXAMPLE_RULE_SET } from './example-rule-set';
import type { Outcome } from './outcomes';
import { RuleSet } from './rule-schema';
import { initialState, SEEN_CHUNK, SEEN_EVENTS_MAX, type RewardsState } from './state';
import { betPlaced, betSettled, handSettled, login, playerContext, T0 } from './test-fixtures';

const compiled = compileRuleSet(RuleSet.parse(EXAMPLE_RULE_SET));
const MIN = 60_000;

/** Evaluates events in order and returns the final state and every outcome. */
function play(events: CasinoEvent[], ctx: PlayerRewardsContext = playerContext(), set: CompiledRuleSet = compiled, from: RewardsState = initialState()) {
  let state = from;
  const outcomes: Outcome[] = [];
  for (const e of events) {
    const r = evaluate(state, e, set, ctx);
    state = r.state;
    outcomes.push(...r.outcomes);
  }
  return { state, outcomes };
}
const grants = (os: Outcome[], rule?: string) => os.filter((o): o is Extract<Outcome, { type: 'grant' }> => o.type === 'grant' && (rule === undefined || o.source.rule_id === rule));

describe('rewards engine: the documents examples', () => {
  it('the fixtures are valid events of the contract', () => {
    for (const e of [betPlaced(T0), betSettled(T0, 'win'), handSettled(T0, { natural: true }), login(T0)]) expect(validateEvent(e)).toMatchObject({ ok: true });
  });

  it('first natural of the day: 10 XP and a shout-out once per UTC day, naming rule and version', () => {
    const day2 = Date.UTC(2026, 11, 4, 0, 0, 1);
    const { outcomes, state } = play([handSettled(T0), handSettled(T0 + 1, { natural: true }), handSettled(T0 + 2, { natural: true }), handSettled(day2, { natural: true })]);
    const fired = grants(outcomes, 'first-natural-of-the-day');
    expect(fired.map((g) => g.grant.kind)).toEqual(['xp', 'shout_out', 'xp', 'shout_out']);
    expect(fired[0]).toMatchObject({ source: { rule_id: 'first-natural-of-the-day', rule_version: 1 }, grant: { kind: 'xp', amount: 10 } });
    expect(fired[1]).toMatchObject({ grant: { kind: 'shout_out', table_id: 'blackjack-1' } });
    expect(state.xp).toBe(20);
  });

  it('banker bet three times today: 50 points on the third, not the fourth', () => {
    const { outcomes } = play([betPlaced(T0), betPlaced(T0 + 1, { bet_type: 'player' }), betPlaced(T0 + 2), betPlaced(T0 + 3), betPlaced(T0 + 4)]);
    const fired = grants(outcomes, 'banker-three-times-today');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ grant: { kind: 'points', amount: 50 }, source: { rule_version: 2 } });
  });

  it('losing streak >= 5: a care message, reset by a win, cooled down for 30 minutes', () => {
    const losses = (from: number, n: number) => Array.from({ length: n }, (_, i) => betSettled(from + i, 'lose'));
    const { outcomes } = play([...losses(T0, 4), betSettled(T0 + 10, 'win'), ...losses(T0 + 20, 6), ...losses(T0 + 31 * MIN, 1)]);
    const messages = grants(outcomes, 'losing-streak-break');
    expect(messages.map((m) => m.grant.kind)).toEqual(['message', 'message']); // at the 5th loss, then after the cooldown
    expect(outcomes.filter((o) => o.type === 'suppressed' && o.source.rule_id === 'losing-streak-break').map((o) => o.type === 'suppressed' && o.reason)).toEqual(['cooldown']);
  });

  it('first hand at a new game: once per game id, ever', () => {
    const { outcomes } = play([betPlaced(T0), betPlaced(T0 + 1), betPlaced(T0 + 2, { game: 'roulette', bet_type: 'red' }), betPlaced(T0 + 3 + 86_400_000)]);
    expect(grants(outcomes, 'first-hand-new-game').filter((g) => g.grant.kind === 'xp')).toHaveLength(2);
  });

  it('10 rounds at a table with dealer X: shout-out and a budgeted free bet at the 10th round with that dealer', () => {
    const withAnna = playerContext({ event: { session_id: 'sess-1', device: 'desktop', dealer_id: EXAMPLE_DEALER } });
    const rounds = Array.from({ length: 12 }, (_, i) => betSettled(T0 + i * MIN, 'push', { round: `round-${i}` }));
    const other = play(rounds);
    expect(grants(other.outcomes, 'ten-rounds-with-anna')).toHaveLength(0);
    const { outcomes, state } = play(rounds, withAnna);
    const fired = grants(outcomes, 'ten-rounds-with-anna');
    expect(fired.map((g) => g.grant.kind)).toEqual(['shout_out', 'free_bet']);
    expect(fired[1]).toMatchObject({ cost_minor: 200, budget_key: 'ten-rounds-with-anna', grant: { value_minor: 200, currency: 'EUR' } });
    expect(state.daily.cash_minor).toBe(200);
    // An empty budget: the free bet is suppressed with its reason, the shout-out still goes out.
    const broke = play(rounds, { ...withAnna, budget_remaining_minor: { 'ten-rounds-with-anna': 199 } });
    expect(grants(broke.outcomes, 'ten-rounds-with-anna').map((g) => g.grant.kind)).toEqual(['shout_out']);
    expect(broke.outcomes).toContainEqual(expect.objectContaining({ type: 'suppressed', reason: 'budget_exhausted', action: 'free_bet' }));
  });

  it('a multi-step mission: steps in order, then points and a badge once; progress for a later step waits', () => {
    const events = [
      betSettled(T0, 'win'), // step 2 progress before step 1 is done: ignored
      betPlaced(T0 + 1), betPlaced(T0 + 2), betPlaced(T0 + 3),
      betSettled(T0 + 4, 'win'), betSettled(T0 + 5, 'lose'), betSettled(T0 + 6, 'win'),
      handSettled(T0 + 7), handSettled(T0 + 8),
    ];
    const { outcomes, state } = play(events);
    const steps = grants(outcomes).filter((g) => g.grant.kind === 'mission_progress').map((g) => g.grant.kind === 'mission_progress' && `${g.grant.step_id}:${g.grant.progress}`);
    expect(steps).toEqual(['banker-bets:1', 'banker-bets:2', 'banker-bets:3', 'baccarat-wins:1', 'baccarat-wins:2', 'blackjack-hand:1']);
    const done = grants(outcomes).filter((g) => g.source.via === 'mission:baccarat-explorer');
    expect(done.map((g) => g.grant.kind)).toEqual(['mission_completed', 'points', 'badge']);
    expect(done[0]?.source).toMatchObject({ rule_id: 'baccarat-explorer-blackjack', rule_version: 1 });
    expect(state.badges).toContain('table-explorer');
    expect(state.missions['baccarat-explorer']).toMatchObject({ completions: 1 });
  });

  it('a mission expires a week after its first progress and starts again', () => {
    const { outcomes, state } = play([betPlaced(T0), betPlaced(T0 + 8 * 86_400_000)]);
    expect(outcomes).toContainEqual(expect.objectContaining({ type: 'mission_expired', mission_id: 'baccarat-explorer', progress: 1 }));
    expect(state.missions['baccarat-explorer']).toMatchObject({ step: 0, progress: 1 });
  });

  it('a level ladder: XP promotes through each level passed, with the level reward once', () => {
    const naturals = Array.from({ length: 105 }, (_, d) => handSettled(T0 + d * 86_400_000, { natural: true }));
    const { outcomes, state } = play(naturals);
    const ups = outcomes.filter((o) => o.type === 'level_up');
    expect(ups.map((u) => u.type === 'level_up' && u.to_level)).toEqual([1, 2, 3]);
    expect(state.level).toBe(3);
    expect(grants(outcomes).filter((g) => g.source.via === 'level:3').map((g) => g.grant)).toEqual([{ kind: 'badge', badge_id: 'gold-member' }]);
  });

  it('a wheel spin on the first login of the day, its largest cash prize charged to the budget', () => {
    const { outcomes } = play([login(T0), login(T0 + 1)]);
    const spins = grants(outcomes, 'daily-login-spin');
    expect(spins).toHaveLength(1);
    expect(spins[0]).toMatchObject({ grant: { kind: 'wheel_spin', wheel_id: 'daily' }, cost_minor: 100 });
  });
});

describe('rewards engine: safety', () => {
  it('a player at risk gets no promotion: each suppression with its reason and one break message per interval', () => {
    const risky = playerContext({ risk: { rapid_losses: true } });
    const { outcomes } = play([betPlaced(T0), betPlaced(T0 + 1), betPlaced(T0 + 2), handSettled(T0 + 3 * MIN, { natural: true })], risky);
    expect(grants(outcomes)).toEqual([]);
    expect(outcomes.filter((o) => o.type === 'break_message')).toHaveLength(1);
    const reasons = new Set(outcomes.filter((o) => o.type === 'suppressed').map((o) => o.type === 'suppressed' && `${o.reason}:${o.detail}`));
    expect(reasons).toEqual(new Set(['player_at_risk:rapid_losses']));
  });

  it('the rg_risk segment counts as at risk, and care rules still reach the player', () => {
    const ctx = playerContext({ segments: ['rg_risk'] });
    const { outcomes } = play(Array.from({ length: 5 }, (_, i) => betSettled(T0 + i, 'lose')), ctx);
    expect(grants(outcomes).map((g) => `${g.source.rule_id}:${g.grant.kind}`)).toEqual(['losing-streak-break:message']);
  });

  it.each(['self_excluded', 'cooling_off'] as const)('%s: nothing at all, state unchanged', (exclusion) => {
    const state = initialState();
    const r = evaluate(state, handSettled(T0, { natural: true }), compiled, playerContext({ exclusion }));
    expect(r).toEqual({ state, outcomes: [], skipped: exclusion });
  });

  it('daily caps: points stop at the cap (the last grant cut), cash-like value never passes it', () => {
    const tight = compileRuleSet(RuleSet.parse({ ...EXAMPLE_RULE_SET, caps: { points_per_day: 60, cash_minor_per_day: { EUR: 150 } } }));
    const { outcomes, state } = play([betPlaced(T0), betPlaced(T0 + 1), betPlaced(T0 + 2)], playerContext(), tight);
    expect(grants(outcomes).filter((g) => g.grant.kind === 'points').map((g) => g.grant)).toEqual([
      { kind: 'points', amount: 20, requested: 20 }, { kind: 'points', amount: 40, requested: 50 },
    ]);
    expect(state.daily.points).toBe(60);
    const spin = play([login(T0)], playerContext(), compileRuleSet(RuleSet.parse({ ...EXAMPLE_RULE_SET, caps: { points_per_day: 100, cash_minor_per_day: { EUR: 99 } } })));
    expect(spin.outcomes).toContainEqual(expect.objectContaining({ type: 'suppressed', reason: 'daily_cash_cap', action: 'wheel_spin' }));
  });

  it('a late event from yesterday does not reopen today\'s caps', () => {
    const tight = compileRuleSet(RuleSet.parse({ ...EXAMPLE_RULE_SET, caps: { points_per_day: 70, cash_minor_per_day: { EUR: 0 } } }));
    const midnight = Date.UTC(2026, 11, 4);
    const today = (i: number, o = {}) => betPlaced(midnight + 1_000 + i, o);
    const { outcomes, state } = play([
      today(0), today(1), today(2), // 20 (new game) + 50 (banker x3) = the cap
      betPlaced(midnight - 5_000, { game_id: 'late-game' }), // yesterday's, arriving late: a new game
      today(3, { game_id: 'another-game' }), today(4, { game_id: 'third-game' }),
    ], playerContext(), tight);
    expect(grants(outcomes).filter((g) => g.grant.kind === 'points').reduce((s, g) => s + (g.grant.kind === 'points' ? g.grant.amount : 0), 0)).toBe(70);
    expect(state.daily.points).toBe(70);
    expect(state.day).toBe('2026-12-04');
  });

  it('a currency the rule does not price is a suppression, never a conversion', () => {
    const withAnna = playerContext({ currency: 'JPY', event: { session_id: 's', device: null, dealer_id: EXAMPLE_DEALER } });
    const { outcomes } = play(Array.from({ length: 10 }, (_, i) => betSettled(T0 + i, 'push', { round: `x${i}` })), withAnna);
    expect(outcomes).toContainEqual(expect.objectContaining({ type: 'suppressed', reason: 'no_value_in_currency', detail: 'JPY' }));
  });

  it('an event in another currency than the player\'s earns no cash-like reward: its amounts are not in the currency the reward is paid in (review 2)', () => {
    const withAnna = playerContext({ event: { session_id: 's', device: null, dealer_id: EXAMPLE_DEALER } });
    const inBtc = (i: number) => ({ ...betSettled(T0 + i, 'push', { round: `b${i}` }), currency: 'BTC' as const });
    const { outcomes } = play(Array.from({ length: 10 }, (_, i) => inBtc(i)), withAnna);
    expect(grants(outcomes).filter((g) => g.grant.kind === 'free_bet')).toEqual([]);
    expect(outcomes).toContainEqual(expect.objectContaining({ type: 'suppressed', reason: 'no_value_in_currency', action: 'free_bet', detail: 'BTC' }));
    // the same rounds in the player's currency earn it
    const own = play(Array.from({ length: 10 }, (_, i) => betSettled(T0 + i, 'push', { round: `e${i}` })), withAnna);
    expect(grants(own.outcomes).filter((g) => g.grant.kind === 'free_bet')).toHaveLength(1);
    // a wheel with a cash-like prize is not spun for an event in another currency; a login has none
    const spin = play([{ ...login(T0), currency: 'BTC' as const }]);
    expect(grants(spin.outcomes).filter((g) => g.grant.kind === 'wheel_spin')).toEqual([]);
    expect(grants(play([login(T0)]).outcomes).filter((g) => g.grant.kind === 'wheel_spin')).toHaveLength(1);
  });
});

describe('rewards engine: idempotency and A/B', () => {
  it('the same event id twice: the second evaluation grants nothing and changes nothing', () => {
    const e = handSettled(T0, { natural: true });
    const first = evaluate(initialState(), e, compiled, playerContext());
    expect(grants(first.outcomes).length).toBeGreaterThan(0);
    const again = evaluate(first.state, e, compiled, playerContext());
    expect(again).toEqual({ state: first.state, outcomes: [], skipped: 'duplicate' });
  });

  it('past the remembered ids, an event at or before the low-water mark is refused unseen', () => {
    const first = handSettled(T0, { natural: true });
    const fillers = Array.from({ length: SEEN_EVENTS_MAX + SEEN_CHUNK - 1 }, (_, i) => betPlaced(T0 + 1 + i, { bet_type: 'player' }));
    const { state } = play([first, ...fillers]);
    expect(state.seen.chunks.length * SEEN_CHUNK + state.seen.recent.length).toBe(SEEN_EVENTS_MAX);
    expect(state.seen.low_water_ms).toBe(T0 + SEEN_CHUNK - 1); // the first chunk, forgotten
    // a filler still remembered is a duplicate; the first event is beyond the horizon
    expect(evaluate(state, fillers.at(-1)!, compiled, playerContext())).toMatchObject({ skipped: 'duplicate' });
    expect(evaluate(state, first, compiled, playerContext())).toMatchObject({ outcomes: [], skipped: 'beyond_horizon' });
  });

  it('A/B: the assignment is an outcome once, then sticky; holdout is a suppression', () => {
    const bets = (n: number, from: number) => Array.from({ length: n }, (_, i) => betPlaced(from + i * 61 * MIN, { bet_type: 'player', table: 'baccarat-7' }));
    const ctx = playerContext({ segments: ['high_roller'] });
    let seenAssignment = 0;
    let variant: string | null = null;
    // every 20th bet at the table triggers: 60 bets, 3 triggers, pacing 5 min for high rollers
    const { outcomes } = play(bets(60, T0).map((e, i) => ({ ...e, occurred_at: T0 + i * 10 * MIN })), ctx);
    for (const o of outcomes) {
      if (o.type === 'assignment' && o.rule_id === 'next-bet-double-points') { seenAssignment++; variant = o.variant; }
    }
    expect(seenAssignment).toBe(1);
    const fired = outcomes.filter((o) => (o.type === 'grant' || o.type === 'suppressed') && o.source.rule_id === 'next-bet-double-points');
    expect(fired.length).toBeGreaterThanOrEqual(3);
    for (const o of fired) if (o.type === 'grant' || o.type === 'suppressed') expect(o.source.variant).toBe(variant);
    if (variant === 'holdout') expect(fired.every((o) => o.type === 'suppressed' && o.reason === 'holdout')).toBe(true);
  });

  it('pacing by segment: the default pace allows one offer an hour and three a day; high rollers every 5 minutes', () => {
    const bets = Array.from({ length: 200 }, (_, i) => betPlaced(T0 + i * MIN, { bet_type: 'player', table: 'baccarat-9' }));
    const reached = (ctx: PlayerRewardsContext) => {
      let state = initialState();
      let n = 0;
      for (const e of bets) {
        const r = evaluate(state, e, compiled, ctx);
        state = r.state;
        // reached: the rule fired (granted, or held out) rather than being paced
        if (r.outcomes.some((o) => (o.type === 'grant' || (o.type === 'suppressed' && o.reason === 'holdout')) && o.source.rule_id === 'next-bet-double-points')) n++;
      }
      return n;
    };
    // triggers at the 20th, 40th, ... 200th bet: every 20 minutes, 10 times
    expect(reached(playerContext())).toBe(3);
    expect(reached(playerContext({ segments: ['high_roller'] }))).toBe(10);
    expect(reached(playerContext({ segments: ['cautious'] }))).toBe(0); // excluded from the rule
  });
});

describe('rewards engine: bounded state', () => {
  it("counters a retired rule set declared are dropped once the record outgrows the set; the declared ones go on counting", () => {
    const withCounters = (ids: string[]) => compileRuleSet(RuleSet.parse({
      id: 'counters', version: 1, rules: [], caps: { points_per_day: 1_000, cash_minor_per_day: {} },
      counters: ids.map((id) => ({ id, kind: 'count', on: ['table.bet.settled'], window: 'lifetime' })),
    }));
    const old = play([betSettled(T0, 'win'), betSettled(T0 + 1, 'lose')], playerContext(), withCounters(['a', 'b', 'c'])).state;
    expect(Object.keys(old.counters).sort()).toEqual(['a', 'b', 'c']);
    // a new set declares one of them and a new one: the two retired ones go, 'a' keeps its count
    const next = play([betSettled(T0 + 2, 'win')], playerContext(), withCounters(['a', 'd']), old).state;
    expect(Object.keys(next.counters).sort()).toEqual(['a', 'd']);
    expect(next.counters.a).toMatchObject({ groups: { '': { v: 3 } } });
    expect(next.counters.d).toMatchObject({ groups: { '': { v: 1 } } });
  });
});
