import { describe, expect, it } from 'vitest';
import { dryRun } from './dry-run';
import { EXAMPLE_RULE_SET } from './example-rule-set';
import { RuleSet } from './rule-schema';
import { initialState } from './state';
import { betPlaced, handSettled, playerContext, T0 } from './test-fixtures';

const set = RuleSet.parse(EXAMPLE_RULE_SET);

describe('dry run', () => {
  it('shows what a draft rule would have fired over recent events, changing nothing', () => {
    const draft = { ...set.rules[1]!, id: 'banker-twice-draft', status: 'draft' as const, when: [{ fact: 'bet_type' as const, eq: 'banker' }, { counter: 'banker_bets_today', eq: 2 }] };
    const withDraft = { ...set, rules: [...set.rules, draft] };
    const state = initialState();
    const frozen = JSON.stringify(state);
    const events = [betPlaced(T0 + 2), betPlaced(T0), betPlaced(T0 + 1), handSettled(T0 + 3, { natural: true })];
    const r = dryRun(state, events, withDraft, playerContext(), { rule_ids: ['banker-twice-draft'] });
    expect(JSON.stringify(state)).toBe(frozen);
    expect(r.steps.map((s) => s.occurred_at)).toEqual([T0, T0 + 1, T0 + 2, T0 + 3]); // in time order
    expect(r.fired.filter((o) => o.type === 'grant').map((o) => o.type === 'grant' && `${o.source.rule_id}:${o.grant.kind}`)).toEqual(['banker-twice-draft:points']);
    expect(r.steps[1]?.outcomes).toHaveLength(1);
  });

  it('without drafts, a draft fires nothing; the whole active set still does', () => {
    const r = dryRun(initialState(), [handSettled(T0, { natural: true })], set, playerContext(), { include_drafts: false });
    expect(r.fired.some((o) => o.type === 'grant' && o.source.rule_id === 'first-natural-of-the-day')).toBe(true);
  });
});
