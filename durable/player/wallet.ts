/**
 * The player's wallet: balances per currency and bucket (real, bonus), an append-only ledger with
 * running balances, two-phase holds, deposits and withdrawals. Every movement is idempotent (by
 * client key, deposit/withdrawal/hold/win id) and checks responsible-gaming limits in the same
 * transaction that moves the money. Callers run these inside one SQLite transaction. Back-office
 * corrections (adjustments, dispute resolutions) come in through `correct`, as new entries.
 */
import { fail, type Result } from '../../domain/errors';
import { addMinor, type Currency } from '../../domain/money';
import { PAYMENT_REFERENCE_PATTERN } from '../../domain/payment-reference';
import type { PlayerContext } from './context';
import { once, type Replayable } from './idempotency';
import type { Limits } from './limits';

export type Bucket = 'real' | 'bonus';
type LedgerKind = 'deposit' | 'withdrawal' | 'bet' | 'win' | 'adjustment';

export type BalanceView = { currency: Currency; real_minor: number; bonus_minor: number; held_minor: number; available_minor: number };
export type LedgerEntry = { entry_id: number; at: number; currency: Currency; bucket: Bucket; kind: LedgerKind; amount_minor: number; balance_after_minor: number; ref: string };
/** payment_reference: the keyed hash of the instrument (domain/payment-reference.ts), never the instrument itself; null when none was named. */
export type Deposit = { deposit_id: string; provider: string; provider_ref: string | null; currency: Currency; amount_minor: number; state: 'pending' | 'completed' | 'failed'; failure_reason: string | null; payment_reference: string | null; created_at: number; updated_at: number };
export type Withdrawal = { withdrawal_id: string; currency: Currency; amount_minor: number; hold_id: string; state: 'requested' | 'approved' | 'rejected' | 'paid' | 'cancelled'; decided_by: string | null; reason: string | null; payment_reference: string | null; created_at: number; updated_at: number };
export type Hold = {
  hold_id: string; kind: 'bet' | 'withdrawal'; currency: Currency; real_minor: number; bonus_minor: number; state: 'pending' | 'posted' | 'voided' | 'expired';
  expires_at: number | null; ref: string | null; created_at: number; resolved_at: number | null;
  /** What the bet can return at most, stake included; null when the game does not say. */
  max_return_minor: number | null;
};

export type HoldRequest = {
  hold_id: string; currency: Currency; amount_minor: number; expires_at: number | null; ref: string | null;
  /** What the bet can return at most (a table knows it); bounds later corrections of the bet. */
  max_return_minor?: number | null;
};

import { HOLD_TTL_MAX_MS } from '../../domain/money';

export { HOLD_TTL_MAX_MS };

/**
 * A payment reference as the worker makes it (16 hex of a keyed hash), or null. Anything else is a
 * caller's bug, perhaps a raw instrument token: thrown, so the call rolls back and nothing is stored
 * or emitted (an event with it would also fail validation and stall the relay behind it).
 */
function checkedReference(ref: string | null | undefined): string | null {
  if (ref === null || ref === undefined) return null;
  if (!PAYMENT_REFERENCE_PATTERN.test(ref)) throw new Error('invariant: payment_reference must be the 16-hex keyed hash of an instrument, never the instrument');
  return ref;
}

type AccountRow = { balance_minor: number; held_minor: number };

export class Wallet {
  constructor(
    private readonly ctx: PlayerContext,
    private readonly limits: Limits,
  ) {}

  // ---- reads ---------------------------------------------------------------------------------

  balances(): BalanceView[] {
    const rows = this.ctx.db.all<{ currency: Currency; bucket: Bucket; balance_minor: number; held_minor: number }>`
      select currency, bucket, balance_minor, held_minor from balances order by currency, bucket`;
    const by = new Map<Currency, BalanceView>();
    for (const r of rows) {
      const v = by.get(r.currency) ?? { currency: r.currency, real_minor: 0, bonus_minor: 0, held_minor: 0, available_minor: 0 };
      if (r.bucket === 'real') v.real_minor = r.balance_minor;
      else v.bonus_minor = r.balance_minor;
      v.held_minor += r.held_minor;
      v.available_minor += r.balance_minor - r.held_minor;
      by.set(r.currency, v);
    }
    return [...by.values()];
  }

