/**
 * Rules as data (docs/rewards.md): a versioned rule set, validated by this schema before the back
 * office publishes it, so a marketer changes rewards without a deploy. Every grant names the rule id
 * and version that fired. Everything is bounded (rules, counters, actions, missions, prizes), so a
 * published set cannot make one player's evaluation slow or their state large.
 *
 * Money (cash-like rewards, caps, budgets) is integer minor units per currency: a rule says what a
 * free bet is worth in each currency it is offered in, and a player whose currency it does not name
 * gets a suppression (`no_value_in_currency`), never a converted amount.
 */
import { z } from 'zod';
import { CURRENCIES, type Currency } from '../money';
import { EVENT_TYPES, type EventType } from '../events';
import { SegmentName } from '../segments';

export const RULES_MAX = 500;
export const COUNTERS_MAX = 100;
export const ACTIONS_PER_RULE_MAX = 8;
export const CONDITIONS_PER_RULE_MAX = 16;
export const MISSIONS_MAX = 100;
export const STEPS_PER_MISSION_MAX = 10;
export const WHEELS_MAX = 20;
export const PRIZES_PER_WHEEL_MAX = 32;
export const LEVELS_MAX = 100;
export const VARIANTS_MAX = 8;
export const ROLLING_MINUTES_MAX = 1_440;
/** Basis points: 10,000 = 100 % (weights and shares are integers, so assignment is exact). */
export const BP = 10_000;

const Id = z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, 'a lower-case identifier: [a-z0-9][a-z0-9_.:-]{0,63}');
const Text = z.string().min(1).max(280);
const Count = z.number().int().nonnegative().max(1_000_000_000);
const Minor = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const EventTypeName = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);
const CurrencyCode = z.enum(CURRENCIES as [Currency, ...Currency[]]);
/** Integer minor units per currency: `{ "EUR": 500, "GBP": 450 }`. */
const MinorByCurrency = z.partialRecord(CurrencyCode, Minor).refine((m) => Object.keys(m).length > 0, 'name at least one currency');

/** The facts of an event a condition or a counter filter may read (domain/rewards/facts.ts). */
export const FACTS = [
  'event_type', 'table_id', 'round_id', 'game', 'game_id', 'bet_type', 'spot', 'stake_minor', 'returned_minor', 'net_minor',
  'result', 'natural', 'busted', 'doubled', 'surrendered', 'dealer_natural', 'side_bet_won', 'decision', 'dealer_id',
  'device', 'session_id', 'provider_id', 'amount_minor', 'currency', 'limit_kind', 'limit_period', 'hour_utc',
] as const;
export type Fact = (typeof FACTS)[number];
const FactName = z.enum(FACTS);
const Scalar = z.union([z.string().max(128), z.number(), z.boolean(), z.null()]);

/** One test over a fact of the event; several operators in one condition must all hold. */
export const FactCondition = z.strictObject({
  fact: FactName,
  eq: Scalar.optional(), ne: Scalar.optional(), in: z.array(Scalar).min(1).max(64).optional(),
  gt: z.number().optional(), gte: z.number().optional(), lt: z.number().optional(), lte: z.number().optional(),
});
/** One test over a counter, read after this event has updated it (so "first today" is `eq: 1`). */
export const CounterCondition = z.strictObject({
  counter: Id,
  eq: z.number().optional(), gt: z.number().optional(), gte: z.number().optional(), lt: z.number().optional(), lte: z.number().optional(),
  /** Distinct counters only: whether this event's value was new to the window ("first hand at a new game"). */
  is_new: z.boolean().optional(),
  /** Multiple counters only: true when the value just reached a multiple of `every` (each 10th round). */
  every: z.number().int().positive().optional(),
});
export const Condition = z.union([FactCondition, CounterCondition]);
export type FactCondition = z.infer<typeof FactCondition>;
export type CounterCondition = z.infer<typeof CounterCondition>;
export type Condition = z.infer<typeof Condition>;

export const Window = z.union([
  z.enum(['today', 'session', 'lifetime']),
  z.strictObject({ rolling_minutes: z.number().int().min(1).max(ROLLING_MINUTES_MAX) }),
]);
export type Window = z.infer<typeof Window>;

const counterBase = {
  id: Id,
  on: z.array(EventTypeName).min(1).max(16),
  where: z.array(FactCondition).max(CONDITIONS_PER_RULE_MAX).default([]),
};
/**
 * Counters, shared by the rules of a set. `count` counts matching events (or sums a fact), per
 * window, optionally per value of some facts (`group_by`: "rounds at this table"); `streak` counts
 * consecutive matches of `counts` and goes back to 0 on `resets` (other events leave it as it is);
 * `distinct` remembers the values of one fact it has seen in the window.
 */
