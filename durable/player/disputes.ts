/**
 * Dispute resolutions on settled bets. Ledger entries are never edited: a resolution writes
 * compensating entries (kind 'adjustment', ref `dispute:<id>`). 'void' undoes a posted bet as if it
 * had not been played: the stake comes back and the wins credited against it go, netted per bucket
 * (so a winning bet that is voided is a debit); a bet is voided at most once. 'correct' moves a
 * signed amount of real money against a settled bet (a mis-settled win, say). Idempotent on the
 * operator-chosen dispute id; a refusal (insufficient funds, wrong state) writes nothing.
 */
import { fail, type Result } from '../../domain/errors';
import type { Currency } from '../../domain/money';
import type { PlayerContext } from './context';
import { isKeyKept, once, type Replayable } from './idempotency';
import type { Limits } from './limits';
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

export type DisputeInput = {
  dispute_id: string;
  hold_id: string;
  resolution: DisputeResolution;
  /** Signed delta, for 'correct' only. */
  amount_minor?: number;
  reason: string;
  actor: string;
};

function fingerprint(d: { hold_id: string; resolution: DisputeResolution; amount_minor: number | null; reason: string; actor: string }): string {
  return JSON.stringify(['dispute', d.hold_id, d.resolution, d.amount_minor, d.reason, d.actor]);
}

export class Disputes {
  constructor(
    private readonly ctx: PlayerContext,
    private readonly wallet: Wallet,
    private readonly limits: Limits,
  ) {}

  get(disputeId: string): Dispute | null {
    return this.ctx.db.first<Dispute>`select * from disputes where dispute_id = ${disputeId}`;
  }

  ofHold(holdId: string): Dispute[] {
    return this.ctx.db.all<Dispute>`select * from disputes where hold_id = ${holdId} order by created_at`;
  }

  resolve(input: DisputeInput): Replayable<{ dispute: Dispute }> {
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
    const existing = this.get(input.dispute_id);
    if (existing && !isKeyKept(this.ctx, key)) {
      // Older than the idempotency retention: the dispute itself answers the retry.
      const same = fingerprint({ ...existing, amount_minor: existing.resolution === 'correct' ? existing.amount_minor : null }) === fp;
      return same ? { ok: true, dispute: existing, replayed: true }
        : fail('idempotency_conflict', 'this dispute id was used with a different request', { dispute_id: input.dispute_id });
    }
    return once(this.ctx, key, fp, () => (input.resolution === 'void' ? this.voidBet(input) : this.correctBet(input, input.amount_minor!)));
  }

  private voidBet(input: DisputeInput): Result<{ dispute: Dispute }> {
    const bet = this.settledBet(input.hold_id);
    if (!bet.ok) return bet;
    const h = bet.hold;
    const wins = this.wallet.winsOf(h.hold_id);
    const delta = { real: h.real_minor - wins.real, bonus: h.bonus_minor - wins.bonus };
    const moved = this.wallet.correct(h.currency, `dispute:${input.dispute_id}`, delta);
    if (!moved.ok) return moved;
    // Responsible gaming: the bet no longer counts as wagered, nor the loss it left.
    const stake = h.real_minor + h.bonus_minor;
    this.limits.record('wager', h.currency, -stake, h.created_at);
    this.limits.record('loss', h.currency, -(delta.real + delta.bonus), h.created_at);
    return this.record(input, h, delta.real + delta.bonus);
  }

  private correctBet(input: DisputeInput, amount: number): Result<{ dispute: Dispute }> {
    const bet = this.settledBet(input.hold_id);
    if (!bet.ok) return bet;
    const moved = this.wallet.correct(bet.hold.currency, `dispute:${input.dispute_id}`, { real: amount });
    if (!moved.ok) return moved;
    this.limits.record('loss', bet.hold.currency, -amount, this.ctx.now()); // like a win (credit) or a further stake (debit)
    return this.record(input, bet.hold, amount);
  }

  /** A bet that was posted and has not been voided by a dispute yet. */
  private settledBet(holdId: string): Result<{ hold: Hold }> {
    const h = this.wallet.hold(holdId);
    if (!h) return fail('hold_not_found');
    if (h.kind !== 'bet' || h.state !== 'posted') return fail('invalid_state', `hold is a ${h.state} ${h.kind}, not a posted bet`, { state: h.state, kind: h.kind });
    const voided = this.ofHold(holdId).find((d) => d.resolution === 'void');
    if (voided) return fail('invalid_state', `bet was already voided by dispute ${voided.dispute_id}`, { dispute_id: voided.dispute_id });
    return { ok: true, hold: h };
  }

  private record(input: DisputeInput, h: Hold, net: number): Result<{ dispute: Dispute }> {
    this.ctx.db.run`insert into disputes (dispute_id, hold_id, currency, resolution, amount_minor, reason, actor, created_at)
      values (${input.dispute_id}, ${h.hold_id}, ${h.currency}, ${input.resolution}, ${net}, ${input.reason}, ${input.actor}, ${this.ctx.now()})`;
    this.ctx.emit('backoffice.dispute.resolved', {
      dispute_id: input.dispute_id, ref: h.hold_id, resolution: input.resolution, amount_minor: net, actor: input.actor, reason: input.reason,
    }, h.currency);
    return { ok: true, dispute: this.get(input.dispute_id)! };
  }
}
