/**
 * The rewards engine: `evaluate(state, event, ruleSet, ctx)` -> the new state and the outcomes,
 * pure and synchronous, so the player's object runs it inside the transaction that records the event
 * and writes the new state and the outcomes' events in that same transaction.
 *
 * Order (docs/rewards.md): excluded players are skipped outright; a duplicate or too-old event is
 * skipped; the day and session roll over; the event updates its counters; each active rule the event
 * type triggers is checked (schedule, segments, conditions: silently), then for players at risk a
 * promotional rule is suppressed (and a "take a break" message sent, at most once per interval);
 * then the rule's caps, cooldown and pacing, its A/B assignment (holdout: suppressed), and its
 * actions one by one, each against the daily caps and the rule's budget; finally level promotions.
 */
import type { CasinoEvent } from '../events';
import type { Currency } from '../money';
import { assignVariant, HOLDOUT } from './assignment';
import type { CompiledRuleSet } from './compile';
import { counterHolds, factHolds } from './conditions';
import { readCounter, updateCounters, utcDay, type DistinctValues, type Periods } from './counters';
import { factsOf, type EventContext, type Facts } from './facts';
import { levelFor, promotions } from './levels';
import type { GrantSource, Outcome, RiskReason, SuppressionReason } from './outcomes';
import { CASH_LIKE, type Action, type Rule } from './rule-schema';
import { BADGES_MAX, checkSeen, remember, type MissionState, type RewardsState, type RuleUse } from './state';

export type PlayerRewardsContext = {
  player_id: string;
  /** The player's wallet currency: cash-like values and caps are read in it. */
  currency: Currency;
  /** Self-excluded or cooling-off players get nothing at all (not even counted). */
  exclusion: 'none' | 'self_excluded' | 'cooling_off';
  segments: readonly string[];
  /** Risk flags the player's object knows (rapid losses, a limit hit, a cool-off just ended). */
  risk: { rapid_losses?: boolean; limit_hit?: boolean; cool_off_ended_recently?: boolean };
  event: EventContext;
  /**
   * Remaining budget per rule id (or `mission:<id>`), in the player's currency, as the wiring
   * tracks it across players. A budget that is not given is empty: no cash-like grant without one.
   */
  budget_remaining_minor: Readonly<Record<string, number>>;
};

export type Evaluation = {
  state: RewardsState;
  outcomes: Outcome[];
  /** Why nothing was evaluated: the state is returned unchanged. */
  skipped: null | 'duplicate' | 'beyond_horizon' | 'self_excluded' | 'cooling_off';
};

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
export const RG_RISK_SEGMENT = 'rg_risk';

export function riskReasons(ctx: PlayerRewardsContext): RiskReason[] {
  const reasons: RiskReason[] = [];
  if (ctx.risk.rapid_losses) reasons.push('rapid_losses');
  if (ctx.risk.limit_hit) reasons.push('limit_hit');
  if (ctx.risk.cool_off_ended_recently) reasons.push('cool_off_ended');
  if (ctx.segments.includes(RG_RISK_SEGMENT)) reasons.push('rg_risk_segment');
  return reasons;
}

/**
 * `values`: where distinct counters keep their values (counters.ts DistinctValues); without it they
 * stay in the state. It is the only thing evaluate asks outside its arguments, and only for an
 * event it evaluates (never a duplicate, a late or an excluded player's).
 */