  /** Newest first, keyset-paginated on entry_id. */
  ledger(opts: { before: number | null; limit: number; currency: Currency | null }): { entries: LedgerEntry[]; next_before: number | null } {
    const before = opts.before ?? Number.MAX_SAFE_INTEGER;
    const entries = opts.currency
      ? this.ctx.db.all<LedgerEntry>`select * from ledger where entry_id < ${before} and currency = ${opts.currency} order by entry_id desc limit ${opts.limit}`
      : this.ctx.db.all<LedgerEntry>`select * from ledger where entry_id < ${before} order by entry_id desc limit ${opts.limit}`;
    const last = entries.at(-1);
    return { entries, next_before: entries.length === opts.limit && last ? last.entry_id : null };
  }

  deposit(depositId: string): Deposit | null {
    return this.ctx.db.first<Deposit>`select * from deposits where deposit_id = ${depositId}`;
  }

  withdrawal(withdrawalId: string): Withdrawal | null {
    return this.ctx.db.first<Withdrawal>`select * from withdrawals where withdrawal_id = ${withdrawalId}`;
  }

  withdrawals(): Withdrawal[] {
    return this.ctx.db.all<Withdrawal>`select * from withdrawals order by created_at desc limit 100`;
  }

  hold(holdId: string): Hold | null {
    return this.ctx.db.first<Hold>`select * from holds where hold_id = ${holdId}`;
  }

  /** Pending holds (bets in play, withdrawals awaiting payout), newest first. */
  openHolds(limit = 100): Hold[] {
    return this.ctx.db.all<Hold>`select * from holds where state = 'pending' order by created_at desc limit ${limit}`;
  }

  /** What wins credited against a bet add up to, per bucket. */
  winsOf(holdId: string): Record<Bucket, number> {
    const rows = this.ctx.db.all<{ bucket: Bucket; total: number }>`select bucket, sum(amount_minor) as total from wins where hold_id = ${holdId} group by bucket`;
    return { real: rows.find((r) => r.bucket === 'real')?.total ?? 0, bonus: rows.find((r) => r.bucket === 'bonus')?.total ?? 0 };
  }

  /** Balance minus held, in one bucket. */
  availableIn(currency: Currency, bucket: Bucket): number {
    const a = this.account(currency, bucket);
    return a.balance_minor - a.held_minor;
  }

  // ---- deposits ------------------------------------------------------------------------------

  /**
   * A pending deposit, counted against deposit limits from the moment it is asked for. The
   * instrument's reference (if the player named one) is part of the request: the same key with
   * another instrument is a different request. Fingerprints without one keep their old form.
   */
  requestDeposit(key: string, input: { deposit_id: string; provider: string; currency: Currency; amount_minor: number; payment_reference?: string | null }): Replayable<{ deposit: Deposit }> {
    const ref = checkedReference(input.payment_reference);
    const fingerprint = `deposit|${input.provider}|${input.currency}|${input.amount_minor}${ref ? `|${ref}` : ''}`;
    return once(this.ctx, `deposit:${key}`, fingerprint, () => {
      const limit = this.limits.check('deposit', input.currency, input.amount_minor);
      if (!limit.ok) return limit;
      if (!this.fits(input.currency, input.amount_minor)) return fail('amount_too_large', 'the balance would exceed the largest exact amount');
      const now = this.ctx.now();
      this.ctx.db.run`insert into deposits (deposit_id, provider, provider_ref, currency, amount_minor, state, payment_reference, created_at, updated_at)
        values (${input.deposit_id}, ${input.provider}, null, ${input.currency}, ${input.amount_minor}, 'pending', ${ref}, ${now}, ${now})`;
      this.limits.record('deposit', input.currency, input.amount_minor, now);
      this.ctx.emit('wallet.deposit.requested', { deposit_id: input.deposit_id, provider: input.provider, amount_minor: input.amount_minor, payment_reference: ref }, input.currency);
      return { ok: true, deposit: this.deposit(input.deposit_id)! };
    });
  }

