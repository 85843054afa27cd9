/**
 * Dispute resolutions on settled bets. Ledger entries are never edited: a resolution writes
 * compensating entries. Idempotent on the operator-chosen dispute id; a refusal writes nothing.
 *
 *   void     undoes a posted bet as if it had not been played: the player ends exactly where they
 *            were before the bet (the stake comes back; the wins and every applied correction of
 *            the bet go, netted per bucket, so voiding a winning bet is a debit). A bet is voided at
 *            most once, and its pending corrections are rejected with it. Ledger ref `dispute:<id>`.
 *            An operator's void that credits the player is an adjustment of the bet too (four eyes
 *            above the thresholds, and it counts in the operator's day); a debit, or a game
 *            provider's rollback, applies at once.
 *   correct  a signed amount of real money against a settled bet (a mis-settled win, say). It keeps
 *            the bet's total return (wins + corrections, pending ones included) between 0 and what
 *            the bet could have returned (the table's payout for its spot, or a configured multiple
 *            of the stake where the game does not say). It is an adjustment of the bet
 *            (adjustments.ts): applied at once under the four-eyes thresholds, else pending a
 *            second operator in the same queue, checked again when approved. A corrected bet can
 *            still be voided; a voided bet cannot be corrected.
 *
 * A bet staked with a free bet (reward-offers.ts; its hold holds none of the player's money) is
 * disputed the same way, with what sets it apart: its stake was the operator's, so neither its stake
 * nor its win ever counted in a loss or wager limit, and its void or corrections count in none
 * either; a void gives the token back (reason 'disputed': the player ends where they stood before
 * the bet, holding the token, which is usable again until its own expiry); and what it could return
 * is the game's maximum without the stake (a free bet never pays its stake back).
 *
 * The `disputes` table holds what was applied (voids, and corrections once applied).
 */
import { defaultMaxReturnMinor } from '../../domain/backoffice';
import { fail, type Failure, type Result } from '../../domain/errors';
import type { Currency } from '../../domain/money';
import type { Adjustment, Adjustments } from './adjustments';
import type { PlayerContext } from './context';
import { isKeyKept, once, type Replayable } from './idempotency';
import type { Limits } from './limits';
import type { FreeBetUse, RewardOffers } from './reward-offers';
import { checkFields } from './operator-input';
import type { Hold, Wallet } from './wallet';

export type DisputeResolution = 'void' | 'correct';

export type Dispute = {
  dispute_id: string;
  hold_id: string;
  currency: Currency;
  resolution: DisputeResolution;
  /** Net change to the player's balance (all buckets); 0 when a void's wins equalled its stake. */
  amount_minor: number;
  reason: string;
  actor: string;
  created_at: number;
};

/** A resolution as answered: applied, or (above the four-eyes thresholds) pending approval, or rejected there. */
export type DisputeOutcome = Dispute & { state: 'applied' | 'pending' | 'rejected' };

/** Who asks: an operator's credits are four-eyed; a game provider's rollback is the game's own word. */
export type DisputeSource = 'operator' | 'provider';

export type DisputeInput = {
  dispute_id: string;
  hold_id: string;
  resolution: DisputeResolution;
  /** Signed delta, for 'correct' only. */
  amount_minor?: number;
  reason: string;
  actor: string;
};

/** Who rejects a voided bet's pending corrections. */
const VOID_ACTOR = 'system:bet-voided';

function fingerprint(d: { hold_id: string; resolution: DisputeResolution; amount_minor: number | null; reason: string; actor: string }): string {
  return JSON.stringify(['dispute', d.hold_id, d.resolution, d.amount_minor, d.reason, d.actor]);
}

export class Disputes {
  constructor(
    private readonly ctx: PlayerContext,
    private readonly wallet: Wallet,
    private readonly limits: Limits,
    private readonly adjustments: Adjustments,
  ) {}

  /** Told of every void's money move, inside its transaction (the tournaments joined take its points back). */
  onVoided: (h: Hold) => void = () => {};
  /** The player's free bets (set by the player object): which bet a token staked, and giving a token back. */
  freeBets: Pick<RewardOffers, 'useOf' | 'giveBack'> | null = null;

