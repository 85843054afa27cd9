/**
 * Responsible-gaming limits of one player: deposit, loss and wager limits per rolling day / week /
 * month (per currency), a session-time limit and a reality-check interval. Lowering applies at
 * once; raising or removing waits LIMIT_INCREASE_COOLING_MS and is visible as pending meanwhile.
 * Usage is kept in hourly buckets so a check costs one small indexed sum.
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

export class Limits {
  constructor(private readonly ctx: PlayerContext) {}

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
    this.ctx.emit('rg.limit.set', {
      kind, period, value, previous: current, effective_at: immediate ? now : now + LIMIT_INCREASE_COOLING_MS, pending: !immediate,
    }, currency);
    const limit = this.list().find((l) => l.kind === kind && l.period === period && (l.currency ?? NO_CURRENCY) === cur);
    return { ok: true, limit: limit ?? { kind, period, currency, value: null, pending: null } };
  }

  /** Applies pending increases whose cooling-off has passed (by alarm, and lazily before any read). */
  promoteDue(): void {
    const now = this.ctx.now();
    const due = this.ctx.db.all<LimitRow>`select * from limits where pending_set = 1 and pending_effective_at <= ${now}`;
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
    const rows = this.ctx.db.all<{ period: 'day' | 'week' | 'month'; currency: string; value: number | null; pending_set: number; pending_effective_at: number | null }>`
      select period, currency, value, pending_set, pending_effective_at from limits where kind = ${kind}`;
    if (rows.length === 0) return { ok: true };
    const now = this.ctx.now();
    if (rows.some((r) => r.pending_set === 1 && r.pending_effective_at! <= now)) this.promoteDue();
    const active = rows.filter((r) => r.value !== null);
    if (active.length === 0) return { ok: true };
    const mine = active.filter((r) => r.currency === currency);
    if (mine.length === 0) {
      return fail('limit_currency_not_covered', `your ${kind} limit is set in ${active[0]!.currency}; set one in ${currency} to use it`, { kind, currency });
    }
    for (const r of mine) {
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
  }

  purgeOldUsage(): void {
    this.ctx.db.run`delete from rg_usage where hour < ${windowStartHour('month', this.ctx.now()) - 24}`;
  }

  private used(metric: UsageMetric, currency: Currency, fromHour: number): number {
    return this.ctx.db.first<{ s: number | null }>`select sum(amount_minor) as s from rg_usage
      where metric = ${metric} and currency = ${currency} and hour >= ${fromHour}`?.s ?? 0;
  }

  private row(kind: LimitKind, period: LimitPeriod, currency: string): LimitRow | null {
    return this.ctx.db.first<LimitRow>`select * from limits where kind = ${kind} and period = ${period} and currency = ${currency}`;
  }
}