  /**
   * Payment provider confirmed: credit once. A repeated confirmation returns the same deposit. Only
   * the provider the deposit was made with can confirm it: to any other, it does not exist. The
   * provider knows which instrument it actually charged: its reference, when it names one, replaces
   * the one the player asked for (a replay changes nothing).
   */
  completeDeposit(input: { deposit_id: string; provider: string; amount_minor: number; currency: Currency; provider_ref: string; payment_reference?: string | null }): Replayable<{ deposit: Deposit }> {
    const d = this.deposit(input.deposit_id);
    if (!d || d.provider !== input.provider) return fail('deposit_not_found');
    if (d.amount_minor !== input.amount_minor || d.currency !== input.currency) {
      return fail('payment_mismatch', 'confirmed amount or currency differs from the deposit', { expected_minor: d.amount_minor, currency: d.currency });
    }
    if (d.state === 'completed') return { ok: true, deposit: d, replayed: true };
    if (d.state !== 'pending') return fail('invalid_state', `deposit is ${d.state}`);
    if (!this.fits(d.currency, d.amount_minor)) return fail('amount_too_large', 'the balance would exceed the largest exact amount');
    const now = this.ctx.now();
    const after = this.move(d.currency, 'real', 'deposit', d.amount_minor, d.deposit_id);
    const ref = checkedReference(input.payment_reference) ?? d.payment_reference;
    this.ctx.db.run`update deposits set state = 'completed', provider_ref = ${input.provider_ref}, payment_reference = ${ref}, updated_at = ${now} where deposit_id = ${d.deposit_id}`;
    this.ctx.emit('wallet.deposit.completed', { deposit_id: d.deposit_id, provider: d.provider, amount_minor: d.amount_minor, balance_after_minor: after, payment_reference: ref }, d.currency);
    return { ok: true, deposit: this.deposit(d.deposit_id)!, replayed: false };
  }

  /** A failed payment; the instrument that failed is kept (declines across many cards are a signal of their own). */
  failDeposit(input: { deposit_id: string; provider: string; reason: string | null; payment_reference?: string | null }): Replayable<{ deposit: Deposit }> {
    const d = this.deposit(input.deposit_id);
    if (!d || d.provider !== input.provider) return fail('deposit_not_found');
    if (d.state === 'failed') return { ok: true, deposit: d, replayed: true };
    if (d.state !== 'pending') return fail('invalid_state', `deposit is ${d.state}`);
    const now = this.ctx.now();
    const ref = checkedReference(input.payment_reference) ?? d.payment_reference;
    this.ctx.db.run`update deposits set state = 'failed', failure_reason = ${input.reason}, payment_reference = ${ref}, updated_at = ${now} where deposit_id = ${d.deposit_id}`;
    this.limits.record('deposit', d.currency, -d.amount_minor, d.created_at); // a failed deposit does not use the limit
    this.ctx.emit('wallet.deposit.failed', { deposit_id: d.deposit_id, provider: d.provider, amount_minor: d.amount_minor, reason: input.reason, payment_reference: ref }, d.currency);
    return { ok: true, deposit: this.deposit(d.deposit_id)!, replayed: false };
  }

  // ---- withdrawals ---------------------------------------------------------------------------

  /** Reserves the funds (a hold with no expiry) until an operator approves and pays, or rejects, or the player cancels. payment_reference: the destination instrument's. */
  requestWithdrawal(key: string, input: { withdrawal_id: string; currency: Currency; amount_minor: number; payment_reference?: string | null }): Replayable<{ withdrawal: Withdrawal }> {
    const ref = checkedReference(input.payment_reference);
    return once(this.ctx, `withdrawal:${key}`, `withdrawal|${input.currency}|${input.amount_minor}${ref ? `|${ref}` : ''}`, () => {
      const holdId = `wd:${input.withdrawal_id}`;
      const hold = this.reserve('withdrawal', { hold_id: holdId, currency: input.currency, amount_minor: input.amount_minor, expires_at: null, ref: input.withdrawal_id }, false);
      if (!hold.ok) return hold;
      const now = this.ctx.now();
      this.ctx.db.run`insert into withdrawals (withdrawal_id, currency, amount_minor, hold_id, state, payment_reference, created_at, updated_at)
        values (${input.withdrawal_id}, ${input.currency}, ${input.amount_minor}, ${holdId}, 'requested', ${ref}, ${now}, ${now})`;
      this.ctx.emit('wallet.withdrawal.requested', { withdrawal_id: input.withdrawal_id, amount_minor: input.amount_minor, payment_reference: ref }, input.currency);
      return { ok: true, withdrawal: this.withdrawal(input.withdrawal_id)! };
    });
  }

