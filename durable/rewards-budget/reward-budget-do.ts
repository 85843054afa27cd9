/**
 * RewardBudgetDO: the budget keeper of one rule set, named `budgets:<rule set id>` (budgetKeeperName).
 * It holds each budget line's totals (spent, outstanding) and every lease it handed out, and runs
 * domain/rewards/budget-keeper.ts over them, one SQLite transaction per request: a line's
 * `spent + outstanding` never passes its limit, the declared `budget_minor` of the rule in the
 * keeper's rule set (the live configuration; a line without one lends nothing).
 *
 * A lease nobody closed is reclaimed by the alarm, RECLAIM_GRACE_MS after its expiry: the keeper asks
 * the holder (the player's object, `closeRewardLease`), which closes it on its side first and answers
 * what it used; the unused rest goes back to the line. A holder that cannot be reached keeps its
 * lease outstanding (the budget stays safe, just lent) and is asked again at the next alarm.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Currency } from '../../domain/money';
import { close, DEFAULT_POLICY, exchange, type ExchangeRequest, type ExchangeResult, type KeeperStore, type Lease, type LineTotals } from '../../domain/rewards/budget-keeper';
import { liveRewardsConfig, type RewardsConfig } from '../player/rewards-config';
import { Db, migrate } from '../lib/sql';

const MIGRATIONS = [`
  create table budget_lines (
    line text primary key,
    spent_minor integer not null check (spent_minor >= 0),
    outstanding_minor integer not null check (outstanding_minor >= 0)
  );
  -- every lease ever handed out (and tombstones: closed before their open arrived), so that every
  -- request stays idempotent; used_minor null = open
  create table budget_leases (
    lease_id text primary key,
    holder text not null,
    line text not null,
    amount_minor integer not null check (amount_minor >= 0),
    used_minor integer check (used_minor is null or (used_minor >= 0 and used_minor <= amount_minor)),
    expires_at integer not null,
    granted_at integer not null
  );
  create index budget_leases_open on budget_leases (expires_at) where used_minor is null;
  create index budget_leases_closed on budget_leases (granted_at) where used_minor is not null;
`];

/** A lease is reclaimed this long after its expiry (the holder stops spending it 30 s before). */
export const RECLAIM_GRACE_MS = 60_000;
const RECLAIM_BATCH = 50;
/** A holder that did not answer is asked again this much later (no tight loop on an unreachable object). */
const RECLAIM_RETRY_MS = 60_000;
/**
 * Closed leases are kept this long (the idempotency memory of their ids), then purged. Safe to
 * forget: a lost open sent again after that gets a fresh lease (it counts as outstanding like any
 * other), and a close sent again is refused as a conflict, which its holder treats as closed.
 */
export const CLOSED_LEASE_RETENTION_MS = 2 * 24 * 3_600_000;
const PURGE_BATCH = 1_000;

/** `budgets:<rule set id>`: the same name the player's leases record (reward-budgets.ts keeperOf). */
export function budgetKeeperName(ruleSetId: string): string {
  return `budgets:${ruleSetId}`;
}

export type BudgetLineView = { line: string; limit_minor: number | null; spent_minor: number; outstanding_minor: number; open_leases: number };

class SqlKeeperStore implements KeeperStore {
  constructor(private readonly db: Db) {}
  totals(line: string): LineTotals {
    const r = this.db.first<{ spent_minor: number; outstanding_minor: number }>`select spent_minor, outstanding_minor from budget_lines where line = ${line}`;
    return { spent: r?.spent_minor ?? 0, outstanding: r?.outstanding_minor ?? 0 };
  }
  setTotals(line: string, t: LineTotals): void {
    this.db.run`insert into budget_lines (line, spent_minor, outstanding_minor) values (${line}, ${t.spent}, ${t.outstanding})
      on conflict (line) do update set spent_minor = excluded.spent_minor, outstanding_minor = excluded.outstanding_minor`;
  }
  lease(leaseId: string): Lease | null {
    const r = this.db.first<{ lease_id: string; holder: string; line: string; amount_minor: number; used_minor: number | null; expires_at: number; granted_at: number }>`
      select * from budget_leases where lease_id = ${leaseId}`;
    return r ? { lease_id: r.lease_id, holder: r.holder, line: r.line, amount: r.amount_minor, used: r.used_minor, expires_at: r.expires_at, granted_at: r.granted_at } : null;
  }
  putLease(l: Lease): void {
    this.db.run`insert into budget_leases (lease_id, holder, line, amount_minor, used_minor, expires_at, granted_at)
      values (${l.lease_id}, ${l.holder}, ${l.line}, ${l.amount}, ${l.used}, ${l.expires_at}, ${l.granted_at})
      on conflict (lease_id) do update set used_minor = excluded.used_minor`;
  }
}

