/**
 * Responsible-gaming limits of one player: deposit, loss and wager limits per rolling day / week /
 * month (per currency), a session-time limit and a reality-check interval. Lowering applies at
 * once; raising or removing waits LIMIT_INCREASE_COOLING_MS and is visible as pending meanwhile.
 * Usage is kept in hourly buckets. Both the limits and the usage are held in memory (loaded on first
 * use, written through in the same transaction, forgotten when a transaction rolls back), so a
 * check reads no SQL at all; `verify` compares them with SQL in debug mode.
 */
import { fail, type Result } from '../../domain/errors';
import {
  LIMIT_INCREASE_COOLING_MS, hourOf, isRestrictive, windowStartHour,
  type LimitKind, type LimitPeriod, type MoneyLimitKind,
} from '../../domain/limits';
import type { Currency } from '../../domain/money';
import type { PlayerContext } from './context';

type LimitRow = {
  kind: LimitKind;
  period: LimitPeriod;
  currency: string;
  value: number | null;
  pending_value: number | null;
  pending_set: number;
  pending_effective_at: number | null;
  updated_at: number;
};

export type LimitView = {
  kind: LimitKind;
  period: LimitPeriod;
  currency: string | null;
  value: number | null;
  pending: { value: number | null; effective_at: number } | null;
};

export type UsageMetric = 'deposit' | 'wager' | 'loss';

/** Time limits are not in a currency; they are stored under this placeholder. */
const NO_CURRENCY = '';

/** A usage row as written: one metric, currency and hour. */
type UsageEntry = { metric: UsageMetric; currency: Currency; amount: number; atMs: number };

export class Limits {
  /** Every row of `limits`; undefined until loaded (or after a rollback). */
  private cachedRows: LimitRow[] | undefined = undefined;
  /** `metric|currency` -> hour -> amount, every row of `rg_usage`; undefined until loaded. */
  private cachedUsage: Map<string, Map<number, number>> | undefined = undefined;

  constructor(private readonly ctx: PlayerContext) {
    ctx.onForget(() => this.forget());
  }

  forget(): void {
    this.cachedRows = undefined;
    this.cachedUsage = undefined;
  }

  private rows(): LimitRow[] {
    this.cachedRows ??= this.ctx.db.all<LimitRow>`select * from limits`;
    return this.cachedRows;
  }

  private usage(): Map<string, Map<number, number>> {
    if (this.cachedUsage === undefined) {
      const usage = new Map<string, Map<number, number>>();
      for (const r of this.ctx.db.all<{ metric: UsageMetric; currency: string; hour: number; amount_minor: number }>`select metric, currency, hour, amount_minor from rg_usage`) {
        const key = `${r.metric}|${r.currency}`;
        let hours = usage.get(key);
        if (!hours) usage.set(key, hours = new Map());
        hours.set(r.hour, r.amount_minor);
      }
      this.cachedUsage = usage;
    }
    return this.cachedUsage;
  }

