/**
 * Manual adjustments with four eyes. An operator corrects a balance by a signed amount: up to the
 * currency's four-eyes threshold it is applied at once; above it, it waits (pending) until a second
 * operator approves it (applied then, if the balance still covers a debit) or rejects it. What one
 * operator applies alone to this player in any 24 hours is capped too (a daily cumulative threshold),
 * so a large credit cannot be split into small ones. A correction of a settled bet (disputes.ts) is
 * an adjustment tied to the bet (`hold_id`): the same queue, thresholds and "never your own" rule,
 * with the bet's bounds checked again when it is approved. The operator-chosen adjustment id is the
 * idempotency key. Money moves only through Wallet.correct (ledger kind 'adjustment', ref
 * `adjustment:<id>`), and every step is an event of this player.
 */
import { fourEyesDailyCumulativeMinor, fourEyesThresholdMinor } from '../../domain/backoffice';
import { fail, type Failure, type Result } from '../../domain/errors';
import { jurisdictionById } from '../../domain/jurisdictions';
import type { Currency } from '../../domain/money';
import type { PlayerContext } from './context';
import { isKeyKept, once, type Replayable } from './idempotency';
import { checkFields } from './operator-input';
import type { Bucket, Wallet } from './wallet';

export type AdjustmentState = 'pending' | 'applied' | 'rejected';

export type Adjustment = {
  adjustment_id: string;
  currency: Currency;
  bucket: Bucket;
  amount_minor: number;
  reason: string;
  state: AdjustmentState;
  requested_by: string;
  /** The second operator; null for adjustments applied at once (under the threshold). */
  decided_by: string | null;
  decision_reason: string | null;
  /** The bucket's balance right after the adjustment was applied. */
  balance_after_minor: number | null;
  created_at: number;
  decided_at: number | null;
  /** The bet this resolves (a dispute's correction or void); null for a plain adjustment. */
  hold_id: string | null;
  /** What the dispute does to the bet, for an adjustment of a bet; null for a plain adjustment. */
  resolution: 'correct' | 'void' | null;
};

export type AdjustmentRequest = {
  adjustment_id: string;
  currency: Currency;
  bucket: Bucket;
  /** Signed: a credit (> 0) or a debit (< 0), never 0. */
  amount_minor: number;
  reason: string;
  actor: string;
};

export const ADJUSTMENTS_LIST_MAX = 100;
const DAY_MS = 24 * 3_600_000;

/** How an adjustment moves the money: the bucket's balance after it, or why it cannot. */
type Apply = (a: Pick<Adjustment, 'adjustment_id' | 'currency' | 'bucket' | 'amount_minor'>) => Result<{ balance_after_minor: number }>;

/**
 * What the approval of a dispute's adjustment must check again, how it moves the money (a void
 * computes its own entries), and what it records once applied (disputes.ts).
 */
export type BetRules = {
  check: (a: Adjustment) => Failure | null;
  /** Moves the money itself, or null to move it as a plain adjustment (one entry in its bucket). */
  apply: (a: Adjustment) => Result<{ balance_after_minor: number }> | null;
  applied: (a: Adjustment) => void;
};

function fingerprint(a: Pick<Adjustment, 'currency' | 'bucket' | 'amount_minor' | 'reason'> & { actor: string }): string {
  return JSON.stringify(['adjustment', a.currency, a.bucket, a.amount_minor, a.reason, a.actor]);
}

export class Adjustments {
  constructor(
    private readonly ctx: PlayerContext,
    private readonly wallet: Wallet,
  ) {}

  get(adjustmentId: string): Adjustment | null {
    return this.ctx.db.first<Adjustment>`select * from adjustments where adjustment_id = ${adjustmentId}`;
  }

  /** Newest first. */
  list(opts: { state?: AdjustmentState; limit?: number } = {}): Adjustment[] {
    const limit = Math.min(Math.max(1, Math.trunc(opts.limit ?? ADJUSTMENTS_LIST_MAX)), ADJUSTMENTS_LIST_MAX);
    return opts.state
      ? this.ctx.db.all<Adjustment>`select * from adjustments where state = ${opts.state} order by created_at desc, adjustment_id desc limit ${limit}`
      : this.ctx.db.all<Adjustment>`select * from adjustments order by created_at desc, adjustment_id desc limit ${limit}`;
  }

