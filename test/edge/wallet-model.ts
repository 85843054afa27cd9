/**
 * An independent model of one player's wallet, for the R1 property (durable/player/wallet.property.test.ts):
 * for every PlayerDO call, what it must answer (ok, replayed, or which refusal) and what it must
 * change. Written from the README's money rules and the module headers (wallet, limits,
 * adjustments, disputes), with the thresholds read from config/backoffice.json: it shares no code
 * with the implementation, so a divergence is a bug in one of the two.
 *
 * Each call returns a Step: the expected answer, and `apply`, which the test runs once the real
 * answer matched (ids chosen by the object, such as deposit ids, are passed in then). A refused
 * call changes nothing (PlayerDO.tx rolls its transaction back), so refusals have no `apply`.
 */
import { defaultMaxReturnMinor, fourEyesDailyCumulativeMinor, fourEyesThresholdMinor } from '../../domain/backoffice';
import type { Currency } from '../../domain/money';

export type Bucket = 'real' | 'bonus';
export type Expect = { ok: true; replayed?: boolean } | { ok: false; code: string };
export type Step = { expect: Expect; id?: string; apply?: (id: string) => void };
type MetricKind = 'deposit' | 'wager' | 'loss';
type Period = 'day' | 'week' | 'month';

export type MHold = {
  kind: 'bet' | 'withdrawal'; cur: Currency; real: number; bonus: number; state: 'pending' | 'posted' | 'voided' | 'expired';
  expiresAt: number | null; createdAt: number; maxReturn: number | null;
};
export type MAdjustment = {
  cur: Currency; bucket: Bucket; amount: number; state: 'pending' | 'applied' | 'rejected';
  requestedBy: string; decidedBy: string | null; createdAt: number; holdId: string | null;
  /** For an adjustment of a bet: what the dispute does to it. */
  resolution: 'correct' | 'void' | null;
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOW: Record<Period, number> = { day: DAY, week: 7 * DAY, month: 30 * DAY };
/** The player's jurisdiction (MT) allows these. */
export const ALLOWED: readonly Currency[] = ['EUR', 'BTC'];
export const REASON = 'property';
const VOID_ACTOR = 'system:bet-voided';

/** Whether a real answer is the one the model expects (a replay flag is checked when the model states it). */
export function answers(r: { ok: boolean; replayed?: boolean; code?: string }, e: Expect): boolean {
  return r.ok === e.ok && (e.ok ? e.replayed === undefined || r.replayed === e.replayed : r.code === e.code);
}

const ok = (replayed?: boolean, apply?: (id: string) => void): Step => ({ expect: { ok: true, replayed }, apply });
const no = (code: string): Step => ({ expect: { ok: false, code } });
const hourOf = (ms: number) => Math.floor(ms / HOUR);

export class WalletModel {
  readonly accounts = new Map<Currency, Record<Bucket, { balance: number; held: number }>>();
  /** Idempotency keys that took effect: their request fingerprint and the id they created. */
  readonly keys = new Map<string, { fp: string; id: string }>();
  readonly deposits = new Map<string, { cur: Currency; amount: number; state: 'pending' | 'completed' | 'failed'; createdAt: number }>();
  readonly withdrawals = new Map<string, { cur: Currency; amount: number; holdId: string; state: 'requested' | 'approved' | 'rejected' | 'paid' | 'cancelled'; createdAt: number }>();
  readonly holds = new Map<string, MHold>();
  readonly wins = new Map<string, { holdId: string | null; cur: Currency; amount: number; bucket: Bucket }>();
  readonly adjustments = new Map<string, MAdjustment>();
  /** Applied resolutions (voids, and corrections once applied), by dispute id. */
  readonly disputes = new Map<string, { holdId: string; resolution: 'void' | 'correct'; amount: number }>();
  readonly limits = new Map<string, { kind: MetricKind; period: Period; cur: Currency; value: number | null; pending: { value: number | null; at: number } | null }>();
  readonly usage: { metric: MetricKind; cur: Currency; at: number; amount: number }[] = [];

  // ---- money ---------------------------------------------------------------------------------

  account(cur: Currency) {
    let a = this.accounts.get(cur);
    if (!a) this.accounts.set(cur, (a = { real: { balance: 0, held: 0 }, bonus: { balance: 0, held: 0 } }));
    return a;
  }

  available(cur: Currency, bucket: Bucket): number {
    const a = this.accounts.get(cur)?.[bucket];
    return a ? a.balance - a.held : 0;
  }

  private move(cur: Currency, bucket: Bucket, amount: number): void {
    const a = this.account(cur)[bucket];
    a.balance += amount;
    if (a.balance < a.held || a.balance < 0) throw new Error(`model: ${cur}/${bucket} would go below what is held`);
  }

  private hold(cur: Currency, real: number, bonus: number): void {
    this.account(cur).real.held += real;
    this.account(cur).bonus.held += bonus;
  }

  // ---- responsible-gaming limits -------------------------------------------------------------

  private record(metric: MetricKind, cur: Currency, amount: number, at: number): void {
    if (amount !== 0) this.usage.push({ metric, cur, at, amount });
  }

  used(metric: MetricKind, cur: Currency, fromHour: number): number {
    return this.usage.reduce((s, u) => (u.metric === metric && u.cur === cur && hourOf(u.at) >= fromHour ? s + u.amount : s), 0);
  }

  /** The value in force now (a raise or removal applies 24 h after it was asked for). */
  private inForce(l: { value: number | null; pending: { value: number | null; at: number } | null }, now: number): number | null {
    if (l.pending && l.pending.at <= now) {
      l.value = l.pending.value;
      l.pending = null;
    }
    return l.value;
  }

  /** The refusal a movement of `amount` meets, or null. */
  limitRefusal(kind: MetricKind, cur: Currency, amount: number, now: number): string | null {
    const rows = [...this.limits.values()].filter((l) => l.kind === kind);
    const active = rows.filter((l) => this.inForce(l, now) !== null);
    if (active.length === 0) return null;
    const mine = active.filter((l) => l.cur === cur);
    if (mine.length === 0) return 'limit_currency_not_covered';
    for (const l of mine) if (this.used(kind, cur, hourOf(now - WINDOW[l.period])) + amount > l.value!) return 'limit_exceeded';
    return null;
  }

  setLimit(kind: MetricKind, period: Period, cur: Currency, value: number | null, now: number): Step {
    return ok(undefined, () => {
      const k = `${kind}|${period}|${cur}`;
      const l = this.limits.get(k);
      const current = l ? this.inForce(l, now) : null;
      // lowering (or a first limit) applies at once; raising or removing after 24 h
      const restrictive = value === null ? current === null : current === null || value <= current;
      this.limits.set(k, { kind, period, cur, value: restrictive ? value : current, pending: restrictive ? null : { value, at: now + DAY } });
    });
  }

  // ---- idempotency ---------------------------------------------------------------------------

  /** A replay or a conflict if `key` took effect before; else null (decide afresh). */
  private seen(key: string, fp: string): Step | null {
    const s = this.keys.get(key);
    if (!s) return null;
    return s.fp === fp ? { expect: { ok: true, replayed: true }, id: s.id } : no('idempotency_conflict');
  }

  // ---- deposits ------------------------------------------------------------------------------

  requestDeposit(key: string, cur: Currency, amount: number, now: number): Step {
    if (!ALLOWED.includes(cur)) return no('unsupported_currency');
    const k = `deposit:${key}`;
    const fp = `${cur}|${amount}`;
    const seen = this.seen(k, fp);
    if (seen) return seen;
    const refused = this.limitRefusal('deposit', cur, amount, now);
    if (refused) return no(refused);
    return ok(false, (id) => {
      this.keys.set(k, { fp, id });
      this.deposits.set(id, { cur, amount, state: 'pending', createdAt: now });
      this.record('deposit', cur, amount, now); // counts from the request
    });
  }

  confirmPayment(id: string, status: 'completed' | 'failed', cur: Currency, amount: number): Step {
    const d = this.deposits.get(id);
    if (!d) return no('deposit_not_found');
    if (status === 'completed') {
      if (d.amount !== amount || d.cur !== cur) return no('payment_mismatch');
      if (d.state === 'completed') return ok(true);
      if (d.state !== 'pending') return no('invalid_state');
      return ok(false, () => {
        d.state = 'completed';
        this.move(d.cur, 'real', d.amount);
      });
    }
    if (d.state === 'failed') return ok(true);
    if (d.state !== 'pending') return no('invalid_state');
    return ok(false, () => {
      d.state = 'failed';
      this.record('deposit', d.cur, -d.amount, d.createdAt); // a failed payment gives the limit back
    });
  }

  // ---- withdrawals ---------------------------------------------------------------------------

  requestWithdrawal(key: string, cur: Currency, amount: number, now: number): Step {
    const k = `withdrawal:${key}`;
    const fp = `${cur}|${amount}`;
    const seen = this.seen(k, fp);
    if (seen) return seen;
    if (this.available(cur, 'real') < amount) return no('insufficient_funds');
    return ok(false, (id) => {
      this.keys.set(k, { fp, id });
      const holdId = `wd:${id}`;
      this.withdrawals.set(id, { cur, amount, holdId, state: 'requested', createdAt: now });
      this.holds.set(holdId, { kind: 'withdrawal', cur, real: amount, bonus: 0, state: 'pending', expiresAt: null, createdAt: now, maxReturn: null });
      this.hold(cur, amount, 0);
    });
  }

  decideWithdrawal(id: string, decision: 'approve' | 'reject', actor: string): Step {
    const w = this.withdrawals.get(id);
    // crediting a player and paying them out are never one operator's decision: no lone credit of
    // the approver's in the day before the withdrawal was asked for, or since
    const credited = w !== undefined && [...this.adjustments.values()]
      .some((a) => a.requestedBy === actor && a.state === 'applied' && a.decidedBy === null && a.amount > 0 && a.createdAt >= w.createdAt - DAY);
    if (decision === 'approve' && credited) return no('four_eyes_violation');
    if (!w) return no('withdrawal_not_found');
    const target = decision === 'approve' ? 'approved' : 'rejected';
    if (w.state === target) return ok(true);
    if (w.state !== 'requested') return no('invalid_state');
    return ok(false, () => {
      w.state = target;
      if (decision === 'reject') this.release(w.holdId, 'voided');
    });
  }

  /** The player takes a requested withdrawal back: its hold is released, like a rejection; final. */
  cancelWithdrawal(id: string): Step {
    const w = this.withdrawals.get(id);
    if (!w) return no('withdrawal_not_found');
    if (w.state === 'cancelled') return ok(true);
    if (w.state !== 'requested') return no('withdrawal_not_cancellable');
    return ok(false, () => {
      w.state = 'cancelled';
      this.release(w.holdId, 'voided');
    });
  }

  markWithdrawalPaid(id: string): Step {
    const w = this.withdrawals.get(id);
    if (!w) return no('withdrawal_not_found');
    if (w.state === 'paid') return ok(true);
    if (w.state !== 'approved') return no('invalid_state');
    return ok(false, () => {
      w.state = 'paid';
      this.post(w.holdId);
    });
  }

  // ---- bets ----------------------------------------------------------------------------------

  reserveHold(holdId: string, cur: Currency, amount: number, expiresAt: number | null, maxReturn: number | null, now: number): Step {
    const h = this.holds.get(holdId);
    if (h) return h.kind === 'bet' && h.cur === cur && h.real + h.bonus === amount ? ok(true) : no('idempotency_conflict');
    const refused = this.limitRefusal('wager', cur, amount, now) ?? this.limitRefusal('loss', cur, amount, now);
    if (refused) return no(refused);
    const realFree = this.available(cur, 'real');
    if (realFree + this.available(cur, 'bonus') < amount) return no('insufficient_funds');
    return ok(false, () => {
      const real = Math.min(realFree, amount); // real money first
      this.holds.set(holdId, { kind: 'bet', cur, real, bonus: amount - real, state: 'pending', expiresAt, createdAt: now, maxReturn });
      this.hold(cur, real, amount - real);
      this.record('wager', cur, amount, now);
      this.record('loss', cur, amount, now); // a stake is a loss until a win comes back
    });
  }

  postHold(holdId: string): Step {
    const h = this.holds.get(holdId);
    if (!h) return no('hold_not_found');
    if (h.kind !== 'bet') return no('invalid_state'); // a withdrawal's hold is posted by its payout only
    if (h.state === 'posted') return ok(true);
    if (h.state !== 'pending') return no('invalid_state');
    return ok(false, () => this.post(holdId));
  }

  voidHold(holdId: string): Step {
    const h = this.holds.get(holdId);
    if (!h) return no('hold_not_found');
    if (h.kind !== 'bet') return no('invalid_state');
    if (h.state === 'voided') return ok(true);
    if (h.state !== 'pending') return no('invalid_state');
    return ok(false, () => this.release(holdId, 'voided'));
  }

  /** The alarm: every pending bet past its expiry gives its stake back. Returns how many expired. */
  expireDue(now: number): number {
    let n = 0;
    for (const [id, h] of this.holds) {
      if (h.kind === 'bet' && h.state === 'pending' && h.expiresAt !== null && h.expiresAt <= now) {
        this.release(id, 'expired');
        n++;
      }
    }
    return n;
  }

  creditWin(winId: string, holdId: string | null, cur: Currency, amount: number, bucket: Bucket, now: number): Step {
    const k = `win:${winId}`;
    const fp = `${holdId}|${cur}|${amount}|${bucket}`;
    const seen = this.seen(k, fp);
    if (seen) return seen;
    if (holdId !== null) {
      const h = this.holds.get(holdId);
      if (!h) return no('hold_not_found');
      // a bet voided by a dispute was not played: nothing more can be won on it
      if (h.state !== 'posted' || h.cur !== cur || this.isVoided(holdId)) return no('invalid_state');
    }
    return ok(false, () => {
      this.keys.set(k, { fp, id: winId });
      this.move(cur, bucket, amount);
      this.wins.set(winId, { holdId, cur, amount, bucket });
      this.record('loss', cur, -amount, now);
    });
  }

  /**
   * A table settles a bet: post (if pending) and credit the return under win_id, in one
   * transaction: if the credit is refused, the post does not happen either. A voided or expired
   * bet settles as such, returning nothing. `state` is what the answer must say.
   */
  settleTableBet(holdId: string, winId: string, returned: number, now: number): Step & { state?: string } {
    const h = this.holds.get(holdId);
    if (!h) return no('hold_not_found');
    if (h.state === 'voided' || h.state === 'expired') return { ...ok(), state: h.state };
    // settled already: a re-send pays nothing, whatever win id or return it names (wallet.ts settleBet)
    if (h.state === 'posted') return { ...ok(), state: 'posted' };
    const bucket: Bucket = h.real === 0 && h.bonus > 0 ? 'bonus' : 'real';
    const k = `win:${winId}`;
    const seen = returned > 0 ? this.seen(k, `${holdId}|${h.cur}|${returned}|${bucket}`) : null;
    if (seen && !seen.expect.ok) return seen;
    if (returned > 0 && !seen && this.isVoided(holdId)) return no('invalid_state');
    return {
      ...ok(undefined, () => {
        if (h.state === 'pending') this.post(holdId);
        if (returned > 0 && !seen) {
          this.keys.set(k, { fp: `${holdId}|${h.cur}|${returned}|${bucket}`, id: winId });
          this.move(h.cur, bucket, returned);
          this.wins.set(winId, { holdId, cur: h.cur, amount: returned, bucket });
          this.record('loss', h.cur, -returned, now);
        }
      }),
      state: 'posted',
    };
  }

  private post(holdId: string): void {
    const h = this.holds.get(holdId)!;
    this.hold(h.cur, -h.real, -h.bonus);
    this.move(h.cur, 'real', -h.real);
    this.move(h.cur, 'bonus', -h.bonus);
    h.state = 'posted';
  }

  private release(holdId: string, to: 'voided' | 'expired'): void {
    const h = this.holds.get(holdId)!;
    this.hold(h.cur, -h.real, -h.bonus);
    h.state = to;
    if (h.kind === 'bet') {
      this.record('wager', h.cur, -(h.real + h.bonus), h.createdAt);
      this.record('loss', h.cur, -(h.real + h.bonus), h.createdAt);
    }
  }

  // ---- adjustments (four eyes) ---------------------------------------------------------------

  /**
   * Above the single threshold, or when what the operator applied alone in the last 24 hours, each
   * amount as its share of its currency's daily threshold, would pass 1 with this one.
   */
  private needsSecondOperator(actor: string, cur: Currency, amount: number, now: number): boolean {
    if (Math.abs(amount) > fourEyesThresholdMinor(cur)) return true;
    let share = Math.abs(amount) / fourEyesDailyCumulativeMinor(cur);
    for (const a of this.adjustments.values()) {
      if (a.requestedBy === actor && a.state === 'applied' && a.decidedBy === null && a.createdAt > now - DAY) share += Math.abs(a.amount) / fourEyesDailyCumulativeMinor(a.cur);
    }
    return share > 1 + 1e-9;
  }

  /** What a void of the bet moves, per bucket: back to where the player stood before it. */
  voidDelta(holdId: string): Record<Bucket, number> {
    const h = this.holds.get(holdId)!;
    const w = this.winsOf(holdId);
    return { real: h.real - w.real - this.correctionsOf(holdId, 'applied'), bonus: h.bonus - w.bonus };
  }

  private voidRefusal(holdId: string): string | null {
    const h = this.holds.get(holdId)!;
    const delta = this.voidDelta(holdId);
    for (const b of ['real', 'bonus'] as const) if (delta[b] < 0 && this.available(h.cur, b) < -delta[b]) return 'insufficient_funds';
    return null;
  }

  /** A new adjustment (or a bet's correction or void): applied at once under the thresholds, else pending. */
  private open(id: string, cur: Currency, bucket: Bucket, amount: number, actor: string, holdId: string | null, resolution: MAdjustment['resolution'], now: number): Step & { pending?: boolean } {
    if (!ALLOWED.includes(cur) && !this.accounts.has(cur)) return no('unsupported_currency');
    const pending = this.needsSecondOperator(actor, cur, amount, now);
    if (!pending && resolution === 'void') {
      const refused = this.voidRefusal(holdId!);
      if (refused) return no(refused);
    } else if (!pending && amount < 0 && this.available(cur, bucket) < -amount) return no('insufficient_funds');
    return {
      ...ok(false, () => {
        this.adjustments.set(id, { cur, bucket, amount, state: pending ? 'pending' : 'applied', requestedBy: actor, decidedBy: null, createdAt: now, holdId, resolution });
        if (!pending) this.applied(id, now);
      }),
      pending,
    };
  }

  /** Money of an applied adjustment moves; a correction or void is also a resolution of its bet. */
  private applied(id: string, now: number): void {
    const a = this.adjustments.get(id)!;
    if (a.resolution === 'void') {
      this.voidNow(id, a.holdId!);
      return;
    }
    this.move(a.cur, a.bucket, a.amount);
    if (a.holdId !== null) {
      this.record('loss', a.cur, -a.amount, now);
      this.disputes.set(id, { holdId: a.holdId, resolution: 'correct', amount: a.amount });
    }
  }

  /** A void's money and what goes with it: the bet's other pending resolutions rejected, its RG usage given back. */
  private voidNow(id: string, holdId: string): void {
    const h = this.holds.get(holdId)!;
    const delta = this.voidDelta(holdId);
    this.move(h.cur, 'real', delta.real);
    this.move(h.cur, 'bonus', delta.bonus);
    for (const [otherId, a] of this.adjustments) {
      if (otherId !== id && a.holdId === holdId && a.state === 'pending') { a.state = 'rejected'; a.decidedBy = VOID_ACTOR; }
    }
    this.record('wager', h.cur, -(h.real + h.bonus), h.createdAt);
    this.record('loss', h.cur, -(delta.real + delta.bonus), h.createdAt);
    this.disputes.set(id, { holdId, resolution: 'void', amount: delta.real + delta.bonus });
  }

  requestAdjustment(id: string, cur: Currency, bucket: Bucket, amount: number, actor: string, now: number): Step & { pending?: boolean } {
    const k = `adjustment:${id}`;
    const fp = JSON.stringify([cur, bucket, amount, actor]);
    const seen = this.seen(k, fp);
    if (seen) return seen;
    const opened = this.open(id, cur, bucket, amount, actor, null, null, now);
    if (!opened.apply) return opened;
    return { ...opened, apply: (x) => { this.keys.set(k, { fp, id }); opened.apply!(x); } };
  }

  decideAdjustment(id: string, decision: 'approve' | 'reject', actor: string, now: number): Step {
    const a = this.adjustments.get(id);
    if (!a) return no('adjustment_not_found');
    const target = decision === 'approve' ? 'applied' : 'rejected';
    if (a.state !== 'pending') return a.state === target && a.decidedBy === actor ? ok(true) : no('invalid_state');
    if (actor === a.requestedBy) return no('four_eyes_violation');
    if (decision === 'reject') return ok(false, () => { a.state = 'rejected'; a.decidedBy = actor; });
    if (a.holdId !== null) {
      const refused = this.settledBetRefusal(a.holdId, id)
        ?? (a.resolution === 'correct' ? this.outOfBounds(a.holdId, a.amount, id)
          : this.voidDelta(a.holdId).real + this.voidDelta(a.holdId).bonus !== a.amount ? 'invalid_state' : null);
      if (refused) return no(refused);
    }
    if (a.resolution === 'void') {
      const refused = this.voidRefusal(a.holdId!);
      if (refused) return no(refused);
    } else if (a.amount < 0 && this.available(a.cur, a.bucket) < -a.amount) return no('insufficient_funds');
    return ok(false, () => {
      a.state = 'applied';
      a.decidedBy = actor;
      this.applied(id, now);
    });
  }

  // ---- disputes ------------------------------------------------------------------------------

  winsOf(holdId: string): Record<Bucket, number> {
    const t = { real: 0, bonus: 0 };
    for (const w of this.wins.values()) if (w.holdId === holdId) t[w.bucket] += w.amount;
    return t;
  }

  correctionsOf(holdId: string, state: 'applied' | 'pending', except: string | null = null): number {
    let t = 0;
    for (const [id, a] of this.adjustments) if (a.holdId === holdId && a.resolution === 'correct' && a.state === state && id !== except) t += a.amount;
    return t;
  }

  isVoided(holdId: string): boolean {
    return [...this.disputes.values()].some((d) => d.holdId === holdId && d.resolution === 'void');
  }

  /** A posted bet, not voided, with no void waiting for approval but `except` itself. */
  private settledBetRefusal(holdId: string, except: string | null): string | null {
    const h = this.holds.get(holdId);
    if (!h) return 'hold_not_found';
    if (h.kind !== 'bet' || h.state !== 'posted' || this.isVoided(holdId)) return 'invalid_state';
    for (const [id, a] of this.adjustments) if (id !== except && a.holdId === holdId && a.state === 'pending' && a.resolution === 'void') return 'invalid_state';
    return null;
  }

  /**
   * A bet's total return (wins + applied corrections) stays within 0..its maximum whichever pending
   * corrections are approved: pending credits count towards the top, pending debits towards 0.
   */
  private outOfBounds(holdId: string, amount: number, except: string | null): string | null {
    const h = this.holds.get(holdId)!;
    const w = this.winsOf(holdId);
    const returned = w.real + w.bonus + this.correctionsOf(holdId, 'applied');
    let up = 0;
    let down = 0;
    for (const [id, a] of this.adjustments) {
      if (id === except || a.holdId !== holdId || a.state !== 'pending' || a.resolution !== 'correct') continue;
      if (a.amount > 0) up += a.amount;
      else down += a.amount;
    }
    const max = h.maxReturn ?? defaultMaxReturnMinor(h.real + h.bonus);
    return amount >= -(returned + down) && amount <= max - (returned + up) ? null : 'correction_out_of_bounds';
  }

  resolveDispute(id: string, holdId: string, resolution: 'void' | 'correct', amount: number | undefined, actor: string, now: number): Step & { pending?: boolean; net?: number } {
    const k = `dispute:${id}`;
    const fp = JSON.stringify([holdId, resolution, resolution === 'correct' ? amount : null, actor]);
    const seen = this.seen(k, fp);
    if (seen) return seen;
    const refused = this.settledBetRefusal(holdId, null);
    if (refused) return no(refused);
    const h = this.holds.get(holdId)!;
    if (resolution === 'correct') {
      const out = this.outOfBounds(holdId, amount!, null);
      if (out) return no(out);
      const opened = this.open(id, h.cur, 'real', amount!, actor, holdId, 'correct', now);
      if (!opened.apply) return opened;
      return { ...opened, net: amount, apply: (x) => { this.keys.set(k, { fp, id }); opened.apply!(x); } };
    }
    // void: back to exactly where the player stood before the bet; one that credits is four-eyed
    const delta = this.voidDelta(holdId);
    const net = delta.real + delta.bonus;
    if (net > 0) {
      const opened = this.open(id, h.cur, 'real', net, actor, holdId, 'void', now);
      if (!opened.apply) return opened;
      return { ...opened, net, apply: (x) => { this.keys.set(k, { fp, id }); opened.apply!(x); } };
    }
    const refusedVoid = this.voidRefusal(holdId);
    if (refusedVoid) return no(refusedVoid);
    return { ...ok(false, () => { this.keys.set(k, { fp, id }); this.voidNow(id, holdId); }), net };
  }

  // ---- views for the end-of-run checks -------------------------------------------------------

  /** What a bet did to the balance: -stake + wins + applied corrections + its void (0 once voided). */
  betNet(holdId: string): number {
    const h = this.holds.get(holdId)!;
    if (h.state !== 'posted') return 0;
    const w = this.winsOf(holdId);
    let net = -(h.real + h.bonus) + w.real + w.bonus;
    for (const d of this.disputes.values()) if (d.holdId === holdId) net += d.amount;
    return net;
  }

  /** Usage per metric, currency and hour, without the hours that net to 0. */
  usageByHour(): Map<string, number> {
    const by = new Map<string, number>();
    for (const u of this.usage) {
      const k = `${u.metric}|${u.cur}|${hourOf(u.at)}`;
      by.set(k, (by.get(k) ?? 0) + u.amount);
    }
    for (const [k, v] of by) if (v === 0) by.delete(k);
    return by;
  }
}