  decideWithdrawal(withdrawalId: string, decision: 'approve' | 'reject', actor: string, reason: string | null): Replayable<{ withdrawal: Withdrawal }> {
    const w = this.withdrawal(withdrawalId);
    if (!w) return fail('withdrawal_not_found');
    const target = decision === 'approve' ? 'approved' : 'rejected';
    if (w.state === target) return { ok: true, withdrawal: w, replayed: true };
    // a cancelled withdrawal's funds are back with the player: there is nothing left to decide
    if (w.state !== 'requested') return fail('invalid_state', `withdrawal is ${w.state}`, { withdrawal_id: w.withdrawal_id, state: w.state });
    const now = this.ctx.now();
    if (decision === 'reject') {
      this.release(w.hold_id, 'voided');
      this.ctx.emit('wallet.withdrawal.rejected', { withdrawal_id: w.withdrawal_id, amount_minor: w.amount_minor, actor, reason }, w.currency);
    } else {
      this.ctx.emit('wallet.withdrawal.approved', { withdrawal_id: w.withdrawal_id, amount_minor: w.amount_minor, actor }, w.currency);
    }
    this.ctx.db.run`update withdrawals set state = ${target}, decided_by = ${actor}, reason = ${reason}, updated_at = ${now} where withdrawal_id = ${w.withdrawal_id}`;
    return { ok: true, withdrawal: this.withdrawal(withdrawalId)!, replayed: false };
  }

  /**
   * The player takes a withdrawal back before any operator decided it: its hold is released (voided:
   * the funds are available again; nothing was posted, so there is no ledger entry, as for a
   * rejection) and the withdrawal ends `cancelled`, decided by the player. Cancelling again answers
   * the same withdrawal as a replay. Once an operator approved, rejected or paid it, it is refused
   * (withdrawal_not_cancellable) and nothing changes. Cancelled is final: an operator's approval,
   * rejection or payout of it is refused (invalid_state), so the hold ends exactly once.
   */
  cancelWithdrawal(withdrawalId: string): Replayable<{ withdrawal: Withdrawal }> {
    const w = this.withdrawal(withdrawalId);
    if (!w) return fail('withdrawal_not_found');
    if (w.state === 'cancelled') return { ok: true, withdrawal: w, replayed: true };
    if (w.state !== 'requested') {
      return fail('withdrawal_not_cancellable', `withdrawal is ${w.state}: only a requested withdrawal can be cancelled`, { withdrawal_id: w.withdrawal_id, state: w.state });
    }
    // A requested withdrawal's hold is pending by construction; anything else is a bug that must not
    // release the funds a second time (the throw rolls the whole call back).
    const h = this.hold(w.hold_id);
    if (!h || h.state !== 'pending' || h.kind !== 'withdrawal') throw new Error(`invariant: withdrawal ${w.withdrawal_id} is requested but its hold is ${h?.state ?? 'missing'}`);
    this.release(w.hold_id, 'voided');
    this.ctx.db.run`update withdrawals set state = 'cancelled', decided_by = 'player', updated_at = ${this.ctx.now()} where withdrawal_id = ${w.withdrawal_id}`;
    this.ctx.emit('wallet.withdrawal.cancelled', { withdrawal_id: w.withdrawal_id, amount_minor: w.amount_minor, actor: 'player' }, w.currency);
    return { ok: true, withdrawal: this.withdrawal(withdrawalId)!, replayed: false };
  }

  /** The payout left the building: the reserved funds leave the ledger. */
  markWithdrawalPaid(withdrawalId: string): Replayable<{ withdrawal: Withdrawal }> {
    const w = this.withdrawal(withdrawalId);
    if (!w) return fail('withdrawal_not_found');
    if (w.state === 'paid') return { ok: true, withdrawal: w, replayed: true };
    if (w.state !== 'approved') return fail('invalid_state', `withdrawal is ${w.state}`, { withdrawal_id: w.withdrawal_id, state: w.state });
    const posted = this.post(w.hold_id);
    if (!posted.ok) return posted;
    this.ctx.db.run`update withdrawals set state = 'paid', updated_at = ${this.ctx.now()} where withdrawal_id = ${w.withdrawal_id}`;
    this.ctx.emit('wallet.withdrawal.paid', { withdrawal_id: w.withdrawal_id, amount_minor: w.amount_minor, balance_after_minor: posted.balance_after_minor }, w.currency);
    return { ok: true, withdrawal: this.withdrawal(withdrawalId)!, replayed: false };
  }

  // ---- bets: two-phase holds -----------------------------------------------------------------

  /** Reserves a bet's stake (real money first, then bonus). Idempotent on hold_id. */
  reserveHold(input: HoldRequest): Replayable<{ hold: Hold }> {
    return this.reserve('bet', input, true);
  }