  request(input: AdjustmentRequest): Replayable<{ adjustment: Adjustment }> {
    const invalid = checkFields({
      ids: { adjustment_id: input.adjustment_id, actor: input.actor }, texts: { reason: input.reason },
      deltas: { amount_minor: input.amount_minor }, currencies: { currency: input.currency }, buckets: { bucket: input.bucket },
    });
    if (invalid) return invalid;
    if (!this.ctx.profile()) return fail('player_not_found');
    const key = `adjustment:${input.adjustment_id}`;
    const fp = fingerprint(input);
    const existing = this.get(input.adjustment_id);
    if (existing && !isKeyKept(this.ctx, key)) {
      // Older than the idempotency retention: the adjustment itself answers the retry.
      return fingerprint({ ...existing, actor: existing.requested_by }) === fp
        ? { ok: true, adjustment: existing, replayed: true }
        : fail('idempotency_conflict', 'this adjustment id was used with a different request', { adjustment_id: input.adjustment_id });
    }
    return once(this.ctx, key, fp, () => this.open({ ...input, hold_id: null, resolution: null }));
  }

  /**
   * The second operator's decision on a pending adjustment. The same decision repeated is a replay.
   * A correction of a bet is decided with its rules (Disputes.decideCorrection), never without.
   */
  decide(adjustmentId: string, decision: 'approve' | 'reject', actor: string, reason: string | null, rules: BetRules | null = null): Replayable<{ adjustment: Adjustment }> {
    const invalid = checkFields({ ids: { adjustment_id: adjustmentId, actor }, texts: reason === null ? {} : { reason } });
    if (invalid) return invalid;
    if (decision !== 'approve' && decision !== 'reject') return fail('validation_failed', "decision must be 'approve' or 'reject'");
    const a = this.get(adjustmentId);
    if (!a) return fail('adjustment_not_found');
    const target: AdjustmentState = decision === 'approve' ? 'applied' : 'rejected';
    if (a.state !== 'pending') {
      if (a.state === target && a.decided_by === actor) return { ok: true, adjustment: a, replayed: true };
      return fail('invalid_state', `adjustment is ${a.state}`, { state: a.state });
    }
    if (actor === a.requested_by) return fail('four_eyes_violation', 'a second operator must decide this adjustment', { requested_by: a.requested_by });
    if (a.hold_id !== null && rules === null) throw new Error(`invariant: correction ${a.adjustment_id} decided without its bet's rules`);
    const now = this.ctx.now();
    if (decision === 'reject') {
      this.ctx.db.run`update adjustments set state = 'rejected', decided_by = ${actor}, decision_reason = ${reason}, decided_at = ${now}
        where adjustment_id = ${a.adjustment_id}`;
      this.ctx.emit('backoffice.adjustment.rejected', { adjustment_id: a.adjustment_id, amount_minor: a.amount_minor, actor, reason }, a.currency);
      return { ok: true, adjustment: this.get(a.adjustment_id)!, replayed: false };
    }
    const refused = rules?.check(a);
    if (refused) return refused; // stays pending (the bet may still be corrected another way), or rejected by a void
    const applied = rules?.apply(a) ?? this.applyToBucket(a);
    if (!applied.ok) return applied; // stays pending: a later approval may find the funds
    const after = applied.balance_after_minor;
    this.ctx.db.run`update adjustments set state = 'applied', decided_by = ${actor}, decision_reason = ${reason}, decided_at = ${now},
      balance_after_minor = ${after} where adjustment_id = ${a.adjustment_id}`;
    const done = this.get(a.adjustment_id)!;
    this.emitApplied(a, after, actor);
    rules?.applied(done);
    return { ok: true, adjustment: done, replayed: false };
  }

  /** Whether `actor` applied a credit to this player alone (no second operator) at or after `since`. */
  creditedAloneSince(actor: string, since: number): boolean {
    return this.ctx.db.first`select 1 from adjustments where requested_by = ${actor} and state = 'applied' and decided_by is null
      and amount_minor > 0 and created_at >= ${since} limit 1` !== null;
  }

  /** Pending corrections of a bet, oldest first. */
  pendingOf(holdId: string): Adjustment[] {
    return this.ctx.db.all<Adjustment>`select * from adjustments where hold_id = ${holdId} and state = 'pending' order by created_at, adjustment_id`;
  }