export function evaluate(state: RewardsState, event: CasinoEvent, compiled: CompiledRuleSet, ctx: PlayerRewardsContext, values?: DistinctValues): Evaluation {
  if (ctx.exclusion !== 'none') return { state, outcomes: [], skipped: ctx.exclusion };
  const seen = checkSeen(state, event.event_id, event.occurred_at);
  if (seen !== 'new') return { state, outcomes: [], skipped: seen };

  const at = event.occurred_at;
  // A late event from a day already closed counts towards the current day: the daily totals and
  // counters never go back to an old day (that would reset them and let the caps be passed twice).
  const eventDay = utcDay(at);
  const periods: Periods = { day: eventDay < state.day ? state.day : eventDay, session: ctx.event.session_id ?? '' };
  const facts = factsOf(event, ctx.event);
  const { counters, readings } = updateCounters(state.counters, compiled.countersByType.get(event.event_type) ?? [], facts, at, periods, values);
  const run = new Run(state, compiled, ctx, event, periods, facts);
  // counters a retired rule set declared go too, once the record outgrows the set (as rule uses do):
  // otherwise each would stay in the state, rewritten with every evaluated event, for good
  run.s.counters = counters === state.counters ? counters : pruneTo(counters, compiled.counters);

  const risk = riskReasons(ctx);
  let suppressedForRisk = false;
  for (const rule of compiled.rulesByType.get(event.event_type) ?? []) {
    if (!ruleApplies(rule, at, ctx.segments, facts, (id) => readings.get(id) ?? readByCounterId(run, id))) continue;
    const source: GrantSource = { rule_id: rule.id, rule_version: rule.version, variant: null, via: null };
    if (rule.purpose === 'promotional' && risk.length > 0) {
      run.suppress(source, 'player_at_risk', null, risk.join(','));
      suppressedForRisk = true;
      continue;
    }
    const limited = run.ruleLimit(rule);
    if (limited) { run.suppress(source, limited, null, null); continue; }
    let actions: readonly Action[] = rule.actions ?? [];
    if (rule.variants) {
      const variant = run.assignment(rule);
      source.variant = variant;
      run.useRule(rule); // a holdout player counts as reached: caps and pacing treat both arms alike
      if (variant === HOLDOUT) { run.suppress(source, 'holdout', null, null); continue; }
      actions = rule.variants.find((v) => v.id === variant)?.actions ?? [];
    } else run.useRule(rule);
    actions.forEach((action, i) => run.apply(action, source, `${event.event_id}:${rule.id}:${i}`, rule.id));
  }
  if (suppressedForRisk) run.breakMessage(risk);
  // A level-up is promotional too: a player at risk earns no XP, and their first placement on the ladder waits.
  if (risk.length === 0) run.promote();
  run.finish();
  run.s.seen = remember(state.seen, event.event_id, at);
  return { state: run.s, outcomes: run.outcomes, skipped: null };
}

function ruleApplies(rule: Rule, at: number, segments: readonly string[], facts: Facts, reading: (id: string) => { value: number; previous: number; is_new: boolean }): boolean {
  if (rule.starts_at !== undefined && at < rule.starts_at) return false;
  if (rule.ends_at !== undefined && at >= rule.ends_at) return false;
  if (rule.segments.include.length > 0 && !rule.segments.include.some((s) => segments.includes(s))) return false;
  if (rule.segments.exclude.some((s) => segments.includes(s))) return false;
  for (const cond of rule.when) {
    if ('fact' in cond ? !factHolds(cond, facts) : !counterHolds(cond, reading(cond.counter))) return false;
  }
  return true;
}

function readByCounterId(run: Run, id: string) {
  const spec = run.compiled.counters.get(id);
  return spec ? readCounter(run.s.counters, spec, run.at, run.periods, run.facts) : { value: 0, previous: 0, is_new: false };
}

/** One evaluation's working copy: the state is copied once here, and the nested parts it changes are copied before they change. */
class Run {
  readonly s: RewardsState;
  readonly outcomes: Outcome[] = [];
  readonly at: number;
  private readonly spent = new Map<string, number>();

  constructor(state: RewardsState, readonly compiled: CompiledRuleSet, private readonly ctx: PlayerRewardsContext, private readonly event: CasinoEvent, readonly periods: Periods, readonly facts: Facts) {
    this.at = event.occurred_at;
    const newDay = state.day !== periods.day;
    this.s = {
      ...state,
      day: periods.day,
      session: periods.session,
      daily: newDay ? { points: 0, xp: 0, cash_minor: 0 } : state.daily,
    };
    if (newDay) this.owned.add('daily');
  }

  /**
   * Copy-on-write: the first change to one of these records in this evaluation copies it, later
   * changes write the copy (100 rules firing copy the rules' record once, not 100 times).
   */
  private readonly owned = new Set<'rules' | 'assignments' | 'missions' | 'daily'>();
  own<K extends 'rules' | 'assignments' | 'missions' | 'daily'>(key: K): RewardsState[K] {
    if (!this.owned.has(key)) { this.s[key] = { ...this.s[key] }; this.owned.add(key); }
    return this.s[key];
  }