  /** Posts a pending hold: the stake leaves the balance. Posting twice returns the first result. */
  postHold(holdId: string): Replayable<{ hold: Hold; balance_after_minor: number }> {
    const h = this.hold(holdId);
    if (!h) return fail('hold_not_found');
    if (h.state === 'posted') return { ok: true, hold: h, balance_after_minor: this.available(h.currency), replayed: true };
    const posted = this.post(holdId);
    return posted.ok ? { ...posted, replayed: false } : posted;
  }

  /**
   * A table gives a bet's stake back (a refused bet, a voided round, a reservation it gave up on).
   * A hold it never got is remembered as abandoned, so that the reservation, should it still arrive
   * (a table that restarted while asking), is refused instead of holding the stake until it expires.
   */
  abandonBet(holdId: string): Replayable<{ hold: Hold | null }> {
    if (this.hold(holdId)) return this.voidHold(holdId);
    const fresh = this.ctx.db.first`insert into abandoned_holds (hold_id, at) values (${holdId}, ${this.ctx.now()}) on conflict (hold_id) do nothing returning hold_id`;
    return { ok: true, hold: null, replayed: fresh === null };
  }

  /** Abandoned holds are remembered this long: far longer than any request can be in flight. */
  purgeAbandoned(): void {
    this.ctx.db.run`delete from abandoned_holds where at < ${this.ctx.now() - 2 * HOLD_TTL_MAX_MS}`;
  }

  /** Voids a bet's pending hold. A withdrawal's hold is not a bet: only its withdrawal's decision releases it. */
  voidHold(holdId: string): Replayable<{ hold: Hold }> {
    return this.resolveUnposted(holdId, 'voided');
  }

  /** Called by the alarm when a bet's hold outlives its expiry; harmless if it was resolved meanwhile. */
  expireHold(holdId: string): Replayable<{ hold: Hold }> {
    const h = this.hold(holdId);
    if (h && h.state === 'pending' && h.expires_at !== null && h.expires_at > this.ctx.now()) return { ok: true, hold: h, replayed: true };
    return this.resolveUnposted(holdId, 'expired');
  }

  /** Credits a win once per win_id. With a hold_id, the bet must have been posted first (and not voided by a dispute since). */
  creditWin(input: { win_id: string; hold_id: string | null; currency: Currency; amount_minor: number; bucket: Bucket }): Replayable<{ balance_after_minor: number }> {
    const fingerprint = `win|${input.hold_id}|${input.currency}|${input.amount_minor}|${input.bucket}`;
    return once(this.ctx, `win:${input.win_id}`, fingerprint, () => {
      if (input.hold_id !== null) {
        const h = this.hold(input.hold_id);
        if (!h) return fail('hold_not_found');
        if (h.state !== 'posted' || h.currency !== input.currency) return fail('invalid_state', `hold is ${h.state} in ${h.currency}`);
        // A bet voided by a dispute stays posted (compensated, not edited) but was not played: a new
        // win on it would take the player past the pre-bet position the void restored.
        if (this.voidedByDispute(h.hold_id)) return fail('invalid_state', `bet ${h.hold_id} was voided by a dispute`, { hold_id: h.hold_id });
      }
      if (!this.fits(input.currency, input.amount_minor)) return fail('amount_too_large', 'the balance would exceed the largest exact amount');
      const after = this.move(input.currency, input.bucket, 'win', input.amount_minor, input.win_id);
      this.ctx.db.run`insert into wins (win_id, hold_id, currency, bucket, amount_minor, created_at)
        values (${input.win_id}, ${input.hold_id}, ${input.currency}, ${input.bucket}, ${input.amount_minor}, ${this.ctx.now()})`;
      this.limits.record('loss', input.currency, -input.amount_minor, this.ctx.now());
      this.ctx.emit('wallet.win.credited', { win_id: input.win_id, hold_id: input.hold_id, bucket: input.bucket, amount_minor: input.amount_minor, balance_after_minor: after }, input.currency);
      return { ok: true, balance_after_minor: after };
    });
  }