  get(disputeId: string): Dispute | null {
    return this.ctx.db.first<Dispute>`select * from disputes where dispute_id = ${disputeId}`;
  }

  ofHold(holdId: string): Dispute[] {
    return this.ctx.db.all<Dispute>`select * from disputes where hold_id = ${holdId} order by created_at`;
  }

  /** What applied corrections of a bet add up to (real money). */
  correctionsOf(holdId: string): number {
    return this.ctx.db.first<{ total: number | null }>`select sum(amount_minor) as total from disputes where hold_id = ${holdId} and resolution = 'correct'`!.total ?? 0;
  }

  resolve(input: DisputeInput, source: DisputeSource): Replayable<{ dispute: DisputeOutcome }> {
    const invalid = checkFields({
      ids: { dispute_id: input.dispute_id, hold_id: input.hold_id, actor: input.actor }, texts: { reason: input.reason },
      deltas: input.resolution === 'correct' ? { amount_minor: input.amount_minor } : {},
    });
    if (invalid) return invalid;
    if (input.resolution !== 'void' && input.resolution !== 'correct') return fail('validation_failed', "resolution must be 'void' or 'correct'");
    if (input.resolution === 'void' && input.amount_minor !== undefined && input.amount_minor !== null) {
      return fail('validation_failed', 'a void computes its own amount; amount_minor is for corrections');
    }
    if (!this.ctx.profile()) return fail('player_not_found');
    const key = `dispute:${input.dispute_id}`;
    const fp = fingerprint({ ...input, amount_minor: input.resolution === 'correct' ? input.amount_minor! : null });
    // a dispute that goes to four eyes becomes an adjustment under its own id: that id must be free
    const taken = this.adjustments.get(input.dispute_id);
    if (taken && taken.hold_id === null) return fail('idempotency_conflict', 'this id is a manual adjustment already', { dispute_id: input.dispute_id });
    const existing = this.outcome(input.dispute_id);
    if (existing && !isKeyKept(this.ctx, key)) {
      // Older than the idempotency retention: the dispute itself answers the retry.
      const same = fingerprint({ ...existing, amount_minor: existing.resolution === 'correct' ? existing.amount_minor : null }) === fp;
      return same ? { ok: true, dispute: existing, replayed: true }
        : fail('idempotency_conflict', 'this dispute id was used with a different request', { dispute_id: input.dispute_id });
    }
    return once(this.ctx, key, fp, () => (input.resolution === 'void' ? this.voidBet(input, source) : this.correctBet(input, input.amount_minor!)));
  }

  /** A second operator's decision on a pending correction or void: the bet is checked again first. */
  decide(adjustmentId: string, decision: 'approve' | 'reject', actor: string, reason: string | null): Replayable<{ adjustment: Adjustment }> {
    return this.adjustments.decide(adjustmentId, decision, actor, reason, {
      check: (a) => {
        const bet = this.settledBet(a.hold_id!, a.adjustment_id);
        if (!bet.ok) return bet;
        if (a.resolution === 'correct') return this.outOfBounds(bet.hold, a.amount_minor, a.adjustment_id);
        const delta = this.voidDelta(bet.hold);
        const net = delta.real + delta.bonus;
        return net === a.amount_minor ? null
          : fail('invalid_state', `the bet changed since this void was requested (it would now move ${net}, not ${a.amount_minor}): reject it and void again`, { amount_minor: net });
      },
      // a correction moves real money like any adjustment; a void computes its own entries
      apply: (a) => (a.resolution === 'void' ? this.moveVoid(this.wallet.hold(a.hold_id!)!, a.adjustment_id) : null),
      applied: (a) => this.recordApplied(a),
    });
  }

