/**
 * The player's side of budgets across players (docs/rewards.md "Budgets across players"): the
 * leases this object holds from the budget keeper (RewardBudgetDO, domain/rewards/budget-keeper.ts).
 *
 * The engine reads `budget_remaining_minor` as what the open leases have left, synchronously, and a
 * grant spends its cost from its lease in the same transaction that records it (`spend`): the
 * grant and the spending commit or roll back together. Asking the keeper for a new lease needs an
 * await, so it never happens inside a transaction: `refill` runs after the commit, in three steps:
 *
 * 1. a transaction writes the plan: each lease to give back turns `closing` (never spent again:
 *    its use is final) and each new one is a `requested` row under a fresh lease id;
 * 2. one RPC to the keeper closes and opens them (idempotent on the lease ids);
 * 3. a transaction records the answer: `closing` -> `closed`, `requested` -> `open` (or empty).
 *
 * A crash or a lost answer between the steps leaves rows in `requested` or `closing`: the next
 * refill sends them again under the same ids, and the keeper answers the same. A `requested` lease
 * is never spent, so nothing can be spent that the keeper did not lend. The keeper takes back a
 * lease nobody closed after its expiry by asking this object (`closeForKeeper`), which closes it
 * here first.
 *
 * Costs: the live leases are held in memory (loaded once per object start or rollback, one
 * statement); an evaluation that spends nothing writes nothing here.
 */
import type { CloseRequest, ExchangeResult, OpenRequest } from '../../domain/rewards/budget-keeper';
import { budgetKeeperName, type LeaseExchange, type RuleSetRef } from '../../domain/rewards/budget-limits';
import type { Currency } from '../../domain/money';
import { uuidv7 } from '../../domain/ids';
import { CASH_LIKE, type CompiledRuleSet, type Outcome } from '../../domain/rewards';
import type { PlayerContext } from './context';

type LeaseState = 'requested' | 'open' | 'closing' | 'closed';
type LeaseRow = {
  lease_id: string; keeper: string; budget_key: string; currency: Currency; state: LeaseState;
  want_minor: number; min_minor: number; amount_minor: number; used_minor: number; expires_at: number | null; created_at: number;
};

/** A lease is not spent in its last half minute: the keeper reclaims only after its expiry (and asks this object first anyway). */
const SPEND_MARGIN_MS = 30_000;
/** A lease asks for what this many of the rule's largest grants cost: small leases strand little of a budget in idle players. */
const GRANTS_PER_LEASE = 2;
const RETRY_MS = 30_000;

/** The keeper of a brand's rule set's budgets (durable/rewards-budget: RewardBudgetDO's name). */
export function keeperOf(brand: string, compiled: CompiledRuleSet): string {
  return budgetKeeperName(brand, compiled.set.id);
}

/** The version a request is for: the brand's published version (number and hash), or the deployed default. */
export type PublishedRef = { version: number; hash: string } | null;

type BudgetedKey = { budget_key: string; budget_minor: number; max_cost_minor: number };
/** Per rule set and currency, computed once (it is read after every evaluated transaction). */
const budgetedMemo = new WeakMap<CompiledRuleSet, Map<Currency, BudgetedKey[]>>();

/** The budgeted keys of a rule set in one currency: the declared budget and the largest single grant's cost. */
export function budgetedKeys(compiled: CompiledRuleSet, currency: Currency): readonly BudgetedKey[] {
  let byCurrency = budgetedMemo.get(compiled);
  if (!byCurrency) budgetedMemo.set(compiled, byCurrency = new Map());
  let keys = byCurrency.get(currency);
  if (!keys) byCurrency.set(currency, keys = computeBudgetedKeys(compiled, currency));
  return keys;
}

function computeBudgetedKeys(compiled: CompiledRuleSet, currency: Currency): BudgetedKey[] {
  const out: BudgetedKey[] = [];
  for (const rule of compiled.set.rules) {
    const budget = rule.budget_minor?.[currency];
    if (budget === undefined || rule.status !== 'active') continue;
    const actionSets = rule.actions ? [rule.actions] : (rule.variants ?? []).map((v) => v.actions);
    let max = 0;
    for (const actions of actionSets) {
      for (const a of actions) {
        if (CASH_LIKE.has(a.type) && (a.type === 'free_bet' || a.type === 'cashback')) max = Math.max(max, a.value_minor[currency] ?? 0);
        if (a.type === 'wheel_spin') {
          for (const p of compiled.wheels.get(a.wheel_id)?.prizes ?? []) {
            if (p.reward && (p.reward.type === 'free_bet' || p.reward.type === 'cashback')) max = Math.max(max, p.reward.value_minor[currency] ?? 0);
          }
        }
      }
    }
    if (max > 0) out.push({ budget_key: rule.id, budget_minor: budget, max_cost_minor: max });
  }
  return out;
}

