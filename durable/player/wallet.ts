/**
 * The player's wallet: balances per currency and bucket (real, bonus), an append-only ledger with
 * running balances, two-phase holds, deposits and withdrawals. Every movement is idempotent (by
 * client key, deposit/withdrawal/hold/win id) and checks responsible-gaming limits in the same
 * transaction that moves the money. Callers run these inside one SQLite transaction. Back-office
 * corrections (adjustments, dispute resolutions) come in through `correct`, as new entries.
 *
 * Hot state (TigerBeetle's habit: the state machine's working set in memory, storage written
 * through): the balances per currency and bucket, what the ledger adds up to for each, the pending
 * holds, and the deposits asked for by this instance and not yet decided. Loaded on first use,
 * written through in the transaction that changes them (memory after SQL accepted the write), never
 * re-read inside one; a transaction that throws makes them forget (ObjectContext.tx) and they reload
 * from SQL. Every movement asserts that SQL's RETURNING for the balance row agrees with what memory
 * predicted, and that 0 <= held <= balance. The ledger is compared with the balances when the hot
 * state loads (a restart, any rollback), not at each movement: that would cost a ledger read per
 * movement, so a ledger row written behind the object's back is caught at the next load, which then
 * refuses the player everything until repaired. `verifyHotState` (debug mode, tests) compares
 * everything with SQL after every transaction.
 */
import { fail, type Result } from '../../domain/errors';
import { addMinor, type Currency } from '../../domain/money';
import { PAYMENT_REFERENCE_PATTERN } from '../../domain/payment-reference';
import type { PlayerContext } from './context';
import { once, type Replayable } from './idempotency';
import type { Limits } from './limits';

export type Bucket = 'real' | 'bonus';
type LedgerKind = 'deposit' | 'withdrawal' | 'bet' | 'win' | 'adjustment' | 'reward';

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
/** One currency and bucket in memory: its balance row, and what its ledger adds up to. */
type Account = { balance: number; held: number; ledger: number };
/** Deposits asked for and not yet decided, kept for the confirmation that usually follows (bounded). */
const RECENT_DEPOSITS_MAX = 64;

const accountKey = (currency: string, bucket: Bucket) => `${currency}|${bucket}`;

/** What a deposit request is, for its idempotency key (the form `once` stored before migration 9). */
function depositFingerprint(provider: string, currency: Currency, amount: number, ref: string | null): string {
  return `deposit|${provider}|${currency}|${amount}${ref ? `|${ref}` : ''}`;
}

type RequestedDepositRow = { deposit_id: string; provider: string; currency: Currency; amount_minor: number; requested_reference: string | null; created_at: number };

/** The deposit as its request created it (the first answer to its key), in the columns' order of `select *` before migration 9. */
function requestedDeposit(r: RequestedDepositRow): Deposit {
  return {
    deposit_id: r.deposit_id, provider: r.provider, provider_ref: null, currency: r.currency, amount_minor: r.amount_minor,
    state: 'pending', failure_reason: null, created_at: r.created_at, updated_at: r.created_at, payment_reference: r.requested_reference,
  };
}

export class Wallet {
  /** `currency|bucket` -> account, every row of `balances`; undefined until loaded (or after a rollback). */
  private cachedAccounts: Map<string, Account> | undefined = undefined;
  /** Every pending hold by id; undefined until loaded. */
  private cachedPending: Map<string, Hold> | undefined = undefined;
  /** Pending deposits this instance wrote (a cache: a miss reads SQL). */
  private readonly recentDeposits = new Map<string, Deposit>();
  /**
   * Told, inside the transaction, when a bet hold of 0 (a free bet's) is voided or expired: the
   * player object gives the free bet back (reward-offers.ts). Whichever path releases the hold (the
   * table's void, settlement finding it overdue, the alarm), it is released once, so this runs once.
   */
  onStakeFreeReleased: ((holdId: string, to: 'voided' | 'expired') => void) | null = null;

  constructor(
    private readonly ctx: PlayerContext,
    private readonly limits: Limits,
  ) {
    ctx.onForget(() => this.forget());
  }

  forget(): void {
    this.cachedAccounts = undefined;
    this.cachedPending = undefined;
    this.recentDeposits.clear();
  }

