import { describe, expect, it } from 'vitest';
import { EXAMPLE_RULE_SET } from './example-rule-set';
import { parseRuleSet } from './rule-schema';

const rule = EXAMPLE_RULE_SET.rules[0];
const withRules = (rules: unknown[]) => ({ ...EXAMPLE_RULE_SET, rules });
const issuesOf = (input: unknown) => {
  const r = parseRuleSet(input);
  if (r.ok) throw new Error('expected issues');
  return r.issues;
};

describe('rule set schema', () => {
  it('accepts the example rule set and fills the defaults', () => {
    const r = parseRuleSet(EXAMPLE_RULE_SET);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.ruleSet.rules[0]).toMatchObject({ purpose: 'promotional', holdout_bp: 0, caps: {}, pacing: [], segments: { include: [], exclude: [] } });
  });

  it('names the path of each error', () => {
    expect(issuesOf(withRules([{ ...rule, on: 'table.bet.exploded' }]))).toContainEqual(expect.objectContaining({ path: 'rules.0.on' }));
    expect(issuesOf(withRules([{ ...rule, when: [{ counter: 'nope', gte: 1 }] }]))).toContainEqual({ path: 'rules.0.when.0.counter', message: "no counter 'nope' in this rule set" });
    expect(issuesOf(withRules([{ ...rule, actions: [{ type: 'points', amount: -5 }] }]))).toContainEqual(expect.objectContaining({ path: 'rules.0.actions.0.amount' }));
    expect(issuesOf(withRules([rule, rule]))).toContainEqual({ path: 'rules.1.id', message: "duplicate id 'first-natural-of-the-day'" });
  });

  it('refuses what would make a rule unsafe or ambiguous', () => {
    const cash = { type: 'free_bet', value_minor: { EUR: 100 } };
    expect(issuesOf(withRules([{ ...rule, actions: [cash] }]))).toContainEqual({ path: 'rules.0.budget_minor', message: 'a rule with cash-like rewards needs a budget' });
    expect(issuesOf(withRules([{ ...rule, purpose: 'care', actions: [{ type: 'points', amount: 1 }] }]))).toContainEqual({ path: 'rules.0.actions.0.type', message: 'a care rule may only send messages' });
    expect(issuesOf(withRules([{ ...rule, actions: undefined, variants: [{ id: 'a', weight_bp: 5_000, actions: [{ type: 'xp', amount: 1 }] }] }]))).toContainEqual({ path: 'rules.0.variants', message: 'variant weights (5000) + holdout_bp (0) must be 10000' });
    expect(issuesOf(withRules([{ ...rule, variants: [{ id: 'a', weight_bp: 10_000, actions: [{ type: 'xp', amount: 1 }] }] }]))).toContainEqual({ path: 'rules.0', message: 'give either actions or variants' });
    // a counter the rule's event does not update would be read stale
    expect(issuesOf(withRules([{ ...rule, on: 'table.bet.placed' }]))).toContainEqual(expect.objectContaining({ path: 'rules.0.when.1.counter' }));
    expect(issuesOf(withRules([{ ...rule, actions: [{ type: 'mission_progress', mission_id: 'baccarat-explorer', step_id: 'nope' }] }]))).toContainEqual(expect.objectContaining({ path: 'rules.0.actions.0.step_id' }));
    expect(issuesOf({ ...EXAMPLE_RULE_SET, levels: [{ level: 1, name: 'a', tier: 'a', min_xp: 0 }, { level: 2, name: 'b', tier: 'b', min_xp: 0 }] })).toContainEqual({ path: 'levels.1', message: 'levels go up in level and min_xp' });
    expect(issuesOf({ ...EXAMPLE_RULE_SET, extra: 1 })).toContainEqual(expect.objectContaining({ path: '' }));
  });

  it('refuses cash-like rewards on placement events (a stake given back keeps what its placement granted)', () => {
    const budget = { EUR: 10_000 };
    const message = (on: string) => `a cash-like reward (free_bet, cashback, a wheel or mission with cash-like prizes) cannot be granted on '${on}': a stake given back keeps what its placement granted; grant it on the settlement`;
    const onPlaced = { ...rule, on: 'table.bet.placed', when: [], budget_minor: budget };
    for (const cash of [{ type: 'free_bet', value_minor: { EUR: 100 } }, { type: 'cashback', value_minor: { EUR: 100 } }, { type: 'wheel_spin', wheel_id: 'daily' }]) {
      expect(issuesOf(withRules([{ ...onPlaced, actions: [{ type: 'xp', amount: 1 }, cash] }]))).toContainEqual({ path: 'rules.0.actions.1.type', message: message('table.bet.placed') });
      expect(issuesOf(withRules([{ ...onPlaced, on: 'provider.bet.debited', actions: [cash] }]))).toContainEqual({ path: 'rules.0.actions.0.type', message: message('provider.bet.debited') });
      // in a variant too
      expect(issuesOf(withRules([{ ...onPlaced, actions: undefined, variants: [{ id: 'a', weight_bp: 10_000, actions: [cash] }] }]))).toContainEqual({ path: 'rules.0.variants.0.actions.0.type', message: message('table.bet.placed') });
      // the same reward on the settlement is fine
      expect(parseRuleSet(withRules([{ ...onPlaced, on: 'table.bet.settled', actions: [cash] }])).ok).toBe(true);
    }
    // a wheel without cash-like prizes, and points, are fine on a placement
    const plainWheels = EXAMPLE_RULE_SET.wheels.map((w) => ({ ...w, prizes: w.prizes.filter((p) => p.id !== 'free-bet-1') }));
    expect(parseRuleSet({ ...withRules([{ ...onPlaced, actions: [{ type: 'wheel_spin', wheel_id: 'daily' }, { type: 'points', amount: 1 }] }]), wheels: plainWheels }).ok).toBe(true);
    // progress towards a mission that pays something cash-like is refused as well
    const cashMissions = EXAMPLE_RULE_SET.missions.map((m) => ({ ...m, reward: [{ type: 'cashback', value_minor: { EUR: 100 } }] }));
    const mission = EXAMPLE_RULE_SET.missions[0]!;
    expect(issuesOf({ ...withRules([{ ...onPlaced, actions: [{ type: 'mission_progress', mission_id: mission.id }] }]), missions: cashMissions })).toContainEqual({ path: 'rules.0.actions.0.type', message: message('table.bet.placed') });
  });

  it('bounds a rule set: at most 500 rules', () => {
    const many = Array.from({ length: 501 }, (_, i) => ({ ...rule, id: `r${i}` }));
    expect(issuesOf(withRules(many))).toContainEqual(expect.objectContaining({ path: 'rules' }));
  });
});