  /** Debug mode: what memory holds that SQL does not (empty when they agree). */
  verify(): string[] {
    const problems: string[] = [];
    if (this.cachedRows !== undefined) {
      const sql = JSON.stringify(this.ctx.db.all<LimitRow>`select * from limits order by kind, period, currency`);
      const key = (r: LimitRow) => `${r.kind}|${r.period}|${r.currency}`;
      const mem = JSON.stringify([...this.cachedRows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
      if (sql !== mem) problems.push(`limits in memory ${mem} != SQL ${sql}`);
    }
    if (this.cachedUsage !== undefined) {
      const sql = this.ctx.db.all<{ k: string; amount_minor: number }>`select metric || '|' || currency || '|' || hour as k, amount_minor from rg_usage`;
      const mem = new Map<string, number>();
      for (const [key, hours] of this.cachedUsage) for (const [hour, amount] of hours) mem.set(`${key}|${hour}`, amount);
      if (sql.length !== mem.size || sql.some((r) => mem.get(r.k) !== r.amount_minor)) problems.push(`rg_usage in memory (${mem.size} rows) != SQL (${sql.length} rows)`);
    }
    return problems;
  }

  list(): LimitView[] {
    this.promoteDue();
    return this.ctx.db.all<LimitRow>`select * from limits order by kind, period, currency`
      .filter((r) => r.value !== null || r.pending_set === 1)
      .map((r) => ({
        kind: r.kind,
        period: r.period,
        currency: r.currency === NO_CURRENCY ? null : r.currency,
        value: r.value,
        pending: r.pending_set ? { value: r.pending_value, effective_at: r.pending_effective_at! } : null,
      }));
  }

  /** Sets a limit: restrictive changes apply now, permissive ones after the cooling-off period. */
  set(kind: LimitKind, period: LimitPeriod, currency: Currency | null, value: number | null): Result<{ limit: LimitView }> {
    const now = this.ctx.now();
    this.promoteDue();
    const cur = currency ?? NO_CURRENCY;
    const row = this.row(kind, period, cur);
    const current = row?.value ?? null;
    // The reality check is a reminder, not a restriction: any change applies at once.
    const immediate = kind === 'reality_check' || isRestrictive(current, value);
    if (immediate) {
      this.ctx.db.run`insert into limits (kind, period, currency, value, pending_value, pending_set, pending_effective_at, updated_at)
        values (${kind}, ${period}, ${cur}, ${value}, null, 0, null, ${now})
        on conflict (kind, period, currency) do update set value = excluded.value, pending_value = null, pending_set = 0,
          pending_effective_at = null, updated_at = excluded.updated_at`;
      this.ctx.schedules.cancel('limit.apply', `${kind}:${period}:${cur}`);
    } else {
      const effectiveAt = now + LIMIT_INCREASE_COOLING_MS;
      this.ctx.db.run`insert into limits (kind, period, currency, value, pending_value, pending_set, pending_effective_at, updated_at)
        values (${kind}, ${period}, ${cur}, ${current}, ${value}, 1, ${effectiveAt}, ${now})
        on conflict (kind, period, currency) do update set pending_value = excluded.pending_value, pending_set = 1,
          pending_effective_at = excluded.pending_effective_at, updated_at = excluded.updated_at`;
      this.ctx.schedules.at('limit.apply', `${kind}:${period}:${cur}`, effectiveAt);
    }
    this.cachedRows = undefined; // written above: reloaded on next use
    this.ctx.emit('rg.limit.set', {
      kind, period, value, previous: current, effective_at: immediate ? now : now + LIMIT_INCREASE_COOLING_MS, pending: !immediate,
    }, currency);
    const limit = this.list().find((l) => l.kind === kind && l.period === period && (l.currency ?? NO_CURRENCY) === cur);
    return { ok: true, limit: limit ?? { kind, period, currency, value: null, pending: null } };
  }

  /** Applies pending increases whose cooling-off has passed (by alarm, and lazily before any read). */
  promoteDue(): void {
    const now = this.ctx.now();
    const due = this.rows().filter((r) => r.pending_set === 1 && r.pending_effective_at! <= now);
    if (due.length === 0) return;
    this.cachedRows = undefined; // written below: reloaded on next use
    for (const r of due) {
      this.ctx.db.run`update limits set value = pending_value, pending_value = null, pending_set = 0, pending_effective_at = null,
        updated_at = ${now} where kind = ${r.kind} and period = ${r.period} and currency = ${r.currency}`;
      this.ctx.emit('rg.limit.applied', { kind: r.kind, period: r.period, value: r.pending_value },
        r.currency === NO_CURRENCY ? null : (r.currency as Currency));
    }
  }

  /** The limit in force for a time-based kind (minutes), or null. */
  minutes(kind: 'session_time' | 'reality_check'): number | null {
    this.promoteDue();
    return this.row(kind, 'session', NO_CURRENCY)?.value ?? null;
  }

  /**
   * May `amount` more of `kind` happen now in `currency`? Limits set in another currency do not
   * silently stop applying: a movement in a currency no limit of that kind covers is refused.
   */
  check(kind: MoneyLimitKind, currency: Currency, amount: number): Result {
    const now = this.ctx.now();
    if (this.rows().some((r) => r.kind === kind && r.pending_set === 1 && r.pending_effective_at! <= now)) this.promoteDue();
    const active = this.rows().filter((r) => r.kind === kind && r.value !== null);
    if (active.length === 0) return { ok: true };
    const mine = active.filter((r) => r.currency === currency);
    if (mine.length === 0) {
      return fail('limit_currency_not_covered', `your ${kind} limit is set in ${active[0]!.currency}; set one in ${currency} to use it`, { kind, currency });
    }
    for (const r of mine) {
      if (r.period === 'session') continue; // money limits have rolling periods only
      const used = this.used(kind, currency, windowStartHour(r.period, now));
      if (used + amount > r.value!) {
        this.ctx.emitRefusal('rg.limit.breach_refused', { kind, period: r.period, limit: r.value!, attempted_minor: amount }, currency);
        return fail('limit_exceeded', `this would exceed your ${r.period} ${kind} limit`, {
          kind, period: r.period, limit_minor: r.value, used_minor: used, remaining_minor: Math.max(0, r.value! - used),
        });
      }
    }
    return { ok: true };
  }

  /** Adds (or with a negative amount, takes back) usage in the hour bucket of `atMs`. */
  record(metric: UsageMetric, currency: Currency, amount: number, atMs: number): void {
    this.ctx.db.run`insert into rg_usage (metric, currency, hour, amount_minor) values (${metric}, ${currency}, ${hourOf(atMs)}, ${amount})
      on conflict (metric, currency, hour) do update set amount_minor = amount_minor + excluded.amount_minor`;
    this.remember({ metric, currency, amount, atMs });
  }

  /** Two usage rows in one statement (a stake counts as wager and as loss). */
  recordPair(a: UsageEntry, b: UsageEntry): void {
    this.ctx.db.run`insert into rg_usage (metric, currency, hour, amount_minor)
      values (${a.metric}, ${a.currency}, ${hourOf(a.atMs)}, ${a.amount}), (${b.metric}, ${b.currency}, ${hourOf(b.atMs)}, ${b.amount})
      on conflict (metric, currency, hour) do update set amount_minor = amount_minor + excluded.amount_minor`;
    this.remember(a);
    this.remember(b);
  }

  /** Written through after SQL took the row (a statement that threw leaves memory untouched). */
  private remember(e: UsageEntry): void {
    if (this.cachedUsage === undefined) return; // loaded from SQL, this row included, on next use
    const key = `${e.metric}|${e.currency}`;
    let hours = this.cachedUsage.get(key);
    if (!hours) this.cachedUsage.set(key, hours = new Map());
    const hour = hourOf(e.atMs);
    hours.set(hour, (hours.get(hour) ?? 0) + e.amount);
  }

  purgeOldUsage(): void {
    this.ctx.db.run`delete from rg_usage where hour < ${windowStartHour('month', this.ctx.now()) - 24}`;
    this.cachedUsage = undefined;
  }

  private used(metric: UsageMetric, currency: Currency, fromHour: number): number {
    let sum = 0;
    const hours = this.usage().get(`${metric}|${currency}`);
    if (hours) for (const [hour, amount] of hours) if (hour >= fromHour) sum += amount;
    return sum;
  }

  private row(kind: LimitKind, period: LimitPeriod, currency: string): LimitRow | null {
    return this.ctx.db.first<LimitRow>`select * from limits where kind = ${kind} and period = ${period} and currency = ${currency}`;
  }
}