export class PlayerBudgets {
  /** Every lease not yet closed, and closed empty ones still inside their expiry (they say: do not ask again yet). */
  private live: Map<string, LeaseRow> | undefined;
  private inFlight: Promise<void> | null = null;
  /** After a failed exchange (the keeper unreachable), no new attempt before this (memory: a restart may try at once). */
  private retryAt = 0;

  constructor(private readonly ctx: PlayerContext) {
    ctx.onForget(() => { this.live = undefined; });
  }

  private leases(): Map<string, LeaseRow> {
    if (!this.live) {
      const rows = this.ctx.db.all<LeaseRow>`select lease_id, keeper, budget_key, currency, state, want_minor, min_minor, amount_minor, used_minor, expires_at, created_at
        from reward_budget_leases where state != 'closed' or expires_at > ${this.ctx.now()}`;
      this.live = new Map(rows.map((r) => [r.lease_id, r]));
    }
    return this.live;
  }

  private spendable(l: LeaseRow, now: number): boolean {
    return l.state === 'open' && l.expires_at !== null && now < l.expires_at - SPEND_MARGIN_MS;
  }

  /**
   * What the open leases of `keeper` have left, per budget key, in `currency`: the engine's
   * `budget_remaining_minor`. `now`: the evaluation's, the same that `spend` is given.
   */
  remaining(keeper: string, currency: Currency, now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of this.leases().values()) {
      if (l.keeper !== keeper || l.currency !== currency || !this.spendable(l, now)) continue;
      out[l.budget_key] = (out[l.budget_key] ?? 0) + l.amount_minor - l.used_minor;
    }
    return out;
  }

  /**
   * Spends each grant's cost from its key's open leases, in the grant's transaction. The engine
   * granted only what `remaining` allowed, so a shortfall here is a bug: thrown (the grant and
   * the event that carried it roll back together).
   */
  spend(outcomes: readonly Outcome[], keeper: string, currency: Currency, now: number): void {
    for (const o of outcomes) {
      if (o.type !== 'grant' || o.cost_minor === 0 || o.budget_key === null) continue;
      let due = o.cost_minor;
      for (const l of this.leases().values()) {
        if (due === 0) break;
        if (l.keeper !== keeper || l.budget_key !== o.budget_key || l.currency !== currency || !this.spendable(l, now)) continue;
        const take = Math.min(due, l.amount_minor - l.used_minor);
        if (take <= 0) continue;
        const row = this.ctx.db.first<{ used_minor: number }>`update reward_budget_leases set used_minor = used_minor + ${take}
          where lease_id = ${l.lease_id} and state = 'open' returning used_minor`;
        if (!row || row.used_minor !== l.used_minor + take) throw new Error(`invariant: lease ${l.lease_id} in storage != memory`);
        this.leases().set(l.lease_id, { ...l, used_minor: row.used_minor });
        due -= take;
      }
      if (due > 0) throw new Error(`invariant: grant ${o.grant_id} costs ${o.cost_minor} but the leases of ${o.budget_key} had ${o.cost_minor - due} left`);
    }
  }

  /** In memory, no statement: does some budgeted key lack a usable lease (and may ask for one now)? */
  wantsRefill(compiled: CompiledRuleSet, keeper: string, currency: Currency): boolean {
    const now = this.ctx.now();
    return now >= this.retryAt && this.plan(compiled, keeper, currency, now) !== null;
  }

  private plan(compiled: CompiledRuleSet, keeper: string, currency: Currency, now: number): { close: LeaseRow[]; drop: LeaseRow[]; open: { budget_key: string; want: number; min: number }[]; resend: LeaseRow[] } | null {
    const close: LeaseRow[] = [];
    const drop: LeaseRow[] = [];
    const open: { budget_key: string; want: number; min: number }[] = [];
    const resend: LeaseRow[] = [];
    // empty answers past their expiry say nothing any more (memory only: SQL keeps every lease)
    for (const [id, l] of this.leases()) if (l.state === 'closed' && (l.expires_at === null || l.expires_at <= now)) this.leases().delete(id);
    // another rule set's leases: closed here, left to their keeper's reclaim (it asks this object)
    for (const l of this.leases().values()) if (l.keeper !== keeper && l.state !== 'closed') drop.push(l);
    const leases = [...this.leases().values()].filter((l) => l.keeper === keeper);
    for (const l of leases) if (l.state === 'requested' || l.state === 'closing') resend.push(l);
    const daily = compiled.set.caps.cash_minor_per_day[currency] ?? 0;
    for (const k of budgetedKeys(compiled, currency)) {
      const mine = leases.filter((l) => l.budget_key === k.budget_key && l.currency === currency);
      if (mine.some((l) => l.state === 'requested')) continue; // an answer is awaited
      // an empty answer (nothing left) is kept until its expiry: no new question before
      if (mine.some((l) => l.state === 'closed' && l.expires_at !== null && l.expires_at > now)) continue;
      const usable = mine.filter((l) => this.spendable(l, now) && l.amount_minor - l.used_minor >= k.max_cost_minor);
      for (const l of mine) if (l.state === 'open' && !usable.includes(l)) close.push(l);
      if (usable.length === 0 && daily >= k.max_cost_minor) open.push({ budget_key: k.budget_key, want: Math.min(daily, k.max_cost_minor * GRANTS_PER_LEASE), min: k.max_cost_minor });
    }
    // open leases of keys no longer budgeted (a new rule set) go back too
    const keys = new Set(budgetedKeys(compiled, currency).map((k) => k.budget_key));
    for (const l of leases) if (l.state === 'open' && (!keys.has(l.budget_key) || l.currency !== currency) && !close.includes(l)) close.push(l);
    return close.length + drop.length + open.length + resend.length === 0 ? null : { close, drop, open, resend };
  }

  /**
   * Steps 1-3 above. One at a time per object (a second call waits for the first and returns);
   * a failed RPC leaves the rows for the next refill. `exchange`: the keeper's RPC; `ruleSet`: the
   * version evaluated, whose budgets the keeper lends against (budget-limits.ts).
   */
  async refill(compiled: CompiledRuleSet, ruleSet: RuleSetRef, currency: Currency, holder: string, exchange: (req: LeaseExchange) => Promise<ExchangeResult>, tx: <T>(fn: () => T) => T): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = (async () => {
      const req = tx(() => this.writePlan(compiled, ruleSet, currency, holder));
      if (!req) return;
      let answer: ExchangeResult;
      try {
        answer = await exchange(req);
      } catch (err) {
        this.retryAt = this.ctx.now() + RETRY_MS; // the rows wait, requested or closing, for the next attempt
        throw err;
      }
      tx(() => this.record(answer));
    })().finally(() => { this.inFlight = null; });
    return this.inFlight;
  }

  private writePlan(compiled: CompiledRuleSet, ruleSet: RuleSetRef, currency: Currency, holder: string): LeaseExchange | null {
    const now = this.ctx.now();
    const keeper = budgetKeeperName(ruleSet.brand, ruleSet.rule_set_id);
    const plan = this.plan(compiled, keeper, currency, now);
    if (!plan) return null;
    const closeReqs: CloseRequest[] = [];
    const openReqs: OpenRequest[] = [];
    for (const l of plan.drop) {
      this.ctx.db.run`update reward_budget_leases set state = 'closed' where lease_id = ${l.lease_id}`;
      this.settle(l.lease_id, 'closed');
    }
    for (const l of plan.close) {
      this.ctx.db.run`update reward_budget_leases set state = 'closing' where lease_id = ${l.lease_id} and state = 'open'`;
      this.leases().set(l.lease_id, { ...l, state: 'closing' });
      closeReqs.push({ lease_id: l.lease_id, used_minor: l.used_minor });
    }
    for (const l of plan.resend) {
      if (l.state === 'closing') closeReqs.push({ lease_id: l.lease_id, used_minor: l.used_minor });
      else openReqs.push({ lease_id: l.lease_id, budget_key: l.budget_key, currency: l.currency, want_minor: l.want_minor, min_minor: l.min_minor });
    }
    for (const o of plan.open) {
      const row: LeaseRow = { lease_id: `${holder}:${uuidv7(now)}`, keeper, budget_key: o.budget_key, currency, state: 'requested', want_minor: o.want, min_minor: o.min, amount_minor: 0, used_minor: 0, expires_at: null, created_at: now };
      this.ctx.db.run`insert into reward_budget_leases (lease_id, keeper, budget_key, currency, state, want_minor, min_minor, created_at)
        values (${row.lease_id}, ${row.keeper}, ${row.budget_key}, ${row.currency}, 'requested', ${row.want_minor}, ${row.min_minor}, ${now})`;
      this.leases().set(row.lease_id, row);
      openReqs.push({ lease_id: row.lease_id, budget_key: row.budget_key, currency, want_minor: row.want_minor, min_minor: row.min_minor });
    }
    return closeReqs.length + openReqs.length === 0 ? null : { holder, close: closeReqs, open: openReqs, rule_set: ruleSet };
  }

  private record(answer: ExchangeResult): void {
    for (const c of answer.closed) {
      // 'conflict' or 'foreign' is a bug on one side: the lease is closed here all the same (never
      // spent again; at worst the keeper keeps it lent), so that it is not sent again at every refill
      if (c.outcome !== 'closed' && c.outcome !== 'replay') console.warn(`reward budget: closing lease ${c.lease_id} answered ${c.outcome}`);
      this.ctx.db.run`update reward_budget_leases set state = 'closed' where lease_id = ${c.lease_id} and state = 'closing'`;
      this.settle(c.lease_id, 'closed');
    }
    for (const o of answer.opened) {
      const l = this.leases().get(o.lease_id);
      if (!l || l.state !== 'requested') continue;
      const state: LeaseState = o.closed || o.amount_minor === 0 ? 'closed' : 'open';
      // timed on this object's clock (from the answer: a lease answered late only lasts shorter on the keeper's side, which asks here before taking it back)
      const expiresAt = this.ctx.now() + o.ttl_ms;
      this.ctx.db.run`update reward_budget_leases set state = ${state}, amount_minor = ${o.amount_minor}, expires_at = ${expiresAt}
        where lease_id = ${o.lease_id} and state = 'requested'`;
      this.leases().set(o.lease_id, { ...l, state, amount_minor: o.amount_minor, expires_at: expiresAt });
    }
  }

  private settle(leaseId: string, state: LeaseState): void {
    const l = this.leases().get(leaseId);
    if (!l) return;
    if (state === 'closed' && (l.expires_at === null || l.expires_at <= this.ctx.now())) this.leases().delete(leaseId);
    else this.leases().set(leaseId, { ...l, state });
  }

  /**
   * The keeper reclaims a lease after its expiry: closed here first (no more spending), and its
   * use answered. A lease this object never heard the answer to (still `requested`) was never
   * spent: closed with 0. One it does not know at all: 0 too (it can never be spent here).
   */
  closeForKeeper(leaseId: string): { used_minor: number } {
    const row = this.ctx.db.first<LeaseRow>`select * from reward_budget_leases where lease_id = ${leaseId}`;
    if (!row) return { used_minor: 0 };
    if (row.state !== 'closed') {
      this.ctx.db.run`update reward_budget_leases set state = 'closed' where lease_id = ${leaseId}`;
      this.settle(leaseId, 'closed');
    }
    return { used_minor: row.used_minor };
  }

  /** The leases, newest first (tests, the back office). */
  list(limit = 50): LeaseRow[] {
    return this.ctx.db.all<LeaseRow>`select * from reward_budget_leases order by created_at desc, lease_id desc limit ${limit}`;
  }

  /** Debug mode: memory against SQL. */
  verifyHotState(): string[] {
    if (!this.live) return [];
    const problems: string[] = [];
    for (const l of this.live.values()) {
      const row = this.ctx.db.first<LeaseRow>`select lease_id, keeper, budget_key, currency, state, want_minor, min_minor, amount_minor, used_minor, expires_at, created_at
        from reward_budget_leases where lease_id = ${l.lease_id}`;
      if (JSON.stringify(row) !== JSON.stringify(l)) problems.push(`lease ${l.lease_id} in memory != SQL`);
    }
    const open = this.ctx.db.first<{ n: number }>`select count(*) as n from reward_budget_leases where state != 'closed'`!.n;
    if ([...this.live.values()].filter((l) => l.state !== 'closed').length !== open) problems.push('live leases in memory != SQL');
    return problems;
  }
}