  /** Rejects a pending adjustment on the system's behalf (a voided bet's pending corrections). */
  withdraw(a: Adjustment, actor: string, reason: string): void {
    this.ctx.db.run`update adjustments set state = 'rejected', decided_by = ${actor}, decision_reason = ${reason}, decided_at = ${this.ctx.now()}
      where adjustment_id = ${a.adjustment_id} and state = 'pending'`;
    this.ctx.emit('backoffice.adjustment.rejected', { adjustment_id: a.adjustment_id, amount_minor: a.amount_minor, actor, reason }, a.currency);
  }

  /**
   * Records a new adjustment (or correction of a bet): applied at once when the operator may do it
   * alone, else pending a second operator. The caller has checked idempotency and the bet's bounds.
   */
  open(input: AdjustmentRequest & { hold_id: string | null; resolution: Adjustment['resolution'] }, apply: Apply = this.applyToBucket): Result<{ adjustment: Adjustment }> {
    if (!this.currencyAllowed(input.currency)) return fail('unsupported_currency', `this player has no ${input.currency} account`, { currency: input.currency });
    const needsApproval = this.needsSecondOperator(input.actor, input.currency, input.amount_minor);
    let after: number | null = null;
    if (!needsApproval) {
      const applied = apply(input);
      if (!applied.ok) return applied;
      after = applied.balance_after_minor;
    }
    const now = this.ctx.now();
    this.ctx.db.run`insert into adjustments (adjustment_id, currency, bucket, amount_minor, reason, state, requested_by, balance_after_minor, created_at, decided_at, hold_id, resolution)
      values (${input.adjustment_id}, ${input.currency}, ${input.bucket}, ${input.amount_minor}, ${input.reason},
      ${needsApproval ? 'pending' : 'applied'}, ${input.actor}, ${after}, ${now}, ${needsApproval ? null : now}, ${input.hold_id}, ${input.resolution})`;
    this.ctx.emit('backoffice.adjustment.requested', {
      adjustment_id: input.adjustment_id, bucket: input.bucket, amount_minor: input.amount_minor, reason: input.reason, actor: input.actor, needs_approval: needsApproval,
    }, input.currency);
    const a = this.get(input.adjustment_id)!;
    if (after !== null) this.emitApplied(a, after, null);
    return { ok: true, adjustment: a };
  }

  /** A plain adjustment: one entry in its bucket. */
  private readonly applyToBucket: Apply = (a) => {
    const r = this.wallet.correct(a.currency, `adjustment:${a.adjustment_id}`, { [a.bucket]: a.amount_minor });
    return r.ok ? { ok: true, balance_after_minor: r.balance_after_minor[a.bucket] } : r;
  };

  /**
   * Above the single threshold, or above what this operator already applied alone to this player
   * in the last 24 hours plus this one, a second operator must approve. A rolling window, not the
   * calendar day: at midnight nothing resets (two full allowances seconds apart are one window).
   * The total spans currencies: each amount counts as its share of its own currency's daily
   * threshold, and the shares add up to at most 1 (so 1,000 EUR and then 0.02 BTC is not two
   * separate allowances).
   */
  private needsSecondOperator(actor: string, currency: Currency, amount: number): boolean {
    if (Math.abs(amount) > fourEyesThresholdMinor(currency)) return true;
    const windowStart = this.ctx.now() - DAY_MS;
    const alone = this.ctx.db.all<{ currency: Currency; total: number }>`select currency, sum(abs(amount_minor)) as total from adjustments
      where requested_by = ${actor} and state = 'applied' and decided_by is null and created_at > ${windowStart} group by currency`;
    const share = alone.reduce((sum, r) => sum + r.total / fourEyesDailyCumulativeMinor(r.currency), 0)
      + Math.abs(amount) / fourEyesDailyCumulativeMinor(currency);
    return share > 1 + 1e-9; // a ratio, not money: the tolerance only absorbs float rounding at exactly 1
  }

  private emitApplied(a: Adjustment, after: number, approvedBy: string | null): void {
    this.ctx.emit('backoffice.adjustment.applied', {
      adjustment_id: a.adjustment_id, bucket: a.bucket, amount_minor: a.amount_minor, balance_after_minor: after, requested_by: a.requested_by, approved_by: approvedBy,
    }, a.currency);
  }

  /** The jurisdiction's currencies, and any currency the player already holds money in. */
  private currencyAllowed(currency: Currency): boolean {
    const p = this.ctx.profile()!;
    return (jurisdictionById(p.jurisdiction)?.currencies ?? []).includes(currency) || this.wallet.balances().some((b) => b.currency === currency);
  }
}