export class RewardBudgetDO extends DurableObject<Env> {
  private readonly db: Db;
  private readonly store: SqlKeeperStore;
  private config: RewardsConfig;
  /** Tests move time forward with this; production leaves it at 0. */
  clockOffsetMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new Db(ctx.storage.sql);
    this.store = new SqlKeeperStore(this.db);
    this.config = liveRewardsConfig();
    ctx.blockConcurrencyWhile(async () => migrate(this.db, MIGRATIONS, ctx.storage));
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Tests swap the rule set whose budgets this keeper enforces. */
  use(config: RewardsConfig): void {
    this.config = config;
  }

  private limitOf = (budgetKey: string, currency: Currency): number | null =>
    this.config.compiled.set.rules.find((r) => r.id === budgetKey && r.status === 'active')?.budget_minor?.[currency] ?? null;

  /** A holder gives leases back (with what it used) and asks for new ones, in one transaction. */
  async exchange(req: ExchangeRequest): Promise<ExchangeResult> {
    const result = this.ctx.storage.transactionSync(() => exchange(this.store, req, this.limitOf, this.now(), DEFAULT_POLICY));
    await this.arm();
    return result;
  }

  /** The lines' totals against their limits (tests, the back office). */
  lines(): BudgetLineView[] {
    return this.db.all<{ line: string; spent_minor: number; outstanding_minor: number; open_leases: number }>`
      select l.line, l.spent_minor, l.outstanding_minor, (select count(*) from budget_leases b where b.line = l.line and b.used_minor is null) as open_leases
      from budget_lines l order by l.line`.map((r) => {
      const i = r.line.lastIndexOf('|');
      return { ...r, limit_minor: this.limitOf(r.line.slice(0, i), r.line.slice(i + 1) as Currency) };
    });
  }

  private async arm(): Promise<void> {
    const next = this.db.first<{ at: number | null }>`select min(expires_at) as at from budget_leases where used_minor is null`?.at ?? null;
    if (next === null) return;
    const at = next + RECLAIM_GRACE_MS - this.clockOffsetMs; // the alarm runs on the platform's clock
    const armed = await this.ctx.storage.getAlarm();
    if (armed === null || armed > at) await this.ctx.storage.setAlarm(Math.max(at, Date.now()));
  }

  /** Reclaims the leases past their expiry and grace: each holder closes its lease and says what it used. Purges old closed leases. */
  override async alarm(): Promise<void> {
    this.db.run`delete from budget_leases where lease_id in (select lease_id from budget_leases
      where used_minor is not null and granted_at < ${this.now() - CLOSED_LEASE_RETENTION_MS} limit ${PURGE_BATCH})`;
    const due = this.db.all<{ lease_id: string; holder: string }>`select lease_id, holder from budget_leases
      where used_minor is null and expires_at <= ${this.now() - RECLAIM_GRACE_MS} order by expires_at limit ${RECLAIM_BATCH}`;
    let failed = 0;
    for (const d of due) {
      try {
        const { used_minor } = await this.env.PLAYER.getByName(d.holder).closeRewardLease(d.lease_id);
        this.ctx.storage.transactionSync(() => close(this.store, d.holder, { lease_id: d.lease_id, used_minor }, this.now()));
      } catch (err) {
        // the holder could not answer: its lease stays lent (safe) and is asked for again
        console.warn(`reward budget: lease ${d.lease_id} of ${d.holder} not reclaimed: ${(err as Error).message}`);
        failed++;
      }
    }
    if (failed > 0) await this.ctx.storage.setAlarm(Date.now() + RECLAIM_RETRY_MS);
    else if (due.length === RECLAIM_BATCH) await this.ctx.storage.setAlarm(Date.now());
    else await this.arm();
  }
}
