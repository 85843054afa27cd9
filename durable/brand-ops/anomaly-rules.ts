/**
 * The anomaly rules of config/backoffice.json, evaluated on event time (occurred_at), never on
 * the clock, so batches that arrive late, out of order or twice raise the same alerts:
 *
 * - large_win: one alert per win credited at or above the currency's threshold.
 * - rapid_deposit_withdraw: one alert per withdrawal request made at most window_ms after a
 *   completed deposit (same player and currency) of which it is at least min_ratio_pct%. Whichever
 *   side arrives second completes the pair; the evidence names the pair found first.
 * - failed_logins: a failed login "fires" when it ends a run of >= count failures within window_ms
 *   (inclusive). Fires are grouped into fixed windows (floor(occurred_at / window_ms)): one alert
 *   per player per window. A late failure is checked both as the end of a run and as part of the
 *   runs of the failures after it.
 *
 * Rule state (recent money moves, failed logins) is kept RULE_STATE_RETENTION_MS; an event more
 * than that late is still applied but can no longer pair with what was purged.
 */
import { BACKOFFICE_CONFIG, largeWinThresholdMinor, type AnomalyRules } from '../../domain/backoffice';
import type { CasinoEvent, EventPayload } from '../../domain/events';
import { formatMinor, isCurrency } from '../../domain/money';
import type { AlertStore } from './alerts';
import type { OpsContext, Subject } from './context';

/** Partners scanned per event at most (pairs for one deposit, later failures for one login). */
const PARTNERS_MAX = 100;

type MoveRow = { event_id: string; ref: string; amount_minor: number; occurred_at: number };

export class AnomalyDetector {
  constructor(
    private readonly ctx: OpsContext,
    private readonly alerts: AlertStore,
    private readonly rules: AnomalyRules = BACKOFFICE_CONFIG.anomaly_rules,
  ) {}

  private get db() {
    return this.ctx.db;
  }

  onWinCredited(e: CasinoEvent, subj: Subject): void {
    const p = e.payload as EventPayload<'wallet.win.credited'>;
    const currency = e.currency ?? subj.currency;
    if (!isCurrency(currency)) return;
    const threshold = largeWinThresholdMinor(currency);
    if (p.amount_minor < threshold) return;
    this.alerts.raise({
      dedupe_key: `large_win:${subj.player_id}:${p.win_id}`,
      rule: 'large_win',
      player_id: subj.player_id,
      jurisdiction: e.jurisdiction ?? subj.jurisdiction,
      currency,
      summary: `Win of ${formatMinor(p.amount_minor, currency)} credited (win ${p.win_id}; threshold ${formatMinor(threshold, currency)})`,
      evidence: [e.event_id],
      occurred_at: e.occurred_at,
    });
  }

  /** A deposit can complete the pair of withdrawals already seen after it. */
  onDepositCompleted(e: CasinoEvent, subj: Subject): void {
    const p = e.payload as EventPayload<'wallet.deposit.completed'>;
    const currency = e.currency ?? subj.currency;
    if (p.amount_minor <= 0) return; // no ratio to a zero deposit
    this.recordMove(e, subj, currency, 'deposit', p.deposit_id, p.amount_minor);
    const { window_ms: windowMs, min_ratio_pct: pct } = this.rules.rapid_deposit_withdraw;
    const withdrawals = this.db.all<MoveRow>`select event_id, ref, amount_minor, occurred_at from money_moves
      where player_id = ${subj.player_id} and currency = ${currency} and kind = 'withdrawal'
        and occurred_at between ${e.occurred_at} and ${e.occurred_at + windowMs}
        and amount_minor * 100 >= ${p.amount_minor} * ${pct}
      order by occurred_at, event_id limit ${PARTNERS_MAX}`;
    const deposit: MoveRow = { event_id: e.event_id, ref: p.deposit_id, amount_minor: p.amount_minor, occurred_at: e.occurred_at };
    for (const w of withdrawals) this.raiseRapid(deposit, w, e, subj, currency);
  }