export const CounterSpec = z.discriminatedUnion('kind', [
  z.strictObject({ ...counterBase, kind: z.literal('count'), window: Window, sum: FactName.optional(), group_by: z.array(FactName).max(3).optional() }),
  z.strictObject({ ...counterBase, kind: z.literal('streak'), window: z.enum(['today', 'session', 'lifetime']), counts: z.array(FactCondition).min(1).max(8), resets: z.array(FactCondition).min(1).max(8) }),
  z.strictObject({ ...counterBase, kind: z.literal('distinct'), window: z.enum(['today', 'session', 'lifetime']), of: FactName }),
]);
export type CounterSpec = z.infer<typeof CounterSpec>;

/** What a rule (or a mission's completion, or a level) gives. */
export const Action = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('xp'), amount: z.number().int().positive().max(1_000_000) }),
  z.strictObject({ type: z.literal('points'), amount: z.number().int().positive().max(1_000_000) }),
  z.strictObject({ type: z.literal('badge'), badge_id: Id }),
  z.strictObject({ type: z.literal('mission_progress'), mission_id: Id, step_id: Id.optional(), by: z.number().int().positive().max(1_000).default(1) }),
  z.strictObject({ type: z.literal('wheel_spin'), wheel_id: Id }),
  z.strictObject({ type: z.literal('free_bet'), value_minor: MinorByCurrency, valid_hours: z.number().int().min(1).max(720).default(24), table_id: z.string().max(128).optional() }),
  z.strictObject({ type: z.literal('cashback'), value_minor: MinorByCurrency, valid_hours: z.number().int().min(1).max(720).default(24) }),
  z.strictObject({ type: z.literal('shout_out'), template: Text }),
  z.strictObject({ type: z.literal('message'), template: Text }),
]);
export type Action = z.infer<typeof Action>;
/** Events of a stake being placed: it may still be given back (voided, cancelled, rolled back) without undoing their grants. */
export const PLACEMENT_EVENTS: ReadonlySet<string> = new Set(['table.bet.placed', 'provider.bet.debited']);
export const CASH_LIKE: ReadonlySet<Action['type']> = new Set(['free_bet', 'cashback']);

const Actions = z.array(Action).min(1).max(ACTIONS_PER_RULE_MAX);

/** Pacing for players of a segment: the first entry whose segment the player is in applies. */
export const Pacing = z.strictObject({
  segment: SegmentName.nullable(), // null: everyone not matched by an earlier entry
  min_interval_minutes: z.number().int().nonnegative().max(10_080).default(0),
  max_per_day: z.number().int().positive().max(10_000).optional(),
});

export const Variant = z.strictObject({ id: Id, weight_bp: z.number().int().positive().max(BP), actions: Actions });

export const Rule = z.strictObject({
  id: Id,
  version: z.number().int().positive(),
  status: z.enum(['draft', 'active', 'paused', 'retired']),
  /** `care` rules may only send messages and still reach players at risk; `promotional` rules do not. */
  purpose: z.enum(['promotional', 'care']).default('promotional'),
  name: Text,
  on: EventTypeName,
  when: z.array(Condition).max(CONDITIONS_PER_RULE_MAX).default([]),
  /** Either actions, or A/B variants (weights in basis points summing to 10,000 - holdout_bp). */
  actions: Actions.optional(),
  variants: z.array(Variant).min(1).max(VARIANTS_MAX).optional(),
  holdout_bp: z.number().int().min(0).max(BP - 1).default(0),
  segments: z.strictObject({ include: z.array(SegmentName).max(32).default([]), exclude: z.array(SegmentName).max(32).default([]) }).default({ include: [], exclude: [] }),
  pacing: z.array(Pacing).max(16).default([]),
  caps: z.strictObject({
    per_day: z.number().int().positive().optional(), per_session: z.number().int().positive().optional(),
    total: z.number().int().positive().optional(), cooldown_minutes: z.number().int().positive().max(10_080).optional(),
  }).default({}),
  /** The rule's budget for cash-like grants; the remaining amount is an input of each evaluation. */
  budget_minor: MinorByCurrency.optional(),
  starts_at: z.number().int().positive().optional(),
  ends_at: z.number().int().positive().optional(),
});
export type Rule = z.infer<typeof Rule>;

