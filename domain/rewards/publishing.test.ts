/** What publishing checks (publishing.ts): the stamped version and hash, cash-like sets, reused rule versions. */
import { describe, expect, it } from 'vitest';
import { EXAMPLE_RULE_SET } from './example-rule-set';
import { DEPLOYED_DEFAULT, hashOf, isCashLike, prepareVersion, reusedRuleVersions, rolledBack, ruleContent, switchedBackOn, withRuleStatus } from './publishing';
import { parseRuleSet, type RuleSet } from './rule-schema';

const minimal = { id: 'm', version: 9, caps: { points_per_day: 10, cash_minor_per_day: {} }, rules: [{ id: 'r', version: 1, status: 'active', name: 'R', on: 'table.bet.settled', actions: [{ type: 'points', amount: 1 }] }] };
const parsed = (input: unknown): RuleSet => { const p = parseRuleSet(input); if (!p.ok) throw new Error(JSON.stringify(p.issues)); return p.ruleSet; };

describe('publishing', () => {
  it('stamps the store\'s version number and hashes the stored body', () => {
    const v = prepareVersion(minimal, 3);
    if (!v.ok) throw new Error('refused');
    expect(v.value.ruleSet.version).toBe(3);
    expect(JSON.parse(v.value.body).version).toBe(3);
    expect(v.value.hash).toBe(hashOf(v.value.body));
    expect(v.value.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(v.value.cashLike).toBe(false);
  });

  it('refuses an invalid set with its paths', () => {
    const v = prepareVersion({ ...minimal, rules: [{ ...minimal.rules[0], on: 'nope' }] }, 1);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.issues.map((i) => i.path)).toContain('rules.0.on');
  });

  it('finds cash-like rewards in rules, variants, missions, levels and wheel prizes', () => {
    expect(isCashLike(parsed(EXAMPLE_RULE_SET))).toBe(true);
    expect(isCashLike(parsed(minimal))).toBe(false);
    const freeBet = { type: 'free_bet', value_minor: { EUR: 100 } };
    expect(isCashLike(parsed({ ...minimal, rules: [{ ...minimal.rules[0], actions: [freeBet], budget_minor: { EUR: 1000 } }] }))).toBe(true);
    expect(isCashLike(parsed({ ...minimal, levels: [{ level: 1, name: 'L', tier: 't', min_xp: 0, reward: [{ type: 'cashback', value_minor: { EUR: 5 } }] }] }))).toBe(true);
    expect(isCashLike(parsed({ ...minimal, wheels: [{ id: 'w', name: 'W', prizes: [{ id: 'a', weight: 1, reward: null }, { id: 'b', weight: 1, reward: freeBet }] }] }))).toBe(true);
  });

  it('a rule (id, version) keeps its content; its status is not content', () => {
    const set = parsed(minimal);
    const published = new Map([['r@1', { content: ruleContent(set.rules[0]!), set_version: 1 }]]);
    expect(reusedRuleVersions(withRuleStatus(set, 'r', 'paused', 2)!, published)).toEqual([]);
    const changed = parsed({ ...minimal, rules: [{ ...minimal.rules[0], actions: [{ type: 'points', amount: 2 }] }] });
    expect(reusedRuleVersions(changed, published)).toEqual([expect.objectContaining({ path: 'rules.0.version' })]);
    const bumped = parsed({ ...minimal, rules: [{ ...minimal.rules[0], version: 2, actions: [{ type: 'points', amount: 2 }] }] });
    expect(reusedRuleVersions(bumped, published)).toEqual([]);
    expect(withRuleStatus(set, 'missing', 'paused', 2)).toBeNull();
  });

  it('a draft that has active a rule the live version paused or retired would switch it back on (review 2)', () => {
    const two = parsed({ ...minimal, rules: [minimal.rules[0], { ...minimal.rules[0], id: 'q' }] });
    expect(switchedBackOn(two, two, 5)).toEqual([]);
    const paused = withRuleStatus(withRuleStatus(two, 'q', 'retired', 5)!, 'r', 'paused', 5)!;
    expect(switchedBackOn(two, paused, 5).map((i) => i.path)).toEqual(['rules.0.status', 'rules.1.status']);
    expect(switchedBackOn(two, paused, 5)[0]!.message).toMatch(/paused by set version 5/);
    // a draft that keeps them off, or a live version that switched nothing off, is no conflict
    expect(switchedBackOn(paused, paused, 5)).toEqual([]);
    expect(switchedBackOn(paused, two, 5)).toEqual([]);
  });

  it('a pair of the deployed default counts as published: other content under it is refused, naming the default (review 2)', () => {
    const set = parsed(minimal);
    const published = new Map([['r@1', { content: ruleContent(set.rules[0]!), set_version: DEPLOYED_DEFAULT }]]);
    expect(reusedRuleVersions(set, published)).toEqual([]);
    const changed = parsed({ ...minimal, rules: [{ ...minimal.rules[0], actions: [{ type: 'points', amount: 2 }] }] });
    expect(reusedRuleVersions(changed, published)).toEqual([{ path: 'rules.0.version', message: expect.stringMatching(/deployed default/) }]);
  });

  it('a draft with an older version of a rule than the live one would roll it back (review 2)', () => {
    const v1 = parsed(minimal);
    const v2 = parsed({ ...minimal, rules: [{ ...minimal.rules[0], version: 2, actions: [{ type: 'points', amount: 2 }] }] });
    expect(rolledBack(v1, v2, 7)).toEqual([{ path: 'rules.0.version', message: expect.stringMatching(/at version 2 in set version 7.*bring back version 1/) }]);
    expect(rolledBack(v2, v1, 7)).toEqual([]);
    expect(rolledBack(v2, v2, 7)).toEqual([]);
  });
});
