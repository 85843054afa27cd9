/**
 * RewardBudgetDO: the budget keeper of one brand's rule set, named `budgets:<brand>:<rule set id>`
 * (budgetKeeperName). It holds each budget line's totals (spent, outstanding) and every lease it
 * handed out, and runs domain/rewards/budget-keeper.ts over them, one SQLite transaction per request:
 * a line's `spent + outstanding` never passes its limit.
 *
 * The limits (domain/rewards/budget-limits.ts): each request names the rule set version its holder
 * evaluates; the keeper lends against that version's `budget_minor`, read once from the brand's
 * back-office object (BrandOpsDO.ruleSetVersion) and cached by version, capped by the newest
 * published version it has seen. The deployed default (version null) is config/rewards.json. A
 * version it cannot read or verify lends nothing (fail closed; asked again at the next request).
 *
 * A lease nobody closed is reclaimed by the alarm, RECLAIM_GRACE_MS after its expiry: the keeper asks
 * the holder (the player's object, `closeRewardLease`), which closes it on its side first and answers
 * what it used; the unused rest goes back to the line. A holder that cannot be reached keeps its
 * lease outstanding (the budget stays safe, just lent) and is asked again at the next alarm.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Currency } from '../../domain/money';
import { close, DEFAULT_POLICY, exchange, type ExchangeResult, type KeeperStore, type Lease, type LineTotals } from '../../domain/rewards/budget-keeper';
import { acceptVersion, limitFor, limitsOf, newestOf, type BudgetLimits, type KnownVersion, type LeaseExchange, type RuleSetRef } from '../../domain/rewards/budget-limits';
import type { Result } from '../../domain/errors';
import type { RuleSet } from '../../domain/rewards/rule-schema';
import type { RuleSetVersion } from '../brand-ops/rule-sets';
import { brandOpsName } from '../brand-ops/types';
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
`, `
  -- whose keeper this is (set by the first request: a request for another brand or set lends nothing),
  -- and the newest published version seen, which caps what older versions lend (budget-limits.ts)
  create table keeper_meta (
    id integer primary key check (id = 1),
    brand text not null,
    rule_set_id text not null,
    newest_version integer,
    newest_published_at integer
  );
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

/** `budgets:<brand>:<rule set id>`: the same name the player's leases record (reward-budgets.ts keeperOf). */
export { budgetKeeperName } from '../../domain/rewards/budget-limits';

type LimitOf = (budgetKey: string, currency: Currency) => number | null;
const LENDS_NOTHING: LimitOf = () => null;
/** Published versions' limits kept in memory (a brand publishes a few versions a day at most). */
const VERSION_CACHE_MAX = 8;
type CachedVersion = { hash: string; published_at: number; limits: BudgetLimits };
/**
 * How often the keeper asks the brand which version is live (one small RPC, "unchanged" unless it
 * moved): a lowered budget or a paused rule caps the leases of holders still on an older version
 * within this, even before one of them asks with the new version.
 */
