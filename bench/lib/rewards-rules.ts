/**
 * The rule set issue 17's two rule-cost benchmarks measure, written once so they measure the same
 * thing: bench/rewards-engine.ts (the pure engine, in Node) and bench/edge/rewards-worker.ts (the
 * whole settlement in a Durable Object, bundled for workerd). 100 active rules of the usual shapes
 * (fact filters, counter thresholds, streaks, every-n, A/B with holdout, caps and pacing) over 10
 * counters, most of whose conditions do not hold for a given settlement.
 *
 * Plain data, no imports: nothing Node-only, so wrangler can bundle it into the bench worker.
 * Callers give it to RuleSet.parse (domain/rewards), which checks it.
 */

/** The 10 counters the rules read, all counting events of type `on`. */
export function benchCounters(on: string) {
  return [
    { id: 'losses_streak', kind: 'streak', on: [on], window: 'session', counts: [{ fact: 'result', eq: 'lose' }], resets: [{ fact: 'result', eq: 'win' }] },
    { id: 'wins_streak', kind: 'streak', on: [on], window: 'session', counts: [{ fact: 'result', eq: 'win' }], resets: [{ fact: 'result', eq: 'lose' }] },
    { id: 'settled_today', kind: 'count', on: [on], window: 'today' },
    { id: 'wins_today', kind: 'count', on: [on], window: 'today', where: [{ fact: 'result', eq: 'win' }] },
    { id: 'banker_today', kind: 'count', on: [on], window: 'today', where: [{ fact: 'bet_type', eq: 'banker' }] },
    { id: 'staked_30m', kind: 'count', on: [on], window: { rolling_minutes: 30 }, sum: 'stake_minor' },
    { id: 'returned_today', kind: 'count', on: [on], window: 'today', sum: 'returned_minor' },
    { id: 'per_table_today', kind: 'count', on: [on], window: 'today', group_by: ['table_id'] },
    { id: 'rounds_today', kind: 'distinct', on: [on], window: 'today', of: 'round_id' },
    { id: 'settled_session', kind: 'count', on: [on], window: 'session' },
  ];
}

/**
 * 100 active rules on events of type `on`. `allHold` (the engine bench's worst case) makes every
 * condition true for a baccarat settlement and drops the A/B rules, so each rule grants points
 * until the daily cap, then is suppressed: 100 outcomes per event.
 */
export function benchRules(on: string, allHold = false) {
  return Array.from({ length: 100 }, (_, i) => {
    const base = { id: `rule-${i}`, version: 1, status: 'active', name: `Rule ${i}`, on };
    const k = i % 5;
    const when = allHold ? [{ fact: 'game', eq: 'baccarat' }, { counter: 'settled_today', gte: 1 }]
      : k === 0 ? [{ fact: 'bet_type', eq: 'tie' }, { counter: 'settled_today', gte: 3 }]
        : k === 1 ? [{ counter: 'losses_streak', gte: 5 + (i % 7) }]
          : k === 2 ? [{ counter: 'per_table_today', every: 25 + i }]
            : k === 3 ? [{ fact: 'stake_minor', gte: 10_000 }, { counter: 'staked_30m', gte: 100_000 }]
              : [{ fact: 'result', eq: 'win' }, { counter: 'wins_today', eq: 10 + i }];
    const actions = [{ type: 'points', amount: 5 }, { type: 'xp', amount: 3 }];
    if (!allHold && i % 10 === 9) {
      return { ...base, when, holdout_bp: 1_000, pacing: [{ segment: null, min_interval_minutes: 10 }], variants: [{ id: 'a', weight_bp: 4_500, actions }, { id: 'b', weight_bp: 4_500, actions: [{ type: 'message', template: 'hi' }] }] };
    }
    return { ...base, when, actions, caps: { per_day: 50 } };
  });
}

/** The rule set to give RuleSet.parse: the counters, the 100 rules and the caps both benchmarks use. */
export function benchRuleSet(id: string, on: string, allHold = false) {
  return {
    id, version: 1, counters: benchCounters(on), rules: benchRules(on, allHold),
    caps: { points_per_day: 1_000, cash_minor_per_day: { EUR: 10_000 } },
  };
}