  private voidBet(input: DisputeInput, source: DisputeSource): Result<{ dispute: DisputeOutcome }> {
    // A provider's rollback is the game's own word: it goes ahead of an operator's void waiting for approval (which it rejects).
    const bet = this.settledBet(input.hold_id, null, source === 'provider');
    if (!bet.ok) return bet;
    const h = bet.hold;
    const delta = this.voidDelta(h);
    const net = delta.real + delta.bonus;
    if (source === 'provider' || net <= 0) {
      // The game's own rollback, or a void that takes money back: nothing to four-eye.
      const moved = this.moveVoid(h, input.dispute_id);
      if (!moved.ok) return moved;
      return { ok: true, dispute: { ...this.record(input, h, 'void', net), state: 'applied' } };
    }
    const opened = this.adjustments.open({
      adjustment_id: input.dispute_id, currency: h.currency, bucket: 'real', amount_minor: net, reason: input.reason, actor: input.actor,
      hold_id: h.hold_id, resolution: 'void',
    }, () => this.moveVoid(h, input.dispute_id));
    if (!opened.ok) return opened;
    if (opened.adjustment.state === 'applied') this.recordApplied(opened.adjustment);
    return { ok: true, dispute: this.outcome(input.dispute_id)! };
  }

  /** Back to where the player stood before the bet: the stake returns, the wins and applied corrections go. */
  private voidDelta(h: Hold): { real: number; bonus: number } {
    const wins = this.wallet.winsOf(h.hold_id);
    return { real: h.real_minor - wins.real - this.correctionsOf(h.hold_id), bonus: h.bonus_minor - wins.bonus };
  }

  /**
   * Moves a void's money (ledger ref `dispute:<id>`), rejects the bet's pending corrections and
   * gives its responsible-gaming usage back. Answers the real balance after, as adjustments do.
   */
  private moveVoid(h: Hold, disputeId: string): Result<{ balance_after_minor: number }> {
    const delta = this.voidDelta(h);
    const moved = this.wallet.correct(h.currency, `dispute:${disputeId}`, delta);
    if (!moved.ok) return moved;
    for (const pending of this.adjustments.pendingOf(h.hold_id)) {
      if (pending.adjustment_id !== disputeId) this.adjustments.withdraw(pending, VOID_ACTOR, `bet voided by dispute ${disputeId}`);
    }
    if (this.freeBetOf(h)) {
      // A free bet: no limit ever counted its stake or its win, so taking the win back counts in none
      // (it would add the operator's gift to the player's losses); the bet was not played: the token comes back.
      this.freeBets!.giveBack(h.hold_id, 'disputed');
    } else {
      // Responsible gaming: the bet no longer counts as wagered, nor the loss it left.
      this.limits.record('wager', h.currency, -(h.real_minor + h.bonus_minor), h.created_at);
      this.limits.record('loss', h.currency, -(delta.real + delta.bonus), h.created_at);
    }
    this.onVoided(h);
    return { ok: true, balance_after_minor: moved.balance_after_minor.real };
  }

  private correctBet(input: DisputeInput, amount: number): Result<{ dispute: DisputeOutcome }> {
    const bet = this.settledBet(input.hold_id, null);
    if (!bet.ok) return bet;
    const refused = this.outOfBounds(bet.hold, amount, null);
    if (refused) return refused;
    const opened = this.adjustments.open({
      adjustment_id: input.dispute_id, currency: bet.hold.currency, bucket: 'real', amount_minor: amount, reason: input.reason, actor: input.actor,
      hold_id: bet.hold.hold_id, resolution: 'correct',
    });
    if (!opened.ok) return opened;
    if (opened.adjustment.state === 'applied') this.recordApplied(opened.adjustment);
    return { ok: true, dispute: this.outcome(input.dispute_id)! };
  }

  /** Books an applied adjustment of a bet as a resolution of the bet (its money has moved). */
  private recordApplied(a: Adjustment): void {
    const h = this.wallet.hold(a.hold_id!)!;
    // like a win (credit) or a further stake (debit); a free bet's win counted in no limit, nor does its correction
    if (a.resolution === 'correct' && !this.freeBetOf(h)) this.limits.record('loss', h.currency, -a.amount_minor, this.ctx.now());
    this.record({ dispute_id: a.adjustment_id, reason: a.reason, actor: a.requested_by }, h, a.resolution ?? 'correct', a.amount_minor);
  }