  /**
   * Posts a bet's hold and credits its return (stake included; 0 for a loss) under win_id. Wins go
   * to the real balance unless the stake was entirely bonus money. Retries return the first result.
   */
  settleBet(input: { hold_id: string; win_id: string; returned_minor: number }): Result<{ state: 'posted' | 'voided' | 'expired'; returned_minor: number; available_minor: number }> {
    const h = this.hold(input.hold_id);
    if (!h) return fail('hold_not_found');
    if (h.kind !== 'bet') return fail('invalid_state', `hold ${h.hold_id} reserves a ${h.kind}, not a bet`, { kind: h.kind });
    if (h.state === 'voided' || h.state === 'expired') return { ok: true, state: h.state, returned_minor: 0, available_minor: this.available(h.currency) };
    if (h.state === 'pending') {
      const posted = this.post(h.hold_id);
      if (!posted.ok) return posted;
    }
    if (input.returned_minor > 0) {
      const bucket: Bucket = h.real_minor === 0 && h.bonus_minor > 0 ? 'bonus' : 'real';
      const win = this.creditWin({ win_id: input.win_id, hold_id: h.hold_id, currency: h.currency, amount_minor: input.returned_minor, bucket });
      if (!win.ok) return win;
    }
    return { ok: true, state: 'posted', returned_minor: input.returned_minor, available_minor: this.available(h.currency) };
  }

  /** Available (not held) money of a currency, real and bonus together. */
  availableTotal(currency: Currency): number {
    return this.available(currency);
  }

  /**
   * A correction outside the game and payment flows: one ledger entry (kind 'adjustment') per
   * bucket with a non-zero delta, all under `ref`. Every bucket is checked before anything is
   * written, so a refusal leaves no trace. Debits only take what is available (not held).
   */
  correct(currency: Currency, ref: string, delta: Partial<Record<Bucket, number>>): Result<{ balance_after_minor: Record<Bucket, number> }> {
    const moves = (['real', 'bonus'] as const).map((bucket) => ({ bucket, amount: delta[bucket] ?? 0 })).filter((m) => m.amount !== 0);
    for (const m of moves) {
      if (!Number.isSafeInteger(m.amount)) throw new Error(`invariant: correction ${m.amount} is not a safe integer`);
      const available = this.availableIn(currency, m.bucket);
      if (m.amount < 0 && available < -m.amount) {
        return fail('insufficient_funds', `not enough available ${m.bucket} balance`, { available_minor: available, currency, bucket: m.bucket });
      }
    }
    const credit = moves.reduce((sum, m) => sum + Math.max(0, m.amount), 0);
    if (credit > 0 && !this.fits(currency, credit)) return fail('amount_too_large', 'the balance would exceed the largest exact amount');
    for (const m of moves) this.move(currency, m.bucket, 'adjustment', m.amount, ref);
    return { ok: true, balance_after_minor: { real: this.account(currency, 'real').balance_minor, bonus: this.account(currency, 'bonus').balance_minor } };
  }

  /** Pending holds past their expiry (for the alarm, bounded). */
  overdueHolds(limit: number): string[] {
    return this.ctx.db.all<{ hold_id: string }>`select hold_id from holds where state = 'pending' and expires_at is not null and expires_at <= ${this.ctx.now()} limit ${limit}`
      .map((r) => r.hold_id);
  }

  /**
   * Invariant check, positive and negative space: every balance equals the sum of its ledger,
   * never goes negative, and what is held equals the pending holds. Returns the violations.
   */
  audit(): string[] {
    const problems: string[] = [];
    const sums = this.ctx.db.all<{ currency: string; bucket: string; balance_minor: number; held_minor: number; ledger_sum: number | null; pending_sum: number | null }>`
      select b.currency, b.bucket, b.balance_minor, b.held_minor,
        (select sum(amount_minor) from ledger l where l.currency = b.currency and l.bucket = b.bucket) as ledger_sum,
        (select sum(case when b.bucket = 'real' then real_minor else bonus_minor end) from holds h where h.currency = b.currency and h.state = 'pending') as pending_sum
      from balances b`;
    for (const s of sums) {
      if (s.balance_minor !== (s.ledger_sum ?? 0)) problems.push(`${s.currency}/${s.bucket}: balance ${s.balance_minor} != ledger ${s.ledger_sum}`);
      if (s.held_minor !== (s.pending_sum ?? 0)) problems.push(`${s.currency}/${s.bucket}: held ${s.held_minor} != pending holds ${s.pending_sum}`);
      if (s.balance_minor < 0 || s.held_minor > s.balance_minor) problems.push(`${s.currency}/${s.bucket}: negative available`);
    }
    const last = this.ctx.db.all<{ currency: string; bucket: string; balance_after_minor: number; balance_minor: number }>`
      select l.currency, l.bucket, l.balance_after_minor, b.balance_minor from ledger l join balances b using (currency, bucket)
      where l.entry_id = (select max(entry_id) from ledger l2 where l2.currency = l.currency and l2.bucket = l.bucket)`;
    for (const r of last) if (r.balance_after_minor !== r.balance_minor) problems.push(`${r.currency}/${r.bucket}: last running balance ${r.balance_after_minor} != ${r.balance_minor}`);
    return problems;
  }