  /** Bounds the records this evaluation grew: entries of rules and missions no longer in the set go. */
  finish(): void {
    if (this.owned.has('rules')) this.s.rules = pruneTo(this.s.rules, this.compiled.ruleIds);
    if (this.owned.has('assignments')) this.s.assignments = pruneTo(this.s.assignments, this.compiled.ruleIds);
    if (this.owned.has('missions')) this.s.missions = pruneTo(this.s.missions, this.compiled.missions);
  }

  suppress(source: GrantSource, reason: SuppressionReason, action: string | null, detail: string | null): void {
    this.outcomes.push({ type: 'suppressed', source: { ...source }, reason, action, detail });
  }

  /** The rule's own caps, cooldown and the pacing of the player's segment. */
  ruleLimit(rule: Rule): SuppressionReason | null {
    const use = this.s.rules[rule.id];
    if (!use) return null;
    const today = use.day === this.periods.day ? use.today : 0;
    const session = use.session === this.periods.session ? use.this_session : 0;
    if (rule.caps.total !== undefined && use.total >= rule.caps.total) return 'rule_cap';
    if (rule.caps.per_day !== undefined && today >= rule.caps.per_day) return 'rule_cap';
    if (rule.caps.per_session !== undefined && session >= rule.caps.per_session) return 'rule_cap';
    if (rule.caps.cooldown_minutes !== undefined && this.at - use.last_at < rule.caps.cooldown_minutes * MINUTE_MS) return 'cooldown';
    const pacing = rule.pacing.find((p) => p.segment === null || this.ctx.segments.includes(p.segment));
    if (pacing) {
      if (this.at - use.last_at < pacing.min_interval_minutes * MINUTE_MS) return 'pacing';
      if (pacing.max_per_day !== undefined && today >= pacing.max_per_day) return 'pacing';
    }
    return null;
  }

  useRule(rule: Rule): void {
    const use = this.s.rules[rule.id];
    const sameDay = use?.day === this.periods.day;
    const sameSession = use?.session === this.periods.session;
    const next: RuleUse = {
      day: this.periods.day, today: (sameDay ? use.today : 0) + 1,
      session: this.periods.session, this_session: (sameSession ? use.this_session : 0) + 1,
      total: (use?.total ?? 0) + 1, last_at: this.at,
    };
    this.own('rules')[rule.id] = next;
  }

  /** Sticky: the recorded variant while it still exists, else the hash's; a new assignment is an outcome. */
  assignment(rule: Rule): string {
    const held = this.s.assignments[rule.id];
    if (held !== undefined && (held === HOLDOUT ? rule.holdout_bp > 0 : rule.variants?.some((v) => v.id === held))) return held;
    const variant = assignVariant(this.ctx.player_id, rule.id, rule.holdout_bp, rule.variants ?? []);
    this.own('assignments')[rule.id] = variant;
    this.outcomes.push({ type: 'assignment', rule_id: rule.id, rule_version: rule.version, variant });
    return variant;
  }

