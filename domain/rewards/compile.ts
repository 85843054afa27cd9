/**
 * A validated rule set, indexed for evaluation: rules and counters by the event type that triggers
 * them, so an event looks only at its own rules (an event type no rule names costs one map lookup),
 * and missions, wheels and counters by id. Compile once per published version and keep it (the
 * player's object holds the current one); evaluation never re-validates.
 */
import type { EventType } from '../events';
import { parseRuleSet, type CounterSpec, type Mission, type Rule, type RuleSet, type RuleSetIssue, type Wheel } from './rule-schema';

export type CompiledRuleSet = {
  readonly set: RuleSet;
  readonly rulesByType: ReadonlyMap<EventType, readonly Rule[]>;
  readonly countersByType: ReadonlyMap<EventType, readonly CounterSpec[]>;
  readonly counters: ReadonlyMap<string, CounterSpec>;
  readonly missions: ReadonlyMap<string, Mission>;
  readonly wheels: ReadonlyMap<string, Wheel>;
  readonly ruleIds: ReadonlySet<string>;
};

/** Only `active` rules are indexed: drafts, paused and retired rules never run (a dry run can still try a draft). */
export function compileRuleSet(set: RuleSet, opts: { includeStatuses?: readonly Rule['status'][] } = {}): CompiledRuleSet {
  const statuses = new Set(opts.includeStatuses ?? ['active']);
  const rulesByType = new Map<EventType, Rule[]>();
  for (const rule of set.rules) {
    if (!statuses.has(rule.status)) continue;
    const list = rulesByType.get(rule.on) ?? [];
    list.push(rule);
    rulesByType.set(rule.on, list);
  }
  const countersByType = new Map<EventType, CounterSpec[]>();
  for (const spec of set.counters) for (const type of spec.on) {
    const list = countersByType.get(type) ?? [];
    list.push(spec);
    countersByType.set(type, list);
  }
  return {
    set, rulesByType, countersByType,
    counters: new Map(set.counters.map((c) => [c.id, c])),
    missions: new Map(set.missions.map((m) => [m.id, m])),
    wheels: new Map(set.wheels.map((w) => [w.id, w])),
    ruleIds: new Set(set.rules.map((r) => r.id)),
  };
}

/** Validates and compiles in one step (the back office's publish path). */
export function loadRuleSet(input: unknown): { ok: true; compiled: CompiledRuleSet } | { ok: false; issues: RuleSetIssue[] } {
  const parsed = parseRuleSet(input);
  return parsed.ok ? { ok: true, compiled: compileRuleSet(parsed.ruleSet) } : parsed;
}