export const Mission = z.strictObject({
  id: Id,
  name: Text,
  /** Steps in order; progress counts only towards the current step. */
  steps: z.array(z.strictObject({ id: Id, name: Text, target: z.number().int().positive().max(100_000) })).min(1).max(STEPS_PER_MISSION_MAX),
  /** From the first progress: an unfinished mission then starts again from step 1. */
  expires_after_minutes: z.number().int().positive().max(525_600).optional(),
  repeatable: z.boolean().default(false),
  reward: Actions,
});
export type Mission = z.infer<typeof Mission>;

export const Prize = z.strictObject({
  id: Id, weight: z.number().int().positive().max(1_000_000),
  /** null: "no prize" (a segment of the wheel that gives nothing). */
  reward: Action.nullable(),
});
export const Wheel = z.strictObject({ id: Id, name: Text, prizes: z.array(Prize).min(2).max(PRIZES_PER_WHEEL_MAX) });
export type Wheel = z.infer<typeof Wheel>;

export const Level = z.strictObject({ level: z.number().int().nonnegative(), name: Text, tier: Id, min_xp: Count, reward: Actions.optional() });
export type Level = z.infer<typeof Level>;

export const RuleSet = z.strictObject({
  id: Id,
  version: z.number().int().positive(),
  counters: z.array(CounterSpec).max(COUNTERS_MAX).default([]),
  rules: z.array(Rule).max(RULES_MAX),
  missions: z.array(Mission).max(MISSIONS_MAX).default([]),
  wheels: z.array(Wheel).max(WHEELS_MAX).default([]),
  levels: z.array(Level).max(LEVELS_MAX).default([]),
  caps: z.strictObject({
    points_per_day: z.number().int().nonnegative(),
    xp_per_day: z.number().int().nonnegative().optional(),
    cash_minor_per_day: z.partialRecord(CurrencyCode, Minor),
  }),
  safety: z.strictObject({
    /** The "take a break" message a player at risk gets instead of promotions, at most once per interval. */
    break_message: Text.default('You have been playing for a while. How about a short break?'),
    break_message_interval_minutes: z.number().int().positive().max(1_440).default(30),
  }).default({ break_message: 'You have been playing for a while. How about a short break?', break_message_interval_minutes: 30 }),
}).superRefine(checkReferences);
export type RuleSet = z.infer<typeof RuleSet>;
export type RuleSetInput = z.input<typeof RuleSet>;