  apply(action: Action, source: GrantSource, grantId: string, budgetKey: string): void {
    const grant = (g: Extract<Outcome, { type: 'grant' }>['grant'], cost = 0) => this.outcomes.push({ type: 'grant', grant_id: grantId, source: { ...source }, grant: g, cost_minor: cost, budget_key: cost > 0 ? budgetKey : null });
    const caps = this.compiled.set.caps;
    switch (action.type) {
      case 'xp': {
        const room = caps.xp_per_day === undefined ? action.amount : Math.max(0, caps.xp_per_day - this.s.daily.xp);
        const amount = Math.min(action.amount, room);
        if (amount === 0) return this.suppress(source, 'daily_xp_cap', 'xp', null);
        this.own('daily').xp += amount;
        this.s.xp += amount;
        return void grant({ kind: 'xp', amount });
      }
      case 'points': {
        const amount = Math.min(action.amount, Math.max(0, caps.points_per_day - this.s.daily.points));
        if (amount === 0) return this.suppress(source, 'daily_points_cap', 'points', null);
        this.own('daily').points += amount;
        this.s.points_granted += amount;
        return void grant({ kind: 'points', amount, requested: action.amount });
      }
      case 'badge': {
        if (this.s.badges.includes(action.badge_id)) return; // owned: nothing to give, nothing withheld
        if (this.s.badges.length >= BADGES_MAX) return this.suppress(source, 'badge_limit', 'badge', null);
        this.s.badges = [...this.s.badges, action.badge_id];
        return void grant({ kind: 'badge', badge_id: action.badge_id });
      }
      case 'mission_progress': return this.progress(action, source, grantId);
      case 'wheel_spin': {
        const wheel = this.compiled.wheels.get(action.wheel_id);
        if (!wheel) return;
        // Reserve the worst case now: the spin's prize is drawn later, and caps and budgets must hold whatever it is.
        const cash = Math.max(0, ...wheel.prizes.map((p) => (p.reward && CASH_LIKE.has(p.reward.type) && 'value_minor' in p.reward ? p.reward.value_minor[this.ctx.currency] ?? 0 : 0)));
        const points = Math.max(0, ...wheel.prizes.map((p) => (p.reward?.type === 'points' ? p.reward.amount : 0)));
        const xp = Math.max(0, ...wheel.prizes.map((p) => (p.reward?.type === 'xp' ? p.reward.amount : 0)));
        if (points > 0 && this.s.daily.points + points > caps.points_per_day) return this.suppress(source, 'daily_points_cap', 'wheel_spin', null);
        // XP the same way: a prize cannot be cut after its draw (the proof names it), so the whole largest prize must fit the day
        if (xp > 0 && caps.xp_per_day !== undefined && this.s.daily.xp + xp > caps.xp_per_day) return this.suppress(source, 'daily_xp_cap', 'wheel_spin', null);
        if (cash > 0 && this.foreignCurrency() !== null) return this.suppress(source, 'no_value_in_currency', 'wheel_spin', this.foreignCurrency());
        const refused = cash > 0 ? this.cashRefusal(cash, budgetKey) : null;
        if (refused) return this.suppress(source, refused, 'wheel_spin', null);
        if (cash > 0) this.charge(cash, budgetKey);
        if (points > 0) this.own('daily').points += points;
        if (xp > 0) this.own('daily').xp += xp;
        return void grant({ kind: 'wheel_spin', wheel_id: wheel.id, spin_id: grantId }, cash);
      }
      case 'free_bet':
      case 'cashback': {
        const value = action.value_minor[this.ctx.currency];
        // 0 is "nothing in this currency" (the schema allows it): a zero credit or token is refused by the wallet and the
        // free-bet table, and would fail the transaction of the deposit or bet the grant rides on
        if (value === undefined || value === 0) return this.suppress(source, 'no_value_in_currency', action.type, this.ctx.currency);
        if (this.foreignCurrency() !== null) return this.suppress(source, 'no_value_in_currency', action.type, this.foreignCurrency());
        const refused = this.cashRefusal(value, budgetKey);
        if (refused) return this.suppress(source, refused, action.type, null);
        this.charge(value, budgetKey);
        const tableId = action.type === 'free_bet' ? action.table_id ?? null : null;
        return void grant({ kind: action.type, value_minor: value, currency: this.ctx.currency, expires_at: this.at + action.valid_hours * HOUR_MS, table_id: tableId }, value);
      }
      case 'shout_out': {
        if (this.event.table_id === null) return this.suppress(source, 'no_table', 'shout_out', null);
        return void grant({ kind: 'shout_out', template: action.template, table_id: this.event.table_id });
      }
      case 'message': return void grant({ kind: 'message', template: action.template });
    }
  }

  /**
   * The event's currency when it is not the player's (null: the same, or an event without one). A
   * cash-like reward is priced and paid in the player's currency, and the event's amounts are never
   * converted: a condition such as `amount_minor >= 2000` written for cents would hold for 2,000
   * satoshis. So an event in another currency earns no cash-like reward (review 2).
   */
  private foreignCurrency(): Currency | null {
    const c = this.event.currency;
    return c !== null && c !== this.ctx.currency ? c : null;
  }

  private cashRefusal(value: number, budgetKey: string): SuppressionReason | null {
    const cap = this.compiled.set.caps.cash_minor_per_day[this.ctx.currency] ?? 0;
    if (this.s.daily.cash_minor + value > cap) return 'daily_cash_cap';
    const remaining = (this.ctx.budget_remaining_minor[budgetKey] ?? 0) - (this.spent.get(budgetKey) ?? 0);
    if (value > remaining) return 'budget_exhausted';
    return null;
  }

  private charge(value: number, budgetKey: string): void {
    this.own('daily').cash_minor += value;
    this.spent.set(budgetKey, (this.spent.get(budgetKey) ?? 0) + value);
  }

