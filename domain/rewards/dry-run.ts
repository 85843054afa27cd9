/**
 * Dry run: what a rule (or a whole rule set, drafts included) would have done over a player's recent
 * events, from the player's current state, without changing anything: the engine is pure, so this is
 * evaluation on a copy that is thrown away. Budgets are followed within the run (what one event
 * spends is not there for the next). The player's context is the current one for every event.
 */
import type { CasinoEvent } from '../events';
import { compileRuleSet } from './compile';
import { evaluate, type PlayerRewardsContext } from './engine';
import type { Outcome } from './outcomes';
import type { RuleSet } from './rule-schema';
import type { RewardsState } from './state';

export type DryRunStep = { event_id: string; event_type: string; occurred_at: number; outcomes: Outcome[]; skipped: string | null };

export type DryRunOptions = {
  /** Only these rules (their counters, missions and wheels stay available); default: every rule. */
  rule_ids?: readonly string[];
  /** Try rules that are not active yet (a draft before publishing). Default true. */
  include_drafts?: boolean;
};

export function dryRun(state: RewardsState, events: readonly CasinoEvent[], ruleSet: RuleSet, ctx: PlayerRewardsContext, opts: DryRunOptions = {}): { steps: DryRunStep[]; fired: Outcome[]; final: RewardsState } {
  const only = opts.rule_ids ? new Set(opts.rule_ids) : null;
  const subset: RuleSet = only ? { ...ruleSet, rules: ruleSet.rules.filter((r) => only.has(r.id)) } : ruleSet;
  const compiled = compileRuleSet(subset, { includeStatuses: opts.include_drafts === false ? ['active'] : ['active', 'draft', 'paused'] });
  const sorted = [...events].sort((a, b) => a.occurred_at - b.occurred_at);
  const budgets: Record<string, number> = { ...ctx.budget_remaining_minor };
  let current = state;
  const steps: DryRunStep[] = [];
  for (const event of sorted) {
    const result = evaluate(current, event, compiled, { ...ctx, budget_remaining_minor: budgets });
    for (const o of result.outcomes) {
      if (o.type !== 'grant' || o.budget_key === null) continue;
      budgets[o.budget_key] = (budgets[o.budget_key] ?? 0) - o.cost_minor;
    }
    current = result.state;
    steps.push({ event_id: event.event_id, event_type: event.event_type, occurred_at: event.occurred_at, outcomes: result.outcomes, skipped: result.skipped });
  }
  return { steps, fired: steps.flatMap((s) => s.outcomes), final: current };
}