  /** A withdrawal request pairs with the latest qualifying deposit before it. */
  onWithdrawalRequested(e: CasinoEvent, subj: Subject): void {
    const p = e.payload as EventPayload<'wallet.withdrawal.requested'>;
    const currency = e.currency ?? subj.currency;
    this.recordMove(e, subj, currency, 'withdrawal', p.withdrawal_id, p.amount_minor);
    const { window_ms: windowMs, min_ratio_pct: pct } = this.rules.rapid_deposit_withdraw;
    const deposit = this.db.first<MoveRow>`select event_id, ref, amount_minor, occurred_at from money_moves
      where player_id = ${subj.player_id} and currency = ${currency} and kind = 'deposit'
        and occurred_at between ${e.occurred_at - windowMs} and ${e.occurred_at}
        and amount_minor * ${pct} <= ${p.amount_minor} * 100
      order by occurred_at desc, event_id desc limit 1`;
    const withdrawal: MoveRow = { event_id: e.event_id, ref: p.withdrawal_id, amount_minor: p.amount_minor, occurred_at: e.occurred_at };
    if (deposit) this.raiseRapid(deposit, withdrawal, e, subj, currency);
  }

  onLoginFailed(e: CasinoEvent, subj: Subject): void {
    this.db.run`insert into login_failures (event_id, player_id, occurred_at) values (${e.event_id}, ${subj.player_id}, ${e.occurred_at})
      on conflict (event_id) do nothing`;
    const { window_ms: windowMs } = this.rules.failed_logins;
    // This failure, and every later one whose run it may have completed.
    const ends = this.db.all<{ occurred_at: number }>`select occurred_at from login_failures
      where player_id = ${subj.player_id} and occurred_at between ${e.occurred_at} and ${e.occurred_at + windowMs}
      order by occurred_at, event_id limit ${PARTNERS_MAX}`;
    for (const end of ends) this.checkLoginRun(end.occurred_at, e, subj);
  }

  private checkLoginRun(endAt: number, e: CasinoEvent, subj: Subject): void {
    const { window_ms: windowMs, count } = this.rules.failed_logins;
    const run = this.db.all<{ event_id: string }>`select event_id from login_failures
      where player_id = ${subj.player_id} and occurred_at between ${endAt - windowMs} and ${endAt}
      order by occurred_at desc, event_id desc limit ${count}`;
    if (run.length < count) return;
    this.alerts.raise({
      dedupe_key: `failed_logins:${subj.player_id}:${Math.floor(endAt / windowMs)}`,
      rule: 'failed_logins',
      player_id: subj.player_id,
      jurisdiction: e.jurisdiction ?? subj.jurisdiction,
      currency: null,
      summary: `${count} failed logins within ${minutes(windowMs)}`,
      evidence: run.map((r) => r.event_id).reverse(),
      occurred_at: endAt,
    });
  }

  private recordMove(e: CasinoEvent, subj: Subject, currency: string, kind: 'deposit' | 'withdrawal', ref: string, amountMinor: number): void {
    this.db.run`insert into money_moves (event_id, player_id, currency, kind, ref, amount_minor, occurred_at)
      values (${e.event_id}, ${subj.player_id}, ${currency}, ${kind}, ${ref}, ${amountMinor}, ${e.occurred_at})
      on conflict (event_id) do nothing`;
  }

  private raiseRapid(d: MoveRow, w: MoveRow, e: CasinoEvent, subj: Subject, currency: string): void {
    const money = (m: number) => (isCurrency(currency) ? formatMinor(m, currency) : `${m} minor ${currency}`);
    const ratio = Math.floor((w.amount_minor * 100) / d.amount_minor);
    this.alerts.raise({
      dedupe_key: `rapid_deposit_withdraw:${subj.player_id}:${w.ref}`,
      rule: 'rapid_deposit_withdraw',
      player_id: subj.player_id,
      jurisdiction: e.jurisdiction ?? subj.jurisdiction,
      currency,
      summary: `Withdrawal of ${money(w.amount_minor)} requested ${minutes(w.occurred_at - d.occurred_at)} after a deposit of ${money(d.amount_minor)} (${ratio}%)`,
      evidence: [d.event_id, w.event_id],
      occurred_at: Math.max(d.occurred_at, w.occurred_at),
    });
  }
}

function minutes(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