  private progress(action: Extract<Action, { type: 'mission_progress' }>, source: GrantSource, grantId: string): void {
    const mission = this.compiled.missions.get(action.mission_id);
    if (!mission) return;
    let m: MissionState | undefined = this.s.missions[mission.id];
    if (m && m.expires_at !== null && m.completed_at === null && this.at > m.expires_at) {
      this.outcomes.push({ type: 'mission_expired', mission_id: mission.id, step_index: m.step, progress: m.progress });
      m = undefined;
    }
    if (m && m.completed_at !== null) {
      if (!mission.repeatable) return; // done for good: progress means nothing more
      m = { ...m, step: 0, progress: 0, started_at: this.at, completed_at: null, expires_at: expiry(mission.expires_after_minutes, this.at) };
    }
    m ??= { step: 0, progress: 0, started_at: this.at, expires_at: expiry(mission.expires_after_minutes, this.at), completed_at: null, completions: 0 };
    const step = mission.steps[m.step];
    if (!step || (action.step_id !== undefined && action.step_id !== step.id)) return; // progress for another step
    const progress = Math.min(step.target, m.progress + action.by);
    this.outcomes.push({ type: 'grant', grant_id: grantId, source: { ...source }, grant: { kind: 'mission_progress', mission_id: mission.id, step_id: step.id, step_index: m.step, progress, target: step.target }, cost_minor: 0, budget_key: null });
    if (progress < step.target) m = { ...m, progress };
    else if (m.step + 1 < mission.steps.length) m = { ...m, step: m.step + 1, progress: 0 };
    else {
      m = { ...m, progress, completed_at: this.at, completions: m.completions + 1 };
      const via = { ...source, via: `mission:${mission.id}` };
      this.outcomes.push({ type: 'grant', grant_id: `${grantId}:done`, source: via, grant: { kind: 'mission_completed', mission_id: mission.id, completions: m.completions }, cost_minor: 0, budget_key: null });
      this.own('missions')[mission.id] = m;
      mission.reward.forEach((a, i) => this.apply(a, via, `${grantId}:reward:${i}`, `mission:${mission.id}`));
      return;
    }
    this.own('missions')[mission.id] = m;
  }

  /** The player's level follows their XP; each level passed is a level_up and gives that level's reward once. */
  promote(): void {
    const levels = this.compiled.set.levels;
    if (levels.length === 0) return;
    const reached = levelFor(levels, this.s.xp);
    if (!reached || reached.level === this.s.level) return;
    if (this.s.level !== null && reached.level < this.s.level) return; // never demoted (a new ladder with higher thresholds)
    const from = levels.find((l) => l.level === this.s.level);
    const passed = promotions(levels, from?.min_xp ?? -1, this.s.xp);
    let previous = this.s.level;
    for (const level of passed) {
      this.outcomes.push({ type: 'level_up', from_level: previous, to_level: level.level, name: level.name, tier: level.tier });
      previous = level.level;
      const source: GrantSource = { rule_id: `level:${level.level}`, rule_version: this.compiled.set.version, variant: null, via: `level:${level.level}` };
      level.reward?.forEach((a, i) => this.apply(a, source, `${this.event.event_id}:level:${level.level}:${i}`, `level:${level.level}`));
    }
    this.s.level = reached.level;
  }

  breakMessage(reasons: RiskReason[]): void {
    const safety = this.compiled.set.safety;
    if (this.s.last_break_at !== null && this.at - this.s.last_break_at < safety.break_message_interval_minutes * MINUTE_MS) return;
    this.s.last_break_at = this.at;
    this.outcomes.push({ type: 'break_message', template: safety.break_message, reasons });
  }
}

function expiry(minutes: number | undefined, at: number): number | null {
  return minutes === undefined ? null : at + minutes * MINUTE_MS;
}

/** Drops entries of rules, missions (or counters) no longer in the set, once the record outgrows the set: bounded without a scan per event. */
function pruneTo<T>(record: Record<string, T>, keep: ReadonlySet<string> | ReadonlyMap<string, unknown>): Record<string, T> {
  const keys = Object.keys(record);
  if (keys.length <= keep.size) return record;
  const next: Record<string, T> = {};
  for (const k of keys) if (keep.has(k)) next[k] = record[k] as T;
  return next;
}