  private accounts(): Map<string, Account> {
    if (this.cachedAccounts === undefined) {
      const accounts = new Map<string, Account>();
      for (const r of this.ctx.db.all<{ currency: Currency; bucket: Bucket; balance_minor: number; held_minor: number }>`select currency, bucket, balance_minor, held_minor from balances`) {
        accounts.set(accountKey(r.currency, r.bucket), { balance: r.balance_minor, held: r.held_minor, ledger: r.balance_minor });
      }
      // The ledger's totals are read against the balances only in debug mode (tests): summing the
      // whole ledger costs O(history) (717 ms at 400k entries), and this load runs at every object
      // start and after every rolled-back call (every refusal). Outside debug mode the ledger total
      // starts from the balance row, and checkAccount then proves every movement of this instance
      // wrote the ledger and the balance alike.
      if (this.ctx.checks) {
        for (const a of accounts.values()) a.ledger = 0;
        for (const r of this.ctx.db.all<{ currency: Currency; bucket: Bucket; s: number }>`select currency, bucket, sum(amount_minor) as s from ledger group by currency, bucket`) {
          const a = accounts.get(accountKey(r.currency, r.bucket));
          if (a) a.ledger = r.s;
          else accounts.set(accountKey(r.currency, r.bucket), { balance: 0, held: 0, ledger: r.s }); // caught by the invariant below
        }
        for (const [key, a] of accounts) if (a.ledger !== a.balance) throw new Error(`invariant: ${key} balance ${a.balance} != ledger ${a.ledger}`);
      }
      this.cachedAccounts = accounts;
    }
    return this.cachedAccounts;
  }

  private pending(): Map<string, Hold> {
    this.cachedPending ??= new Map(this.ctx.db.all<Hold>`select * from holds where state = 'pending'`.map((h) => [h.hold_id, Object.freeze(h)]));
    return this.cachedPending;
  }

  /**
   * Debug mode (tests, PlayerDO after every transaction): memory against SQL, and the SQL invariants
   * (audit). Returns the differences; empty when memory and storage agree.
   */
  verifyHotState(): string[] {
    const problems = [...this.audit(), ...this.limits.verify()];
    if (this.cachedAccounts !== undefined) {
      const sql = this.ctx.db.all<{ currency: string; bucket: Bucket; balance_minor: number; held_minor: number; ledger: number | null }>`
        select currency, bucket, balance_minor, held_minor, (select sum(amount_minor) from ledger l where l.currency = b.currency and l.bucket = b.bucket) as ledger from balances b`;
      if (sql.length !== this.cachedAccounts.size) problems.push(`accounts in memory ${this.cachedAccounts.size} != SQL ${sql.length}`);
      for (const r of sql) {
        const a = this.cachedAccounts.get(accountKey(r.currency, r.bucket));
        if (!a || a.balance !== r.balance_minor || a.held !== r.held_minor || a.ledger !== (r.ledger ?? 0)) {
          problems.push(`${r.currency}/${r.bucket} in memory ${JSON.stringify(a)} != SQL ${JSON.stringify(r)}`);
        }
      }
    }
    if (this.cachedPending !== undefined) {
      const sql = this.ctx.db.all<Hold>`select * from holds where state = 'pending'`;
      const mem = this.cachedPending;
      if (sql.length !== mem.size || sql.some((h) => JSON.stringify(h) !== JSON.stringify(mem.get(h.hold_id)))) {
        problems.push(`pending holds in memory ${JSON.stringify([...mem.keys()])} != SQL ${JSON.stringify(sql.map((h) => h.hold_id))}`);
      }
    }
    for (const d of this.recentDeposits.values()) {
      const row = this.ctx.db.first<Deposit>`select deposit_id, provider, provider_ref, currency, amount_minor, state, failure_reason, created_at, updated_at, payment_reference
        from deposits where deposit_id = ${d.deposit_id}`;
      if (JSON.stringify(row) !== JSON.stringify(d)) problems.push(`deposit ${d.deposit_id} in memory != SQL`);
    }
    return problems;
  }

  // ---- reads ---------------------------------------------------------------------------------