  /**
   * The bet's total return after this correction must stay between 0 and what the bet could have
   * returned, whichever of the pending corrections are approved: the credits pending count towards
   * the top, the debits pending towards 0 (a pending debit that is never approved must not make
   * room for credits). `except`: the pending correction being approved.
   */
  private outOfBounds(h: Hold, amount: number, except: string | null): Failure | null {
    const wins = this.wallet.winsOf(h.hold_id);
    const pending = this.adjustments.pendingOf(h.hold_id).filter((a) => a.adjustment_id !== except && a.resolution === 'correct').map((a) => a.amount_minor);
    const returned = wins.real + wins.bonus + this.correctionsOf(h.hold_id);
    const highest = returned + pending.filter((x) => x > 0).reduce((s, x) => s + x, 0);
    const lowest = returned + pending.filter((x) => x < 0).reduce((s, x) => s + x, 0);
    const freeBet = this.freeBetOf(h);
    const stake = freeBet ? freeBet.value_minor : h.real_minor + h.bonus_minor;
    const gameMax = h.max_return_minor ?? defaultMaxReturnMinor(stake);
    // a free bet pays the return without the stake (the operator's): that is the most it can return
    const maxReturn = freeBet ? Math.max(gameMax - stake, 0) : gameMax;
    const min = -lowest;
    const max = maxReturn - highest;
    if (amount >= min && amount <= max) return null;
    return fail('correction_out_of_bounds', `a correction of this bet must be between ${min} and ${max}: its return must stay within 0..${maxReturn}, pending corrections included`, {
      min_minor: min, max_minor: max, returned_minor: returned, max_return_minor: maxReturn, currency: h.currency,
    });
  }

  /**
   * A bet that was posted, has not been voided, and has no void waiting for approval (`except`: the
   * pending void being approved itself).
   */
  private settledBet(holdId: string, except: string | null, pendingVoidAllowed = false): Result<{ hold: Hold }> {
    const h = this.wallet.hold(holdId);
    if (!h) return fail('hold_not_found');
    if (h.kind !== 'bet' || h.state !== 'posted') return fail('invalid_state', `hold is a ${h.state} ${h.kind}, not a posted bet`, { state: h.state, kind: h.kind });
    const voided = this.ofHold(holdId).find((d) => d.resolution === 'void');
    if (voided) return fail('invalid_state', `bet was already voided by dispute ${voided.dispute_id}`, { dispute_id: voided.dispute_id });
    const pendingVoid = this.adjustments.pendingOf(holdId).find((a) => a.resolution === 'void' && a.adjustment_id !== except);
    if (pendingVoid && !pendingVoidAllowed) return fail('invalid_state', `a void of this bet (${pendingVoid.adjustment_id}) waits for a second operator`, { dispute_id: pendingVoid.adjustment_id });
    return { ok: true, hold: h };
  }

  /** The free bet a bet was staked with (a bet hold of none of the player's money), or null. */
  private freeBetOf(h: Hold): FreeBetUse | null {
    return h.kind === 'bet' && h.real_minor + h.bonus_minor === 0 ? this.freeBets?.useOf(h.hold_id) ?? null : null;
  }

  /** A dispute as answered: applied (in `disputes`), or pending approval, or rejected there. */
  private outcome(disputeId: string): DisputeOutcome | null {
    const applied = this.get(disputeId);
    if (applied) return { ...applied, state: 'applied' };
    const a = this.adjustments.get(disputeId);
    if (!a || a.hold_id === null || a.resolution === null || a.state === 'applied') return null;
    return {
      dispute_id: disputeId, hold_id: a.hold_id, currency: a.currency, resolution: a.resolution, amount_minor: a.amount_minor,
      reason: a.reason, actor: a.requested_by, created_at: a.created_at, state: a.state,
    };
  }

  private record(input: Pick<DisputeInput, 'dispute_id' | 'reason' | 'actor'>, h: Hold, resolution: DisputeResolution, net: number): Dispute {
    this.ctx.db.run`insert into disputes (dispute_id, hold_id, currency, resolution, amount_minor, reason, actor, created_at)
      values (${input.dispute_id}, ${h.hold_id}, ${h.currency}, ${resolution}, ${net}, ${input.reason}, ${input.actor}, ${this.ctx.now()})`;
    this.ctx.emit('backoffice.dispute.resolved', {
      dispute_id: input.dispute_id, ref: h.hold_id, resolution, amount_minor: net, actor: input.actor, reason: input.reason,
    }, h.currency);
    return this.get(input.dispute_id)!;
  }
}