  // ---- internals -----------------------------------------------------------------------------

  private reserve(kind: 'bet' | 'withdrawal', input: HoldRequest, checkLimits: boolean): Replayable<{ hold: Hold }> {
    const existing = this.hold(input.hold_id);
    if (existing) {
      const same = existing.kind === kind && existing.currency === input.currency && existing.real_minor + existing.bonus_minor === input.amount_minor;
      return same ? { ok: true, hold: existing, replayed: true } : fail('idempotency_conflict', 'this hold id was used with a different request', { hold_id: input.hold_id });
    }
    if (kind === 'bet' && this.ctx.db.first`select 1 from abandoned_holds where hold_id = ${input.hold_id}`) {
      return fail('betting_closed', 'the table gave this bet up before its stake was reserved', { hold_id: input.hold_id });
    }
    if (checkLimits) {
      for (const k of ['wager', 'loss'] as const) {
        const r = this.limits.check(k, input.currency, input.amount_minor);
        if (!r.ok) return r;
      }
    }
    const real = this.account(input.currency, 'real');
    const bonus = kind === 'bet' ? this.account(input.currency, 'bonus') : { balance_minor: 0, held_minor: 0 };
    const realFree = real.balance_minor - real.held_minor;
    const bonusFree = bonus.balance_minor - bonus.held_minor;
    if (realFree + bonusFree < input.amount_minor) {
      return fail('insufficient_funds', 'not enough available balance', { available_minor: realFree + bonusFree, currency: input.currency });
    }
    const fromReal = Math.min(realFree, input.amount_minor);
    const fromBonus = input.amount_minor - fromReal;
    const now = this.ctx.now();
    this.adjustHeld(input.currency, 'real', fromReal);
    this.adjustHeld(input.currency, 'bonus', fromBonus);
    this.ctx.db.run`insert into holds (hold_id, kind, currency, real_minor, bonus_minor, state, expires_at, ref, created_at, max_return_minor)
      values (${input.hold_id}, ${kind}, ${input.currency}, ${fromReal}, ${fromBonus}, 'pending', ${input.expires_at}, ${input.ref}, ${now}, ${input.max_return_minor ?? null})`;
    if (input.expires_at !== null) this.ctx.schedules.at('hold.expire', input.hold_id, input.expires_at);
    if (kind === 'bet') {
      this.limits.record('wager', input.currency, input.amount_minor, now);
      this.limits.record('loss', input.currency, input.amount_minor, now); // a stake is a loss until a win comes back
    }
    this.ctx.emit('wallet.hold.reserved', {
      hold_id: input.hold_id, kind, amount_minor: input.amount_minor, real_minor: fromReal, bonus_minor: fromBonus, expires_at: input.expires_at, ref: input.ref,
    }, input.currency);
    return { ok: true, hold: this.hold(input.hold_id)!, replayed: false };
  }

  private post(holdId: string): Result<{ hold: Hold; balance_after_minor: number }> {
    const h = this.hold(holdId);
    if (!h) return fail('hold_not_found');
    if (h.state !== 'pending') return fail('invalid_state', `hold is ${h.state}`);
    const ledgerKind: LedgerKind = h.kind === 'bet' ? 'bet' : 'withdrawal';
    this.adjustHeld(h.currency, 'real', -h.real_minor);
    this.adjustHeld(h.currency, 'bonus', -h.bonus_minor);
    if (h.real_minor > 0) this.move(h.currency, 'real', ledgerKind, -h.real_minor, holdId);
    if (h.bonus_minor > 0) this.move(h.currency, 'bonus', ledgerKind, -h.bonus_minor, holdId);
    this.ctx.db.run`update holds set state = 'posted', resolved_at = ${this.ctx.now()} where hold_id = ${holdId}`;
    this.ctx.schedules.cancel('hold.expire', holdId);
    const after = this.available(h.currency);
    this.ctx.emit('wallet.hold.posted', { hold_id: holdId, kind: h.kind, amount_minor: h.real_minor + h.bonus_minor, released_minor: 0, balance_after_minor: after }, h.currency);
    return { ok: true, hold: this.hold(holdId)!, balance_after_minor: after };
  }