  balances(): BalanceView[] {
    const rows = [...this.accounts()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, a]) => {
      const [currency, bucket] = key.split('|') as [Currency, Bucket];
      return { currency, bucket, balance_minor: a.balance, held_minor: a.held };
    });
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
    // The columns of a Deposit in table order (not *: the row also holds its idempotency record).
    return this.recentDeposits.get(depositId) ?? this.ctx.db.first<Deposit>`select deposit_id, provider, provider_ref, currency, amount_minor, state, failure_reason, created_at, updated_at, payment_reference
      from deposits where deposit_id = ${depositId}`;
  }

  withdrawal(withdrawalId: string): Withdrawal | null {
    return this.ctx.db.first<Withdrawal>`select * from withdrawals where withdrawal_id = ${withdrawalId}`;
  }

  withdrawals(): Withdrawal[] {
    return this.ctx.db.all<Withdrawal>`select * from withdrawals order by created_at desc limit 100`;
  }

  hold(holdId: string): Hold | null {
    return this.pending().get(holdId) ?? this.ctx.db.first<Hold>`select * from holds where hold_id = ${holdId}`;
  }

  /** Pending holds (bets in play, withdrawals awaiting payout), newest first. */
  openHolds(limit = 100): Hold[] {
    return [...this.pending().values()].sort((a, b) => b.created_at - a.created_at).slice(0, limit);
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
   *
   * The deposit row is its own idempotency record (one insert instead of two): it keeps the
   * client's key and the reference the request named, which with its provider, currency and amount
   * are the request's fingerprint, and its first answer (the pending deposit as it was created) is
   * rebuilt from the same columns. A deposit is never deleted, so its key is kept for good (longer
   * than IDEMPOTENCY_RETENTION_MS). Deposits requested before migration 9 have their keys in
   * `idempotency` (until it purges them): the one lookup reads both. A refusal stores nothing.
   */
  requestDeposit(key: string, input: { deposit_id: string; provider: string; currency: Currency; amount_minor: number; payment_reference?: string | null }): Replayable<{ deposit: Deposit }> {
    const ref = checkedReference(input.payment_reference);
    const fingerprint = depositFingerprint(input.provider, input.currency, input.amount_minor, ref);
    const seen = this.depositOfKey(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        return fail('idempotency_conflict', 'this idempotency key was used with a different request', { idempotency_key: `deposit:${key}` });
      }
      return { ok: true, deposit: seen.deposit, replayed: true };
    }
    const limit = this.limits.check('deposit', input.currency, input.amount_minor);
    if (!limit.ok) return limit;
    if (!this.fits(input.currency, input.amount_minor)) return fail('amount_too_large', 'the balance would exceed the largest exact amount');
    const now = this.ctx.now();
    this.ctx.db.run`insert into deposits (deposit_id, provider, provider_ref, currency, amount_minor, state, payment_reference, created_at, updated_at, idempotency_key, requested_reference)
      values (${input.deposit_id}, ${input.provider}, null, ${input.currency}, ${input.amount_minor}, 'pending', ${ref}, ${now}, ${now}, ${key}, ${ref})`;
    const deposit = requestedDeposit({ deposit_id: input.deposit_id, provider: input.provider, currency: input.currency, amount_minor: input.amount_minor, requested_reference: ref, created_at: now });
    this.rememberDeposit(deposit);
    this.limits.record('deposit', input.currency, input.amount_minor, now);
    this.ctx.emit('wallet.deposit.requested', { deposit_id: input.deposit_id, provider: input.provider, amount_minor: input.amount_minor, payment_reference: ref }, input.currency);
    return { ok: true, deposit, replayed: false };
  }

  /** The request an idempotency key made, with its fingerprint and first answer; null if the key is new. */
  private depositOfKey(key: string): { fingerprint: string; deposit: Deposit } | null {
    const r = this.ctx.db.first<RequestedDepositRow & { fingerprint: string | null; response: string | null }>`
      select d.deposit_id, d.provider, d.currency, d.amount_minor, d.requested_reference, d.created_at, i.fingerprint, i.response
      from (select 1) left join deposits d on d.idempotency_key = ${key} left join idempotency i on i.key = ${`deposit:${key}`}`;
    if (r?.deposit_id) {
      return { fingerprint: depositFingerprint(r.provider, r.currency, r.amount_minor, r.requested_reference), deposit: requestedDeposit(r) };
    }
    if (r?.fingerprint && r.response) return { fingerprint: r.fingerprint, deposit: (JSON.parse(r.response) as { deposit: Deposit }).deposit };
    return null;
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
    const ref = checkedReference(input.payment_reference) ?? d.payment_reference;
    const after = this.move(d.currency, 'real', 'deposit', d.amount_minor, d.deposit_id);
    const deposit = this.ctx.db.first<Deposit>`update deposits set state = 'completed', provider_ref = ${input.provider_ref}, payment_reference = ${ref}, updated_at = ${now}
      where deposit_id = ${d.deposit_id} and state = 'pending'
      returning deposit_id, provider, provider_ref, currency, amount_minor, state, failure_reason, created_at, updated_at, payment_reference`;
    if (!deposit) throw new Error(`invariant: deposit ${d.deposit_id} was not pending in storage`);
    this.recentDeposits.delete(d.deposit_id);
    this.ctx.emit('wallet.deposit.completed', { deposit_id: d.deposit_id, provider: d.provider, amount_minor: d.amount_minor, balance_after_minor: after, payment_reference: ref }, d.currency);
    return { ok: true, deposit, replayed: false };
  }

  /** A failed payment; the instrument that failed is kept (declines across many cards are a signal of their own). */
  failDeposit(input: { deposit_id: string; provider: string; reason: string | null; payment_reference?: string | null }): Replayable<{ deposit: Deposit }> {
    const d = this.deposit(input.deposit_id);
    if (!d || d.provider !== input.provider) return fail('deposit_not_found');
    if (d.state === 'failed') return { ok: true, deposit: d, replayed: true };
    if (d.state !== 'pending') return fail('invalid_state', `deposit is ${d.state}`);
    const now = this.ctx.now();
    const ref = checkedReference(input.payment_reference) ?? d.payment_reference;
    const deposit = this.ctx.db.first<Deposit>`update deposits set state = 'failed', failure_reason = ${input.reason}, payment_reference = ${ref}, updated_at = ${now}
      where deposit_id = ${d.deposit_id} and state = 'pending'
      returning deposit_id, provider, provider_ref, currency, amount_minor, state, failure_reason, created_at, updated_at, payment_reference`;
    if (!deposit) throw new Error(`invariant: deposit ${d.deposit_id} was not pending in storage`);
    this.recentDeposits.delete(d.deposit_id);
    this.limits.record('deposit', d.currency, -d.amount_minor, d.created_at); // a failed deposit does not use the limit
    this.ctx.emit('wallet.deposit.failed', { deposit_id: d.deposit_id, provider: d.provider, amount_minor: d.amount_minor, reason: input.reason, payment_reference: ref }, d.currency);
    return { ok: true, deposit, replayed: false };
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

  /**
   * The hold of a bet staked with a free bet (reward-offers.ts take, in the same transaction): none
   * of the player's money is held (a hold of 0, so the bet has the one outcome, expiry and
   * idempotency every bet has), and no limit counts it: the stake is the operator's, not the
   * player's. Its event names the free bet. Idempotent on hold_id like any hold (a retry names the
   * same stake of 0).
   */
  reserveFreeBetHold(input: Omit<HoldRequest, 'amount_minor'>, freeBetId: string): Replayable<{ hold: Hold }> {
    return this.reserve('bet', { ...input, amount_minor: 0 }, false, freeBetId);
  }

  /**
   * Posts a bet's pending hold: the stake leaves the balance. Posting again answers the posted hold
   * as a replay (with the balance as it is now), even once its expiry has passed: a post is final.
   *
   * The expiry-first rule of settleBet holds here too: a hold past its expiry (by this object's
   * clock now) is expired first, as the alarm would have done (stake and RG usage back, one
   * `wallet.hold.expired`), and the post is refused exactly as when the alarm came first
   * (invalid_state, details.state 'expired'). Whichever of the post and the alarm comes first, the
   * bet has one outcome. The expiry sticks if the caller's transaction commits this refusal; one that
   * rolls refusals back leaves the hold to the alarm, armed by its expiry, with the same outcome.
   *
   * A withdrawal's hold is not a bet: only its payout posts it (markWithdrawalPaid), so a post here
   * cannot take the money out behind the withdrawal's back (which would stay 'requested', its hold
   * posted, never cancellable).
   */
  postHold(holdId: string): Replayable<{ hold: Hold; balance_after_minor: number }> {
    let h = this.hold(holdId);
    if (!h) return fail('hold_not_found');
    if (h.kind !== 'bet') return fail('invalid_state', `hold ${holdId} reserves a ${h.kind}; it is posted by paying the ${h.kind}`, { hold_id: holdId, kind: h.kind });
    if (h.state === 'posted') return { ok: true, hold: h, balance_after_minor: this.available(h.currency), replayed: true };
    if (this.overdue(h)) {
      const expired = this.expireHold(holdId);
      if (!expired.ok) return expired;
      h = expired.hold;
    }
    if (h.state !== 'pending') return fail('invalid_state', `hold is ${h.state}`, { hold_id: holdId, state: h.state });
    const posted = this.post(holdId);
    return posted.ok ? { ...posted, replayed: false } : posted;
  }

  /** A pending hold whose expiry has come by this object's clock (the alarm may not have run yet). */
  private overdue(h: Hold): boolean {
    return h.state === 'pending' && h.expires_at !== null && h.expires_at <= this.ctx.now();
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
   * A hold past its expiry is expired first, as the alarm would have done: whichever of the
   * settlement and the alarm comes first, the bet has one outcome (expired: stake back, no win).
   */
  settleBet(input: { hold_id: string; win_id: string; returned_minor: number }): Result<{ state: 'posted' | 'voided' | 'expired'; returned_minor: number; available_minor: number }> {
    let h = this.hold(input.hold_id);
    if (!h) return fail('hold_not_found');
    if (h.kind !== 'bet') return fail('invalid_state', `hold ${h.hold_id} reserves a ${h.kind}, not a bet`, { kind: h.kind });
    if (this.overdue(h)) {
      const expired = this.expireHold(h.hold_id);
      if (!expired.ok) return expired;
      h = expired.hold;
    }
    if (h.state === 'voided' || h.state === 'expired') return { ok: true, state: h.state, returned_minor: 0, available_minor: this.available(h.currency) };
    if (h.state === 'posted') {
      // Settled already: the settlement that posted the hold credited its return in the same
      // transaction, so a re-send (a table restarted mid-settlement, or a faulty one naming another
      // return) pays nothing and answers what was paid: a lost bet can never be paid late.
      const paid = this.winsOf(h.hold_id);
      return { ok: true, state: 'posted', returned_minor: paid.real + paid.bonus, available_minor: this.available(h.currency) };
    }
    const posted = this.post(h.hold_id);
    if (!posted.ok) return posted;
    if (input.returned_minor > 0) {
      const bucket: Bucket = h.real_minor === 0 && h.bonus_minor > 0 ? 'bonus' : 'real';
      const win = this.creditWin({ win_id: input.win_id, hold_id: h.hold_id, currency: h.currency, amount_minor: input.returned_minor, bucket });
      if (!win.ok) return win;
    }
    return { ok: true, state: 'posted', returned_minor: input.returned_minor, available_minor: this.available(h.currency) };
  }

  /**
   * What a free bet won (docs/rewards.md "Cash-like rewards"): the return without the stake (the
   * stake was the operator's; PlayerDO.settleTableBet computes it), real money, a game's win on the
   * posted free-bet hold: ledger kind 'win' and a wins row under the bet's win id (so a dispute
   * finds and reverses it like any win), once per win id (its idempotency key, and the wins table's
   * primary key). Its event names the free bet. Not counted against the loss limit: its stake was
   * never counted, and counting the win would widen the player's limit by the operator's gift.
   */
  creditFreeBetWin(input: { win_id: string; hold_id: string; free_bet_id: string; currency: Currency; amount_minor: number }): Replayable<{ balance_after_minor: number }> {
    const fingerprint = `free_bet_win|${input.hold_id}|${input.free_bet_id}|${input.currency}|${input.amount_minor}`;
    return once(this.ctx, `win:${input.win_id}`, fingerprint, () => {
      if (!Number.isSafeInteger(input.amount_minor) || input.amount_minor <= 0) throw new Error(`invariant: free bet win ${input.win_id} of ${input.amount_minor}`);
      const h = this.hold(input.hold_id);
      if (!h) return fail('hold_not_found');
      if (h.state !== 'posted' || h.currency !== input.currency || h.real_minor + h.bonus_minor !== 0) return fail('invalid_state', `hold is ${h.state} in ${h.currency}`);
      if (this.voidedByDispute(h.hold_id)) return fail('invalid_state', `bet ${h.hold_id} was voided by a dispute`, { hold_id: h.hold_id });
      if (!this.fits(input.currency, input.amount_minor)) return fail('amount_too_large', 'the balance would exceed the largest exact amount');
      const after = this.move(input.currency, 'real', 'win', input.amount_minor, input.win_id);
      this.ctx.db.run`insert into wins (win_id, hold_id, currency, bucket, amount_minor, created_at)
        values (${input.win_id}, ${input.hold_id}, ${input.currency}, 'real', ${input.amount_minor}, ${this.ctx.now()})`;
      this.ctx.emit('wallet.win.credited', {
        win_id: input.win_id, hold_id: input.hold_id, bucket: 'real', amount_minor: input.amount_minor, balance_after_minor: after, free_bet_id: input.free_bet_id,
      }, input.currency);
      return { ok: true, balance_after_minor: after };
    });
  }

  /**
   * A cash-like reward paid into the wallet (a cashback grant, reward-offers.ts): real money, one
   * ledger entry of kind 'reward' under the grant id. Called in the transaction that records the
   * grant, for a grant row that was new; the partial unique index ledger_reward_once refuses a second
   * entry for the same grant whatever calls it (the insert throws and the transaction rolls back).
   * Not counted against any limit: it is not a deposit, and counting it as a win would widen the
   * player's loss limit by the operator's gift.
   */
  creditReward(input: { grant_id: string; currency: Currency; amount_minor: number }): { balance_after_minor: number } {
    if (!Number.isSafeInteger(input.amount_minor) || input.amount_minor <= 0) throw new Error(`invariant: reward ${input.grant_id} of ${input.amount_minor}`);
    if (!this.fits(input.currency, input.amount_minor)) throw new Error(`invariant: reward ${input.grant_id} would take the balance past the largest exact amount`);
    const after = this.move(input.currency, 'real', 'reward', input.amount_minor, input.grant_id);
    this.ctx.emit('wallet.reward.credited', { grant_id: input.grant_id, bucket: 'real', amount_minor: input.amount_minor, balance_after_minor: after }, input.currency);
    return { balance_after_minor: after };
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

  /**
   * The earliest expiry of a pending hold (the alarm must fire by then), from the pending holds in
   * memory: after a restart the constructor's rearm loads them, so the alarm is armed by the
   * earliest expiry of the holds that survived (no index, no schedule row per hold).
   */
  nextExpiry(): number | null {
    let at: number | null = null;
    for (const h of this.pending().values()) if (h.expires_at !== null && (at === null || h.expires_at < at)) at = h.expires_at;
    return at;
  }

  /** Pending holds past their expiry, earliest first (for the alarm, bounded), from memory. */
  overdueHolds(limit: number): string[] {
    const now = this.ctx.now();
    const due: { hold_id: string; at: number }[] = [];
    for (const h of this.pending().values()) if (h.expires_at !== null && h.expires_at <= now) due.push({ hold_id: h.hold_id, at: h.expires_at });
    return due.sort((a, b) => a.at - b.at).slice(0, limit).map((d) => d.hold_id);
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

  private reserve(kind: 'bet' | 'withdrawal', input: HoldRequest, checkLimits: boolean, freeBetId: string | null = null): Replayable<{ hold: Hold }> {
    const { hold: existing, abandoned } = this.lookupHold(input.hold_id);
    if (existing) {
      const same = existing.kind === kind && existing.currency === input.currency && existing.real_minor + existing.bonus_minor === input.amount_minor;
      return same ? { ok: true, hold: existing, replayed: true } : fail('idempotency_conflict', 'this hold id was used with a different request', { hold_id: input.hold_id });
    }
    if (kind === 'bet' && abandoned) {
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
    // The row as `select *` reads it (columns in table order), without reading it.
    const hold: Hold = Object.freeze({
      hold_id: input.hold_id, kind, currency: input.currency, real_minor: fromReal, bonus_minor: fromBonus, state: 'pending' as const,
      expires_at: input.expires_at, ref: input.ref, created_at: now, resolved_at: null, max_return_minor: input.max_return_minor ?? null,
    });
    this.pending().set(hold.hold_id, hold);
    // No schedule row per hold: the alarm scans the pending holds in memory (overdueHolds); it only
    // has to fire by the expiry, which costs nothing when it is armed earlier already.
    if (input.expires_at !== null) this.ctx.schedules.wakeBy(input.expires_at);
    if (kind === 'bet' && input.amount_minor > 0) {
      // a stake is a loss until a win comes back
      this.limits.recordPair({ metric: 'wager', currency: input.currency, amount: input.amount_minor, atMs: now }, { metric: 'loss', currency: input.currency, amount: input.amount_minor, atMs: now });
    }
    this.ctx.emit('wallet.hold.reserved', {
      hold_id: input.hold_id, kind, amount_minor: input.amount_minor, real_minor: fromReal, bonus_minor: fromBonus, expires_at: input.expires_at, ref: input.ref,
      ...(freeBetId !== null ? { free_bet_id: freeBetId } : {}),
    }, input.currency);
    return { ok: true, hold, replayed: false };
  }

  /** The hold id is the idempotency key of a hold: one read answers both "seen before?" and "abandoned?". */
  private lookupHold(holdId: string): { hold: Hold | null; abandoned: boolean } {
    const pending = this.pending().get(holdId);
    if (pending) return { hold: pending, abandoned: false };
    const r = this.ctx.db.first<(Hold & { abandoned: number }) | { hold_id: null; abandoned: number }>`
      select h.*, exists (select 1 from abandoned_holds where hold_id = ${holdId}) as abandoned
      from (select 1) left join holds h on h.hold_id = ${holdId}`;
    if (!r || r.hold_id === null) return { hold: null, abandoned: r?.abandoned === 1 };
    const { abandoned, ...hold } = r;
    return { hold, abandoned: abandoned === 1 };
  }

  private post(holdId: string): Result<{ hold: Hold; balance_after_minor: number }> {
    const h = this.hold(holdId);
    if (!h) return fail('hold_not_found');
    if (h.state !== 'pending') return fail('invalid_state', `hold is ${h.state}`);
    const ledgerKind: LedgerKind = h.kind === 'bet' ? 'bet' : 'withdrawal';
    // One balance write per bucket: the stake leaves the balance and the held amount together.
    if (h.real_minor > 0) this.move(h.currency, 'real', ledgerKind, -h.real_minor, holdId, -h.real_minor);
    if (h.bonus_minor > 0) this.move(h.currency, 'bonus', ledgerKind, -h.bonus_minor, holdId, -h.bonus_minor);
    const hold = this.resolveRow(h, 'posted');
    const after = this.available(h.currency);
    this.ctx.emit('wallet.hold.posted', { hold_id: holdId, kind: h.kind, amount_minor: h.real_minor + h.bonus_minor, released_minor: 0, balance_after_minor: after }, h.currency);
    return { ok: true, hold, balance_after_minor: after };
  }

  /** A pending hold's row leaves `pending` (once: a row that is not pending in storage is a bug). */
  private resolveRow(h: Hold, to: 'posted' | 'voided' | 'expired'): Hold {
    const now = this.ctx.now();
    const n = this.ctx.db.all`update holds set state = ${to}, resolved_at = ${now} where hold_id = ${h.hold_id} and state = 'pending' returning hold_id`.length;
    if (n !== 1) throw new Error(`invariant: hold ${h.hold_id} was not pending in storage`);
    this.pending().delete(h.hold_id);
    return Object.freeze({ ...h, state: to, resolved_at: now });
  }

  private resolveUnposted(holdId: string, to: 'voided' | 'expired'): Replayable<{ hold: Hold }> {
    const h = this.hold(holdId);
    if (!h) return fail('hold_not_found');
    if (h.kind !== 'bet') return fail('invalid_state', `hold ${holdId} reserves a ${h.kind}; it is released by deciding the ${h.kind}`, { kind: h.kind });
    if (h.state === to) return { ok: true, hold: h, replayed: true };
    if (h.state !== 'pending') return fail('invalid_state', `hold is ${h.state}`);
    return { ok: true, hold: this.release(holdId, to), replayed: false };
  }

  /** Gives a pending hold's funds back (void or expiry) and takes back its RG usage. */
  private release(holdId: string, to: 'voided' | 'expired'): Hold {
    const h = this.hold(holdId)!;
    this.adjustHeld(h.currency, 'real', -h.real_minor);
    this.adjustHeld(h.currency, 'bonus', -h.bonus_minor);
    const hold = this.resolveRow(h, to);
    const amount = h.real_minor + h.bonus_minor;
    if (h.kind === 'bet' && amount > 0) {
      this.limits.recordPair({ metric: 'wager', currency: h.currency, amount: -amount, atMs: h.created_at }, { metric: 'loss', currency: h.currency, amount: -amount, atMs: h.created_at });
    }
    this.ctx.emit(to === 'voided' ? 'wallet.hold.voided' : 'wallet.hold.expired', { hold_id: holdId, kind: h.kind, amount_minor: amount }, h.currency);
    // a bet of 0 of the player's money may be a free bet's: its token comes back (reward-offers.ts giveBack)
    if (h.kind === 'bet' && amount === 0) this.onStakeFreeReleased?.(holdId, to);
    return hold;
  }

  private account(currency: Currency, bucket: Bucket): AccountRow {
    const a = this.accounts().get(accountKey(currency, bucket));
    return a ? { balance_minor: a.balance, held_minor: a.held } : { balance_minor: 0, held_minor: 0 };
  }

  private available(currency: Currency): number {
    const real = this.account(currency, 'real');
    const bonus = this.account(currency, 'bonus');
    return real.balance_minor - real.held_minor + bonus.balance_minor - bonus.held_minor;
  }

  /** Whether a dispute voided this bet (disputes.ts writes the row; read here so no win follows it). */
  private voidedByDispute(holdId: string): boolean {
    return this.ctx.db.first`select 1 from disputes where hold_id = ${holdId} and resolution = 'void'` !== null;
  }

  /** Would crediting `amount` keep every total of this currency exactly representable? */
  private fits(currency: Currency, amount: number): boolean {
    return addMinor(this.account(currency, 'real').balance_minor + this.account(currency, 'bonus').balance_minor, amount) !== null;
  }

  private rememberDeposit(d: Deposit): void {
    if (this.recentDeposits.size >= RECENT_DEPOSITS_MAX) this.recentDeposits.delete(this.recentDeposits.keys().next().value!);
    this.recentDeposits.set(d.deposit_id, Object.freeze(d));
  }

  /**
   * After every write to a balance row: SQL's answer (RETURNING) must be what memory predicted, and
   * the account must hold together (0 <= held <= balance, and balance == memory's ledger total: the
   * ledger itself is read against the balances only at load, in debug mode). A difference is a bug or a write
   * behind the object's back: thrown, so the call rolls back.
   */
  private checkAccount(currency: Currency, bucket: Bucket, a: Account, row: { balance_minor: number; held_minor: number } | null, what: string): void {
    if (!row || row.balance_minor !== a.balance || row.held_minor !== a.held) {
      throw new Error(`invariant: ${currency}/${bucket} after ${what}: storage ${JSON.stringify(row)} != memory ${JSON.stringify(a)}`);
    }
    if (a.balance !== a.ledger || a.held < 0 || a.held > a.balance || !Number.isSafeInteger(a.balance)) {
      throw new Error(`invariant: ${currency}/${bucket} after ${what}: ${JSON.stringify(a)}`);
    }
  }

  /** Moves money between available and held. The account exists: only funds that are there can be held. */
  private adjustHeld(currency: Currency, bucket: Bucket, delta: number): void {
    if (delta === 0) return;
    const a = this.accounts().get(accountKey(currency, bucket));
    if (!a) throw new Error(`invariant: no ${currency}/${bucket} account to hold ${delta} on`);
    const row = this.ctx.db.first<AccountRow>`update balances set held_minor = held_minor + ${delta}
      where currency = ${currency} and bucket = ${bucket} returning balance_minor, held_minor`;
    const next = { ...a, held: a.held + delta };
    this.checkAccount(currency, bucket, next, row, `holding ${delta}`);
    this.accounts().set(accountKey(currency, bucket), next);
  }

  /**
   * The one place a balance changes: balance and ledger row move together (and, for a posted hold,
   * the held amount with them: `heldDelta`), one balance write and one ledger insert.
   */
  private move(currency: Currency, bucket: Bucket, kind: LedgerKind, amount: number, ref: string, heldDelta = 0): number {
    const key = accountKey(currency, bucket);
    const before = this.accounts().get(key);
    const next: Account = before
      ? { balance: before.balance + amount, held: before.held + heldDelta, ledger: before.ledger + amount }
      : { balance: amount, held: heldDelta, ledger: amount };
    if (next.balance < 0 || !Number.isSafeInteger(next.balance)) throw new Error(`invariant: ${currency}/${bucket} balance ${next.balance} after ${kind} ${amount}`);
    // Only a credit may open an account (UPDATE when it exists: SQLite checks an INSERT's CHECK
    // constraints before ON CONFLICT, so an upsert of a debit would fail on the candidate row).
    if (!before && (amount <= 0 || heldDelta !== 0)) throw new Error(`invariant: no ${currency}/${bucket} account for ${kind} ${amount}`);
    const row = before
      ? this.ctx.db.first<AccountRow>`update balances set balance_minor = balance_minor + ${amount}, held_minor = held_minor + ${heldDelta}
          where currency = ${currency} and bucket = ${bucket} returning balance_minor, held_minor`
      : this.ctx.db.first<AccountRow>`insert into balances (currency, bucket, balance_minor, held_minor)
          values (${currency}, ${bucket}, ${amount}, 0) returning balance_minor, held_minor`;
    this.ctx.db.run`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref)
      values (${this.ctx.now()}, ${currency}, ${bucket}, ${kind}, ${amount}, ${next.balance}, ${ref})`;
    this.checkAccount(currency, bucket, next, row, `${kind} ${amount}`);
    this.accounts().set(key, next);
    return next.balance;
  }
}