/** Cross-references and invariants a per-field schema cannot state, each with its path. */
function checkReferences(set: z.infer<typeof RuleSetShape>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const unique = (ids: string[], path: string) => ids.forEach((id, i) => { if (ids.indexOf(id) !== i) issue([path, i, 'id'], `duplicate id '${id}'`); });
  unique(set.rules.map((r) => r.id), 'rules');
  unique(set.counters.map((c) => c.id), 'counters');
  unique(set.missions.map((m) => m.id), 'missions');
  unique(set.wheels.map((w) => w.id), 'wheels');
  const counters = new Map(set.counters.map((c) => [c.id, c]));
  const missions = new Map(set.missions.map((m) => [m.id, m]));
  const wheels = new Set(set.wheels.map((w) => w.id));
  const cashLikePrize = new Set(set.wheels.filter((w) => w.prizes.some((p) => p.reward && CASH_LIKE.has(p.reward.type))).map((w) => w.id));
  const cashLikeMission = new Set(set.missions.filter((m) => m.reward.some((a) => CASH_LIKE.has(a.type) || (a.type === 'wheel_spin' && cashLikePrize.has(a.wheel_id)))).map((m) => m.id));
  /** Pays (or may pay) something cash-like: itself, a wheel with such a prize, progress towards a mission that pays one. */
  const cashLikeAction = (a: Action) => CASH_LIKE.has(a.type) || (a.type === 'wheel_spin' && cashLikePrize.has(a.wheel_id)) || (a.type === 'mission_progress' && cashLikeMission.has(a.mission_id));
  const checkActions = (actions: readonly Action[], path: (string | number)[]) => actions.forEach((a, i) => {
    if (a.type === 'mission_progress') {
      const mission = missions.get(a.mission_id);
      if (!mission) issue([...path, i, 'mission_id'], `no mission '${a.mission_id}' in this rule set`);
      else if (a.step_id !== undefined && !mission.steps.some((s) => s.id === a.step_id)) issue([...path, i, 'step_id'], `mission '${a.mission_id}' has no step '${a.step_id}'`);
    }
    if (a.type === 'wheel_spin' && !wheels.has(a.wheel_id)) issue([...path, i, 'wheel_id'], `no wheel '${a.wheel_id}' in this rule set`);
  });
  set.rules.forEach((rule, r) => {
    const hasActions = rule.actions !== undefined;
    const hasVariants = rule.variants !== undefined;
    if (hasActions === hasVariants) issue(['rules', r], 'give either actions or variants');
    if (rule.variants) {
      const sum = rule.variants.reduce((s, v) => s + v.weight_bp, 0);
      if (sum + rule.holdout_bp !== BP) issue(['rules', r, 'variants'], `variant weights (${sum}) + holdout_bp (${rule.holdout_bp}) must be ${BP}`);
      unique(rule.variants.map((v) => v.id), `rules.${r}.variants`);
    } else if (rule.holdout_bp > 0) issue(['rules', r, 'holdout_bp'], 'a holdout needs variants (one variant is fine)');
    const allActions = rule.actions ? [rule.actions] : (rule.variants ?? []).map((v) => v.actions);
    allActions.forEach((actions, v) => {
      const path = rule.actions ? ['rules', r, 'actions'] : ['rules', r, 'variants', v, 'actions'];
      checkActions(actions, path);
      if (rule.purpose === 'care') actions.forEach((a, i) => { if (a.type !== 'message') issue([...path, i, 'type'], 'a care rule may only send messages'); });
      if (actions.some((a) => CASH_LIKE.has(a.type)) && rule.budget_minor === undefined) issue(['rules', r, 'budget_minor'], 'a rule with cash-like rewards needs a budget');
      // a stake given back (a voided round, leaving before the deal, a rollback) keeps what its
      // placement granted: a cash-like reward there could be farmed by placing and cancelling
      if (PLACEMENT_EVENTS.has(rule.on)) actions.forEach((a, i) => {
        if (cashLikeAction(a)) issue([...path, i, 'type'], `a cash-like reward (free_bet, cashback, a wheel or mission with cash-like prizes) cannot be granted on '${rule.on}': a stake given back keeps what its placement granted; grant it on the settlement`);
      });
    });
    rule.when.forEach((cond, c) => {
      if (!('counter' in cond)) return;
      const spec = counters.get(cond.counter);
      if (!spec) issue(['rules', r, 'when', c, 'counter'], `no counter '${cond.counter}' in this rule set`);
      else {
        if (cond.is_new !== undefined && spec.kind !== 'distinct') issue(['rules', r, 'when', c, 'is_new'], 'is_new reads a distinct counter');
        if (!spec.on.includes(rule.on)) issue(['rules', r, 'when', c, 'counter'], `counter '${spec.id}' is not updated by '${rule.on}': it would read a stale value`);
      }
    });
    if (rule.starts_at !== undefined && rule.ends_at !== undefined && rule.ends_at <= rule.starts_at) issue(['rules', r, 'ends_at'], 'ends_at must be after starts_at');
  });
  set.missions.forEach((m, i) => checkActions(m.reward, ['missions', i, 'reward']));
  set.wheels.forEach((w, i) => w.prizes.forEach((p, j) => {
    if (p.reward && (p.reward.type === 'wheel_spin' || p.reward.type === 'mission_progress')) issue(['wheels', i, 'prizes', j, 'reward', 'type'], 'a prize is points, xp, a badge, a message or a cash-like offer');
  }));
  set.levels.forEach((l, i) => {
    const prev = set.levels[i - 1];
    if (prev && (l.level <= prev.level || l.min_xp <= prev.min_xp)) issue(['levels', i], 'levels go up in level and min_xp');
    if (l.reward) checkActions(l.reward, ['levels', i, 'reward']);
  });
  if (set.levels.length > 0 && set.levels[0]?.min_xp !== 0) issue(['levels', 0, 'min_xp'], 'the first level starts at 0 XP');
}
// The shape before refinement, for checkReferences' parameter type.
const RuleSetShape = z.object({
  rules: z.array(Rule), counters: z.array(CounterSpec), missions: z.array(Mission), wheels: z.array(Wheel), levels: z.array(Level),
});

export type RuleSetIssue = { path: string; message: string };

/** Validates a rule set; errors come back as `{ path: "rules.2.when.0.counter", message }`. */
export function parseRuleSet(input: unknown): { ok: true; ruleSet: RuleSet } | { ok: false; issues: RuleSetIssue[] } {
  const parsed = RuleSet.safeParse(input);
  if (parsed.success) return { ok: true, ruleSet: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
}