  private resolveUnposted(holdId: string, to: 'voided' | 'expired'): Replayable<{ hold: Hold }> {
    const h = this.hold(holdId);
    if (!h) return fail('hold_not_found');
    if (h.kind !== 'bet') return fail('invalid_state', `hold ${holdId} reserves a ${h.kind}; it is released by deciding the ${h.kind}`, { kind: h.kind });
    if (h.state === to) return { ok: true, hold: h, replayed: true };
    if (h.state !== 'pending') return fail('invalid_state', `hold is ${h.state}`);
    this.release(holdId, to);
    return { ok: true, hold: this.hold(holdId)!, replayed: false };
  }

  /** Gives a pending hold's funds back (void or expiry) and takes back its RG usage. */
  private release(holdId: string, to: 'voided' | 'expired'): void {
    const h = this.hold(holdId)!;
    this.adjustHeld(h.currency, 'real', -h.real_minor);
    this.adjustHeld(h.currency, 'bonus', -h.bonus_minor);
    this.ctx.db.run`update holds set state = ${to}, resolved_at = ${this.ctx.now()} where hold_id = ${holdId}`;
    this.ctx.schedules.cancel('hold.expire', holdId);
    const amount = h.real_minor + h.bonus_minor;
    if (h.kind === 'bet') {
      this.limits.record('wager', h.currency, -amount, h.created_at);
      this.limits.record('loss', h.currency, -amount, h.created_at);
    }
    this.ctx.emit(to === 'voided' ? 'wallet.hold.voided' : 'wallet.hold.expired', { hold_id: holdId, kind: h.kind, amount_minor: amount }, h.currency);
  }

  private account(currency: Currency, bucket: Bucket): AccountRow {
    return this.ctx.db.first<AccountRow>`select balance_minor, held_minor from balances where currency = ${currency} and bucket = ${bucket}`
      ?? { balance_minor: 0, held_minor: 0 };
  }

  private available(currency: Currency): number {
    return this.ctx.db.first<{ a: number | null }>`select sum(balance_minor - held_minor) as a from balances where currency = ${currency}`?.a ?? 0;
  }

  /** Whether a dispute voided this bet (disputes.ts writes the row; read here so no win follows it). */
  private voidedByDispute(holdId: string): boolean {
    return this.ctx.db.first`select 1 from disputes where hold_id = ${holdId} and resolution = 'void'` !== null;
  }

  /** Would crediting `amount` keep every total of this currency exactly representable? */
  private fits(currency: Currency, amount: number): boolean {
    const total = this.ctx.db.first<{ t: number | null }>`select sum(balance_minor) as t from balances where currency = ${currency}`?.t ?? 0;
    return addMinor(total, amount) !== null;
  }

  /** Moves money between available and held. The account exists: only funds that are there can be held. */
  private adjustHeld(currency: Currency, bucket: Bucket, delta: number): void {
    if (delta === 0) return;
    const n = this.ctx.db.run`update balances set held_minor = held_minor + ${delta} where currency = ${currency} and bucket = ${bucket}`;
    if (n !== 1) throw new Error(`invariant: no ${currency}/${bucket} account to hold ${delta} on`);
  }

  /** The one place a balance changes: balance and ledger row move together. */
  private move(currency: Currency, bucket: Bucket, kind: LedgerKind, amount: number, ref: string): number {
    // UPDATE first: SQLite checks an INSERT's CHECK constraints before ON CONFLICT, so an upsert
    // of a debit would fail on the candidate row. Only a credit may open an account.
    let row = this.ctx.db.first<{ balance_minor: number }>`update balances set balance_minor = balance_minor + ${amount}
      where currency = ${currency} and bucket = ${bucket} returning balance_minor`;
    if (!row && amount > 0) {
      row = this.ctx.db.first<{ balance_minor: number }>`insert into balances (currency, bucket, balance_minor, held_minor)
        values (${currency}, ${bucket}, ${amount}, 0) returning balance_minor`;
    }
    const after = row?.balance_minor;
    if (after === undefined || after < 0 || !Number.isSafeInteger(after)) throw new Error(`invariant: ${currency}/${bucket} balance ${after} after ${kind} ${amount}`);
    this.ctx.db.run`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref)
      values (${this.ctx.now()}, ${currency}, ${bucket}, ${kind}, ${amount}, ${after}, ${ref})`;
    return after;
  }
}