export const LIVE_CHECK_MS = 5_000;

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
  /** The deployed default's rules (version null); tests swap it with `use`. */
  private config: RewardsConfig;
  private readonly versions = new Map<number, CachedVersion>();
  private liveCheckedAt = -Infinity;
  private liveVersion: number | null = null;
  /**
   * Whether `liveVersion` was answered by the brand (memory: a restart asks again at its first
   * request), and the newest published version known then: a version learnt since (a holder asking
   * for it) was published after that answer, which is then stale and caps nothing.
   */
  private liveKnown = false;
  private liveNewest: number | null = null;
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

  /** Tests swap the deployed default whose budgets this keeper enforces for version null. */
  use(config: RewardsConfig): void {
    this.config = config;
  }

  private meta(): { brand: string; rule_set_id: string; newest: KnownVersion | null } | null {
    const r = this.db.first<{ brand: string; rule_set_id: string; newest_version: number | null; newest_published_at: number | null }>`select * from keeper_meta where id = 1`;
    if (!r) return null;
    return { brand: r.brand, rule_set_id: r.rule_set_id, newest: r.newest_version === null || r.newest_published_at === null ? null : { version: r.newest_version, published_at: r.newest_published_at } };
  }

  /** This keeper's brand and set: set by the first request; another's request is refused (false). */
  private claim(ref: RuleSetRef): boolean {
    const m = this.meta();
    if (!m) {
      this.db.run`insert into keeper_meta (id, brand, rule_set_id) values (1, ${ref.brand}, ${ref.rule_set_id})`;
      return true;
    }
    return m.brand === ref.brand && m.rule_set_id === ref.rule_set_id;
  }

  /** A published version's limits: from memory, else read from the brand's object once and verified; null: lend nothing. */
  private async published(ref: RuleSetRef & { version: number }): Promise<CachedVersion | null> {
    let v = this.versions.get(ref.version);
    if (!v) {
      let answer: Result<{ version: RuleSetVersion; rule_set: RuleSet }>;
      try {
        answer = await this.env.BRAND_OPS.getByName(brandOpsName(ref.brand)).ruleSetVersion(ref.version);
      } catch (err) {
        console.warn(`reward budget: version ${ref.version} of ${ref.brand} unreadable, nothing lent: ${(err as Error).message}`);
        return null;
      }
      if (!answer.ok) return null;
      const refused = acceptVersion({ ...ref, hash: null }, answer.version);
      if (refused !== null || answer.version.published_at === null) {
        console.warn(`reward budget: ${ref.brand} ${refused ?? 'unpublished'}: nothing lent`);
        return null;
      }
      v = { hash: answer.version.hash, published_at: answer.version.published_at, limits: limitsOf(answer.rule_set) };
      if (this.versions.size >= VERSION_CACHE_MAX) this.versions.delete(this.versions.keys().next().value!);
      this.versions.set(ref.version, v);
      this.noteNewest({ version: ref.version, published_at: v.published_at });
    }
    if (ref.hash !== null && ref.hash !== v.hash) return null; // the holder evaluates other content under this number
    return v;
  }

  /** At most once per LIVE_CHECK_MS: the brand's live version, so that it caps older versions' leases (budget-limits.ts). */
  private async checkLive(brand: string, ruleSetId: string): Promise<void> {
    if (this.now() - this.liveCheckedAt < LIVE_CHECK_MS) return;
    this.liveCheckedAt = this.now();
    try {
      const live = await this.env.BRAND_OPS.getByName(brandOpsName(brand)).activeRuleSet(this.liveVersion);
      if (live.changed) {
        this.liveVersion = live.version;
        // another set id live: it has a keeper of its own and caps nothing here
        if (live.version !== null && !this.versions.has(live.version)) await this.published({ brand, rule_set_id: ruleSetId, version: live.version, hash: live.hash });
      }
      this.liveKnown = true;
      this.liveNewest = this.meta()?.newest?.version ?? null;
    } catch (err) {
      // the requested version was verified; only the cap may be a few seconds late
      console.warn(`reward budget: live version of ${brand} unreadable: ${(err as Error).message}`);
    }
  }

  private noteNewest(v: KnownVersion): void {
    const m = this.meta();
    if (!m) return;
    const newest = newestOf(m.newest, v);
    if (newest !== m.newest) this.db.run`update keeper_meta set newest_version = ${newest.version}, newest_published_at = ${newest.published_at} where id = 1`;
  }

  /**
   * The limits for one request (budget-limits.ts): the requested version's, capped by what the brand
   * has live (review 2: a retired version, or the deployed default while a version of this set is
   * live, lends no more than what is live allows), else by the newest published version's.
   */
  private async limitsFor(ref: RuleSetRef): Promise<LimitOf> {
    if (!this.claim(ref)) {
      console.warn(`reward budget: a request for ${ref.brand}/${ref.rule_set_id} reached another brand's or set's keeper: nothing lent`);
      return LENDS_NOTHING;
    }
    let requested: BudgetLimits;
    if (ref.version === null) {
      // the deployed default: the holder and this keeper run the same deployment's configuration
      const set = this.config.compiled.set;
      if (set.id !== ref.rule_set_id) return LENDS_NOTHING;
      requested = limitsOf(set);
    } else {
      const v = await this.published({ ...ref, version: ref.version });
      if (!v) return LENDS_NOTHING;
      requested = v.limits;
    }
    await this.checkLive(ref.brand, ref.rule_set_id);
    const cap = await this.capFor(ref);
    if (cap === 'nothing') return LENDS_NOTHING;
    return (key, currency) => limitFor(requested, cap, key, currency);
  }

  /**
   * What caps a request's version (null: nothing, it is what is live). When the brand's live version
   * is known: the live version of this set (cached by checkLive) caps every other version and the
   * default; the default, when the brand is back on it, caps every retired version (and lends for
   * this set only if the default is this set). Otherwise (not known yet, stale since a newer version
   * became known, or another set's version is live, whose keeper is another), the newest published
   * version of this set caps the older ones.
   */
  private async capFor(ref: RuleSetRef): Promise<BudgetLimits | null | 'nothing'> {
    const newest = this.meta()?.newest ?? null;
    if (this.liveKnown && (newest?.version ?? null) === this.liveNewest) {
      if (this.liveVersion === ref.version) return null;
      if (this.liveVersion === null) {
        const set = this.config.compiled.set;
        return set.id === ref.rule_set_id ? limitsOf(set) : 'nothing';
      }
      const live = this.versions.get(this.liveVersion);
      if (live) return live.limits;
    }
    if (ref.version === null) return null;
    if (newest === null || newest.version === ref.version) return null;
    const cap = await this.published({ ...ref, version: newest.version, hash: null });
    return cap ? cap.limits : 'nothing';
  }

  /** A holder gives leases back (with what it used) and asks for new ones for its rule set version, in one transaction. */
  async exchange(req: LeaseExchange): Promise<ExchangeResult> {
    // read before the transaction (an await); a lease is never lent without a limit that was read
    const limitOf = await this.limitsFor(req.rule_set);
    const result = this.ctx.storage.transactionSync(() => exchange(this.store, req, limitOf, this.now(), DEFAULT_POLICY));
    await this.arm();
    return result;
  }

  /** The limit shown for a line: the newest published version's when one is known (in memory), else the default's. */
  private shownLimit(budgetKey: string, currency: Currency): number | null {
    const newest = this.meta()?.newest ?? null;
    const limits = newest === null ? limitsOf(this.config.compiled.set) : this.versions.get(newest.version)?.limits ?? null;
    return limitFor(limits, null, budgetKey, currency);
  }

  /** The lines' totals against their limits (tests, the back office). */
  lines(): BudgetLineView[] {
    return this.db.all<{ line: string; spent_minor: number; outstanding_minor: number; open_leases: number }>`
      select l.line, l.spent_minor, l.outstanding_minor, (select count(*) from budget_leases b where b.line = l.line and b.used_minor is null) as open_leases
      from budget_lines l order by l.line`.map((r) => {
      const i = r.line.lastIndexOf('|');
      return { ...r, limit_minor: this.shownLimit(r.line.slice(0, i), r.line.slice(i + 1) as Currency) };
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
