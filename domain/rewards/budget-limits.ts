/**
 * Which limits a budget keeper enforces (docs/rewards.md "Budgets across players"), pure: the
 * RewardBudgetDO fetches rule set versions and asks these functions; the unit test asks them too.
 *
 * A keeper belongs to one brand and one rule set id (`budgets:<brand>:<set id>`). Every lease request
 * says which version of the set its holder evaluates (`RuleSetRef`): the brand's published version
 * number and hash, or null for the deployed default (config/rewards.json). The keeper lends against
 * the budgets of *that* version, read from the brand's object once and cached by version:
 *
 * - a version it cannot find, that was never published, that belongs to another set id, or whose hash
 *   is not the one the holder evaluates, lends nothing (fail closed: `acceptVersion`);
 * - budget lines are per rule id and currency, not per rule version: a new version of a rule (or of
 *   the set) keeps the line's `spent` total. The budget is the rule's, not the version's: a marketer
 *   cannot refill a spent budget by publishing the same rule again (retire it and give the new one
 *   a new id to start a new budget);
 * - a lease for an older published version never lends more than the newest published version the
 *   keeper has seen allows (`limitFor`): a player still evaluating the old version for the few seconds
 *   a publication takes to reach it cannot lend against a budget lowered (or a rule paused) since.
 *
 * A lowered budget: `spent + outstanding` never passes the (new) limit for any new lease; leases
 * already lent stay spendable until they are returned (their holders spend them alone, without asking).
 */
import type { Currency } from '../money';
import type { RuleSet } from './rule-schema';

/** The rule set version a lease request is for; `version` null: the deployed default. */
export type RuleSetRef = { brand: string; rule_set_id: string; version: number | null; hash: string | null };

/** Per budget key (a rule id), the declared budget of an active rule, per currency. */
export type BudgetLimits = ReadonlyMap<string, Partial<Record<Currency, number>>>;

/** The budgets of a rule set's active rules (a paused or retired rule lends nothing). */
export function limitsOf(set: { rules: readonly Pick<RuleSet['rules'][number], 'id' | 'status' | 'budget_minor'>[] }): BudgetLimits {
  const out = new Map<string, Partial<Record<Currency, number>>>();
  for (const r of set.rules) if (r.status === 'active' && r.budget_minor !== undefined) out.set(r.id, r.budget_minor);
  return out;
}

/** What the brand's object answers about one version (brand-ops RuleSetVersion, the fields read here). */
export type FetchedVersion = { version: number; rule_set_id: string; hash: string; published_at: number | null };

/** Why a fetched version may not be lent against (null: it may). */
export function acceptVersion(ref: RuleSetRef, v: FetchedVersion): string | null {
  if (v.version !== ref.version) return `asked for version ${ref.version}, got ${v.version}`;
  if (v.rule_set_id !== ref.rule_set_id) return `version ${v.version} is rule set '${v.rule_set_id}', not '${ref.rule_set_id}'`;
  if (v.published_at === null) return `version ${v.version} was never published`;
  if (ref.hash !== null && v.hash !== ref.hash) return `version ${v.version} has hash ${v.hash}, the holder evaluates ${ref.hash}`;
  return null;
}

/** A published version the keeper knows, with its publication time (versions are published in any order of their numbers). */
export type KnownVersion = { version: number; published_at: number };

/** The more recently published of two versions (null: none known yet). */
export function newestOf(a: KnownVersion | null, b: KnownVersion): KnownVersion {
  if (a === null) return b;
  return b.published_at > a.published_at || (b.published_at === a.published_at && b.version > a.version) ? b : a;
}

/**
 * The limit of one line for one request: the requested version's budget (null: that version is
 * unknown, or the rule has no budget in that currency: nothing is lent), capped by the newest
 * published version's when the request is for a published version (`newest`: null when the request
 * is for the newest itself, or for the deployed default, which no publication supersedes).
 */
export function limitFor(requested: BudgetLimits | null, newest: BudgetLimits | null, budgetKey: string, currency: Currency): number | null {
  const own = requested?.get(budgetKey)?.[currency];
  if (own === undefined) return null;
  if (newest === null) return own;
  const current = newest.get(budgetKey)?.[currency];
  return current === undefined ? null : Math.min(own, current);
}

/** The keeper of a brand's rule set's budgets: one per brand and set id (two brands never share a budget). */
export function budgetKeeperName(brand: string, ruleSetId: string): string {
  return `budgets:${brand}:${ruleSetId}`;
}

/** A holder's request to its keeper: leases back and new ones, for the version it evaluates. */
export type LeaseExchange = import('./budget-keeper').ExchangeRequest & { rule_set: RuleSetRef };
